"""`qwenchat usage`: tokens and cost of the saved turns, grouped, over a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import EndpointOptions, JsonOpt, settings_for
from qwenchat.cli.takes_options import takes_options

BY = ("model", "day", "conversation", "region")
Since = Annotated[
    str | None,
    typer.Option("--since", metavar="7d|24h|DATE", help="From this long ago, or this date."),
]
Until = Annotated[
    str | None,
    typer.Option("--until", metavar="7d|24h|DATE", help="Up to this long ago, or this date."),
]
By = Annotated[
    str, typer.Option("--by", metavar="model|day|conversation|region", help="Group by this.")
]


@dataclass(frozen=True)
class UsageFlags:
    """What `usage` takes."""

    since: Since = None
    until: Until = None
    by: By = "model"
    json_output: JsonOpt = False
    endpoint: EndpointOptions = field(default_factory=EndpointOptions)


@reports_errors
@takes_options(UsageFlags)
def usage(ctx: typer.Context, flags: UsageFlags) -> None:
    """Tokens and cost of the saved conversations, with totals (turns of unknown cost: —)."""
    from datetime import datetime, timezone

    from qwenchat.core.errors import UsageError
    from qwenchat.core.periods import parse_when, stamp
    from qwenchat.render import usage_table
    from qwenchat.store.history import open_store
    from qwenchat.store.usage import total, usage_report

    since, until, by = flags.since, flags.until, flags.by
    if by not in BY:
        raise UsageError(f"--by must be one of {', '.join(BY)}, got {by!r}")
    now = datetime.now(timezone.utc)
    start = stamp(parse_when(since, "--since", now)) if since else ""
    end = stamp(parse_when(until, "--until", now, end_of_day=True)) if until else ""
    settings = settings_for(ctx, flags.endpoint)
    with open_store(settings) as store:
        rows = usage_report(store, by, since=start or None, until=end or None)  # type: ignore[arg-type]
    totals = total(rows)
    output = environment(ctx).output
    if flags.json_output:
        output.out(usage_table.as_json(rows, totals, by, start, end), flush=True)
    else:
        output.out(usage_table.as_table(rows, totals, by), flush=True)
