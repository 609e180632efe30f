"""`qwenchat doctor`: check the key, the base URL, proxies and the endpoint."""

from __future__ import annotations

import os

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import (
    BaseUrlOpt,
    ModelOpt,
    ProfileOpt,
    RegionOpt,
    TimeoutOpt,
    settings_for,
)
from qwenchat.core.settings import Settings


@reports_errors
def doctor(
    ctx: typer.Context,
    model: ModelOpt = None,
    region: RegionOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    profile: ProfileOpt = None,
) -> None:
    """Check the key, the base URL, proxies and the endpoint; exit 0 only when all pass."""
    from qwenchat.core.endpoints import REGION_URLS
    from qwenchat.net import doctor as checks

    def load() -> Settings:
        return settings_for(
            ctx, model=model, region=region, base_url=base_url, timeout=timeout, profile=profile
        )

    output = environment(ctx).output
    found = checks.diagnose(load, environ=os.environ, region_urls=REGION_URLS)
    raise typer.Exit(checks.report(found, lambda text: output.out(text, flush=True)))
