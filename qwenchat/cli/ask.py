"""`qwenchat ask`: answer one prompt and exit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from qwenchat.cli import options as opt
from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import (
    completed,
    one_conversation,
    request_options,
    settings_flags,
)
from qwenchat.cli.roles import with_role
from qwenchat.cli.takes_options import takes_options
from qwenchat.cli.tool_flags import tool_options
from qwenchat.core.roles import SHELL
from qwenchat.render.terminal import Terminal

if TYPE_CHECKING:
    from qwenchat.cli.ask_flow import AskOptions


@dataclass(frozen=True)
class AskFlags:
    """Everything `ask` takes, in the order `--help` shows it."""

    prompt: opt.PromptArg = None
    sampling: opt.SamplingOptions = field(default_factory=opt.SamplingOptions)
    model_exact: opt.ModelExactOpt = False
    attach: opt.AttachOpt = None
    thinking: opt.ThinkingOpt = None
    hide_thinking: opt.HideThinkingOpt = False
    stop: opt.StopOpt = None
    presence_penalty: opt.PresencePenaltyOpt = None
    thinking_budget: opt.ThinkingBudgetOpt = None
    n: opt.ChoicesOpt = None
    json_mode: opt.JsonModeOpt = False
    search: opt.SearchOpt = False
    no_stream: opt.NoStreamOpt = False
    json_output: opt.JsonOpt = False
    plain: opt.PlainOpt = False
    extract: opt.ExtractOpt = False
    panels: opt.PanelsOpt = None
    endpoint: opt.EndpointOptions = field(default_factory=opt.EndpointOptions)
    max_time: opt.MaxTimeOpt = None
    continue_: opt.ContinueOpt = False
    session: opt.SessionOpt = None
    cache: opt.CacheOpt = False
    cache_thinking: opt.CacheThinkingOpt = False
    retries: opt.RetriesOpt = None
    tools: opt.ToolsOpt = False
    functions: opt.FunctionsOpt = None
    mcp: opt.McpOpt = None
    yes_tools: opt.YesToolsOpt = False
    tool_rounds: opt.ToolRoundsOpt = None
    role: opt.RoleOpt = None


@reports_errors
@takes_options(AskFlags)
def ask(ctx: typer.Context, flags: AskFlags) -> None:
    """Answer one prompt and exit. `cat notes.md | qwenchat ask "summarise"` works too."""
    from qwenchat.core.errors import QwenchatError

    flags = completed(ctx, flags)
    terminal = environment(ctx).terminal
    try:
        code = _ask(flags, terminal)
    except QwenchatError as exc:
        # the error as JSON on stdout too, unless the reply's document (outcome incomplete,
        # interrupted) is there already; the boundary says the one line on stderr
        if flags.json_output and not terminal.stdout_written:
            from qwenchat.render.json_renderer import error_document

            terminal.output.out(error_document(exc) + "\n", flush=True)
        raise
    raise typer.Exit(code)


def _ask(flags: AskFlags, terminal: Terminal) -> int:
    from qwenchat.cli.ask_flow import run_ask
    from qwenchat.cli.model_check import check_model
    from qwenchat.cli.settings_files import settings_from

    one_conversation(flags.continue_, flags.session)
    hide = {"thinking": "hide"} if flags.hide_thinking else {}
    settings = settings_from(**{**settings_flags(flags), **hide})
    settings, role = with_role(
        settings, flags.role, model=flags.sampling.model, system=flags.sampling.system
    )
    check_model(settings, exact=flags.model_exact)
    options = ask_options(flags)
    if role is not None:
        from dataclasses import replace

        shell = role.name == SHELL
        options = replace(
            options, request=role.request(options.request), shell=shell,
            output="plain" if shell and options.output == "auto" else options.output,
        )  # fmt: skip
    return run_ask(settings, terminal, options)


def ask_options(flags: AskFlags) -> AskOptions:
    """What the engine needs to answer: the prompt, the request, the output, the keeping."""
    from qwenchat.cli.ask_flow import AskOptions
    from qwenchat.render.choose import OutputMode

    output: OutputMode = "json" if flags.json_output else ("plain" if flags.plain else "auto")
    return AskOptions(
        flags.prompt, request_options(flags), output,
        continue_last=flags.continue_, session=flags.session,
        cache=flags.cache, cache_thinking=flags.cache_thinking,
        tools=tool_options(flags), attach=tuple(flags.attach or ()), extract=extract_of(flags),
    )  # fmt: skip


def extract_of(flags: AskFlags) -> bool:
    """`-x`: only code on stdout; a JSON document or the shell role's offer would be more."""
    if flags.extract and (flags.json_output or flags.role == SHELL):
        from qwenchat.core.errors import UsageError

        other = "--json" if flags.json_output else "--role shell"
        raise UsageError(f"-x/--extract prints only code: it cannot go with {other}")
    return flags.extract
