"""`qwenchat doctor`: check the key, the base URL, proxies and the endpoint."""

from __future__ import annotations

import os

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import EndpointOptions, ModelOpt, settings_for
from qwenchat.cli.takes_options import takes_options
from qwenchat.core.settings import Settings


@reports_errors
@takes_options(EndpointOptions)
def doctor(ctx: typer.Context, endpoint: EndpointOptions, model: ModelOpt = None) -> None:
    """Check the key, the base URL, proxies and the endpoint; exit 0 only when all pass."""
    from qwenchat.core.endpoints import REGION_URLS
    from qwenchat.net import doctor as checks

    def load() -> Settings:
        return settings_for(ctx, endpoint, model=model)

    output = environment(ctx).output
    found = checks.diagnose(load, environ=os.environ, region_urls=REGION_URLS)
    raise typer.Exit(checks.report(found, lambda text: output.out(text, flush=True)))
