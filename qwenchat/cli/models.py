"""`qwenchat models`: the models qwenchat knows, merged with the server's list."""

from __future__ import annotations

import typer

from qwenchat.cli.boundary import reports_errors
from qwenchat.cli.options import BaseUrlOpt, JsonOpt, ProfileOpt, RegionOpt, settings_for
from qwenchat.render.terminal import Terminal


@reports_errors
def models(
    ctx: typer.Context,
    json_output: JsonOpt = False,
    region: RegionOpt = None,
    base_url: BaseUrlOpt = None,
    profile: ProfileOpt = None,
) -> None:
    """List the models qwenchat knows, merged with the server's list, with capabilities."""
    from qwenchat.render import model_table

    settings = settings_for(ctx, region=region, base_url=base_url, profile=profile)
    served, why = model_table.served_models(settings)
    rows = model_table.with_prices(model_table.model_rows(settings.catalogue, served), settings)
    output = Terminal.system().output
    if why is not None:
        output.notice(f"warning: the server's model list could not be fetched ({why}); "
                      "showing the catalogue only")  # fmt: skip
    if json_output:
        output.out(model_table.as_json(rows) + "\n")
    else:
        output.out(model_table.as_table(rows, served=served is not None))
