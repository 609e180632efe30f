"""The `qwenchat batch` commands: `run INPUT` (or just `batch INPUT`), `status`, `results`,
`cancel`, `list`.

Thin: each command gathers its flags and calls into the batch package, imported lazily so
`qwenchat --help` stays fast. Errors become exit codes in `error_boundary.reports_errors`, as
everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer.core import TyperGroup

from qwenchat.cli.completion import models as complete_models
from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import ApiKeyOpt, ProfileOpt, RoleOpt, root_options, settings_for

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


Output = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write JSONL results here (mode 0600); stdout if omitted."),
]
ResultsOutput = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="Write JSONL results here (mode 0600); if omitted, the file given when the batch "
        "was submitted, else stdout.",
    ),
]
Model = Annotated[
    str | None,
    typer.Option(
        "-m", "--model", help="Model name (default qwen-plus).", autocompletion=complete_models
    ),
]
System = Annotated[str | None, typer.Option("-s", "--system", help="System prompt for every line.")]
Region = Annotated[str | None, typer.Option("--region", help="cn, intl, us or hk.")]
BaseUrl = Annotated[str | None, typer.Option("--base-url", help="Any OpenAI-compatible endpoint.")]
Timeout = Annotated[float | None, typer.Option("--timeout", help="Seconds to wait for data.")]
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
Think = Annotated[bool | None, typer.Option("--think/--no-think", help="Qwen3 thinking mode.")]
Temperature = Annotated[float | None, typer.Option(help="Sampling temperature.")]
TopP = Annotated[float | None, typer.Option("--top-p", help="Nucleus sampling.")]
MaxTokens = Annotated[int | None, typer.Option("--max-tokens", help="Answer cap.")]
Seed = Annotated[int | None, typer.Option(help="Random seed.")]
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


@batch_app.callback()
def batch_group(ctx: typer.Context) -> None:
    """Send many prompts: concurrently from here, or through DashScope's Batch service."""
    if ctx.invoked_subcommand is None:
        environment(ctx).output.out(ctx.get_help() + "\n")
        raise typer.Exit(0)


def _saved_settings(
    ctx: typer.Context, batch_id: str, region: str | None, base_url: str | None, profile: str | None
) -> Settings:
    """Settings for a submitted batch: the endpoint it was sent to, unless one is given now."""
    settings = settings_for(ctx, region=region, base_url=base_url, profile=profile)
    root = root_options(ctx)
    if any((region, base_url, profile, root.region, root.base_url, root.profile)):
        return settings
    from qwenchat.batch.state import BatchStore

    saved = BatchStore(settings.data_dir).load(batch_id)
    if saved is None or saved.base_url is None:
        return settings
    return settings_for(ctx, region=saved.region, base_url=saved.base_url, profile=saved.profile)


@batch_app.command("run", short_help="Answer every prompt of INPUT (resumable).")
@reports_errors
def run(
    ctx: typer.Context,
    input: Input,
    output: Output = None,
    local: Local = None,
    jobs: Jobs = 8,
    wait: Wait = True,
    poll: Poll = 10.0,
    fmt: Fmt = "auto",
    model: Model = None,
    system: System = None,
    think: Think = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    max_tokens: MaxTokens = None,
    seed: Seed = None,
    region: Region = None,
    base_url: BaseUrl = None,
    timeout: Timeout = None,
    profile: ProfileOpt = None,
    overwrite: Overwrite = False,
    attach_root: AttachRoot = None,
    api_key: ApiKeyOpt = None,
    role: RoleOpt = None,
) -> None:
    """Answer every prompt of INPUT; re-running with the same --output resumes."""
    from qwenchat.batch.inputs import Format
    from qwenchat.batch.runner import BatchOptions, Engine, run_batch
    from qwenchat.cli.roles import with_role
    from qwenchat.core.errors import UsageError
    from qwenchat.core.request import RequestOptions

    if fmt not in ("auto", "text", "jsonl"):
        raise UsageError(f"--format must be auto, text or jsonl, got {fmt!r}")
    settings = settings_for(ctx, model=model, system=system, region=region, base_url=base_url,
                            timeout=timeout, profile=profile, api_key=api_key)  # fmt: skip
    root = root_options(ctx)
    settings, chosen = with_role(settings, role or root.role, model=model or root.model,
                                 system=system or root.system)  # fmt: skip
    request = RequestOptions(
        temperature=temperature, top_p=top_p, max_tokens=max_tokens, seed=seed,
        think=think if think is not None else root.think,
    )  # fmt: skip
    if chosen is not None:
        request = chosen.request(request)
    engine: Engine = "auto" if local is None else ("local" if local else "remote")
    options = BatchOptions(
        input, output, request, cast(Format, fmt), engine, jobs, wait, poll, overwrite=overwrite,
        attach_root=attach_root,
    )  # fmt: skip
    raise typer.Exit(run_batch(settings, environment(ctx).terminal, options))


@batch_app.command("status", short_help="Show a batch's status and counts.")
@reports_errors
def status(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="The batch id.")],
    region: Region = None,
    base_url: BaseUrl = None,
    profile: ProfileOpt = None,
) -> None:
    """Show a Batch service batch's status and counts."""
    from qwenchat.batch.submit import show_status

    settings = _saved_settings(ctx, batch_id, region, base_url, profile)
    raise typer.Exit(show_status(settings, environment(ctx).terminal, batch_id))


@batch_app.command("results", short_help="Wait for a batch and write its results.")
@reports_errors
def results(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="The batch id.")],
    output: ResultsOutput = None,
    wait: Wait = True,
    poll: Poll = 10.0,
    region: Region = None,
    base_url: BaseUrl = None,
    profile: ProfileOpt = None,
) -> None:
    """Wait for a batch and write its results (to the file given when it was submitted)."""
    from qwenchat.batch.submit import fetch_results

    settings = _saved_settings(ctx, batch_id, region, base_url, profile)
    code = fetch_results(
        settings, environment(ctx).terminal, batch_id, output=output, wait=wait, poll=poll
    )
    raise typer.Exit(code)


@batch_app.command("cancel", short_help="Cancel a batch (finished ones stay).")
@reports_errors
def cancel(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="The batch id.")],
    region: Region = None,
    base_url: BaseUrl = None,
    profile: ProfileOpt = None,
) -> None:
    """Cancel a Batch service batch (finished requests keep their results)."""
    from qwenchat.batch.submit import cancel_batch

    settings = _saved_settings(ctx, batch_id, region, base_url, profile)
    raise typer.Exit(cancel_batch(settings, environment(ctx).terminal, batch_id))


@batch_app.command("list", short_help="List recent batches.")
@reports_errors
def list_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 20,
    region: Region = None,
    base_url: BaseUrl = None,
    profile: ProfileOpt = None,
) -> None:
    """List recent Batch service batches."""
    from qwenchat.batch.submit import list_batches

    settings = settings_for(ctx, region=region, base_url=base_url, profile=profile)
    raise typer.Exit(list_batches(settings, environment(ctx).terminal, limit=limit))
