"""The `qwenchat batch` commands: `run INPUT` (or just `batch INPUT`), `status`, `results`,
`cancel`, `list`.

Thin: each command gathers its flags and calls into the batch package, imported lazily so
`qwenchat --help` stays fast. Errors become exit codes in `error_boundary.reports_errors`, as
everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer.core import TyperGroup

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import (
    EndpointOptions,
    RoleOpt,
    SamplingOptions,
    completed,
    request_options,
    root_options,
    settings_flags,
    settings_for,
)
from qwenchat.cli.takes_options import takes_options

if TYPE_CHECKING:
    from qwenchat.core.settings import Settings

SUBCOMMANDS_HELP = ("-h", "--help")


class RunByDefault(TyperGroup):
    """`qwenchat batch INPUT …` means `qwenchat batch run INPUT …`.

    Anything that is not a subcommand name (a file, `-`, an option) starts `run`; a file
    that happens to be called like a subcommand needs the explicit `batch run list`.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in SUBCOMMANDS_HELP:
            args = ["run", *args]
        return super().parse_args(ctx, args)


batch_app = typer.Typer(
    name="batch",
    cls=RunByDefault,
    help="Send many prompts: concurrently from here, or through DashScope's Batch service.",
    invoke_without_command=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


OutputFile = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write JSONL results here (mode 0600); stdout if omitted."),
]
ResultsFile = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="Write JSONL results here (mode 0600); if omitted, the file given when the batch "
        "was submitted, else stdout.",
    ),
]
Poll = Annotated[float, typer.Option("--poll", help="Seconds between status checks (remote).")]
Wait = Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the batch to end (remote).")]

Input = Annotated[str, typer.Argument(help="Prompts file (text or JSONL), or - for stdin.")]
Local = Annotated[
    bool | None,
    typer.Option(
        "--local/--remote",
        help="Send from here, or through DashScope's Batch service "
        "(default: the service from 1,000 requests on DashScope, else here).",
    ),
]
Jobs = Annotated[int, typer.Option("-j", "--jobs", help="Requests at a time (local).")]
Fmt = Annotated[str, typer.Option("--format", help="auto, text or jsonl.")]
AttachRoot = Annotated[
    Path | None,
    typer.Option(
        "--attach-root",
        help="Let attachments come from this directory (default: the input file's folder).",
    ),
]
Overwrite = Annotated[
    bool, typer.Option("--overwrite", help="Start the output file over (its old rows go).")
]
BatchId = Annotated[str, typer.Argument(help="The batch id.")]


@dataclass(frozen=True)
class RunFlags:
    """What `batch run` takes, in the order `--help` shows it."""

    input: Input
    output: OutputFile = None
    local: Local = None
    jobs: Jobs = 8
    wait: Wait = True
    poll: Poll = 10.0
    fmt: Fmt = "auto"
    sampling: SamplingOptions = field(default_factory=SamplingOptions)
    endpoint: EndpointOptions = field(default_factory=EndpointOptions)
    overwrite: Overwrite = False
    attach_root: AttachRoot = None
    role: RoleOpt = None


@dataclass(frozen=True)
class ResultsFlags:
    """What `batch results` takes."""

    batch_id: BatchId
    output: ResultsFile = None
    wait: Wait = True
    poll: Poll = 10.0
    endpoint: EndpointOptions = field(default_factory=EndpointOptions)


@batch_app.callback()
def batch_group(ctx: typer.Context) -> None:
    """Send many prompts: concurrently from here, or through DashScope's Batch service."""
    if ctx.invoked_subcommand is None:
        environment(ctx).output.out(ctx.get_help() + "\n")
        raise typer.Exit(0)


def _saved_settings(ctx: typer.Context, batch_id: str, endpoint: EndpointOptions) -> Settings:
    """Settings for a submitted batch: the endpoint it was sent to, unless one is given now."""
    settings = settings_for(ctx, endpoint)
    root = root_options(ctx).endpoint
    given = (endpoint.region, endpoint.base_url, endpoint.profile)
    if any((*given, root.region, root.base_url, root.profile)):
        return settings
    from qwenchat.batch.state import BatchStore

    saved = BatchStore(settings.data_dir).load(batch_id)
    if saved is None or saved.base_url is None:
        return settings
    return settings_for(
        ctx, endpoint, region=saved.region, base_url=saved.base_url, profile=saved.profile
    )


@batch_app.command("run", short_help="Answer every prompt of INPUT (resumable).")
@reports_errors
@takes_options(RunFlags)
def run(ctx: typer.Context, flags: RunFlags) -> None:
    """Answer every prompt of INPUT; re-running with the same --output resumes."""
    from qwenchat.batch.inputs import Format
    from qwenchat.batch.runner import BatchOptions, run_batch
    from qwenchat.batch.work import Route
    from qwenchat.cli.roles import with_role
    from qwenchat.cli.settings_files import settings_from
    from qwenchat.core.errors import UsageError

    flags = completed(ctx, flags)
    if flags.fmt not in ("auto", "text", "jsonl"):
        raise UsageError(f"--format must be auto, text or jsonl, got {flags.fmt!r}")
    settings = settings_from(**settings_flags(flags))
    sampling = flags.sampling
    settings, chosen = with_role(settings, flags.role, model=sampling.model, system=sampling.system)
    request = request_options(flags)
    if chosen is not None:
        request = chosen.request(request)
    local = flags.local
    route: Route = "auto" if local is None else ("local" if local else "remote")
    options = BatchOptions(
        flags.input, flags.output, request, cast(Format, flags.fmt), route, flags.jobs,
        flags.wait, flags.poll, overwrite=flags.overwrite, attach_root=flags.attach_root,
    )  # fmt: skip
    raise typer.Exit(run_batch(settings, environment(ctx).terminal, options))


@batch_app.command("status", short_help="Show a batch's status and counts.")
@reports_errors
@takes_options(EndpointOptions)
def status(ctx: typer.Context, batch_id: BatchId, endpoint: EndpointOptions) -> None:
    """Show a Batch service batch's status and counts."""
    from qwenchat.batch.submit import show_status

    settings = _saved_settings(ctx, batch_id, endpoint)
    raise typer.Exit(show_status(settings, environment(ctx).terminal, batch_id))


@batch_app.command("results", short_help="Wait for a batch and write its results.")
@reports_errors
@takes_options(ResultsFlags)
def results(ctx: typer.Context, flags: ResultsFlags) -> None:
    """Wait for a batch and write its results (to the file given when it was submitted)."""
    from qwenchat.batch.submit import fetch_results

    settings = _saved_settings(ctx, flags.batch_id, flags.endpoint)
    code = fetch_results(settings, environment(ctx).terminal, flags.batch_id, output=flags.output,
                         wait=flags.wait, poll=flags.poll)  # fmt: skip
    raise typer.Exit(code)


@batch_app.command("cancel", short_help="Cancel a batch (finished ones stay).")
@reports_errors
@takes_options(EndpointOptions)
def cancel(ctx: typer.Context, batch_id: BatchId, endpoint: EndpointOptions) -> None:
    """Cancel a Batch service batch (finished requests keep their results)."""
    from qwenchat.batch.submit import cancel_batch

    settings = _saved_settings(ctx, batch_id, endpoint)
    raise typer.Exit(cancel_batch(settings, environment(ctx).terminal, batch_id))


@batch_app.command("list", short_help="List recent batches.")
@reports_errors
@takes_options(EndpointOptions)
def list_(
    ctx: typer.Context,
    endpoint: EndpointOptions,
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 20,
) -> None:
    """List recent Batch service batches."""
    from qwenchat.batch.submit import list_batches

    settings = settings_for(ctx, endpoint)
    raise typer.Exit(list_batches(settings, environment(ctx).terminal, limit=limit))
