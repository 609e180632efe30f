"""`qwenchat ask`: answer one prompt and exit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from qwenchat.cli import options as opt
from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import (
    completed,
    one_conversation,
    settings_from,
    tool_options,
)
from qwenchat.cli.roles import with_role
from qwenchat.cli.takes_options import takes_options
from qwenchat.core.roles import SHELL
from qwenchat.render.terminal import Terminal

if TYPE_CHECKING:
    from qwenchat.cli.ask_flow import AskOptions
    from qwenchat.core.request import RequestOptions


@dataclass(frozen=True)
class AskFlags:
    """Everything `ask` takes, in the order `--help` shows it."""

    prompt: opt.PromptArg = None
    model: opt.ModelOpt = None
    attach: opt.AttachOpt = None
    system: opt.SystemOpt = None
    think: opt.ThinkOpt = None
    thinking: opt.ThinkingOpt = None
    hide_thinking: opt.HideThinkingOpt = False
    temperature: opt.TemperatureOpt = None
    top_p: opt.TopPOpt = None
    max_tokens: opt.MaxTokensOpt = None
    seed: opt.SeedOpt = None
    stop: opt.StopOpt = None
    presence_penalty: opt.PresencePenaltyOpt = None
    thinking_budget: opt.ThinkingBudgetOpt = None
    choices: opt.ChoicesOpt = None
    json_mode: opt.JsonModeOpt = False
    search: opt.SearchOpt = False
    no_stream: opt.NoStreamOpt = False
    json_output: opt.JsonOutputOpt = False
    plain: opt.PlainOpt = False
    extract: opt.ExtractOpt = False
    panels: opt.PanelsOpt = None
    region: opt.RegionOpt = None
    base_url: opt.BaseUrlOpt = None
    timeout: opt.TimeoutOpt = None
    max_time: opt.MaxTimeOpt = None
    continue_: opt.AddTurnOpt = False
    session: opt.SessionOpt = None
    cache: opt.CacheOpt = False
    cache_thinking: opt.CacheThinkingOpt = False
    retries: opt.RetriesOpt = None
    tools: opt.ToolsOpt = False
    functions: opt.FunctionsOpt = None
    mcp: opt.McpOpt = None
    yes_tools: opt.YesToolsOpt = False
    tool_rounds: opt.ToolRoundsOpt = None
    profile: opt.ProfileOpt = None
    api_key: opt.ApiKeyOpt = None
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

    one_conversation(flags.continue_, flags.session)
    settings = settings_from(
        model=flags.model, system=flags.system,
        thinking="hide" if flags.hide_thinking else flags.thinking,
        region=flags.region, base_url=flags.base_url, timeout=flags.timeout,
        max_time=flags.max_time, retries=flags.retries, tool_rounds=flags.tool_rounds,
        profile=flags.profile, api_key=flags.api_key, panels=flags.panels,
    )  # fmt: skip
    settings, role = with_role(settings, flags.role, model=flags.model, system=flags.system)
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
    from qwenchat.cli.ask_flow import AskOptions, Output

    output: Output = "json" if flags.json_output else ("plain" if flags.plain else "auto")
    return AskOptions(
        flags.prompt, request_options(flags), output,
        continue_last=flags.continue_, session=flags.session,
        cache=flags.cache, cache_thinking=flags.cache_thinking,
        tools=tool_options(flags.tools, flags.functions, flags.yes_tools, flags.mcp),
        attach=tuple(flags.attach or ()), extract=extract_of(flags),
    )  # fmt: skip


def extract_of(flags: AskFlags) -> bool:
    """`-x`: only code on stdout; a JSON document or the shell role's offer would be more."""
    if flags.extract and (flags.json_output or flags.role == SHELL):
        from qwenchat.core.errors import UsageError

        other = "--json" if flags.json_output else "--role shell"
        raise UsageError(f"-x/--extract prints only code: it cannot go with {other}")
    return flags.extract


def request_options(flags: AskFlags) -> RequestOptions:
    from qwenchat.core.request import RequestOptions

    return RequestOptions(
        temperature=flags.temperature, top_p=flags.top_p,
        presence_penalty=flags.presence_penalty, max_tokens=flags.max_tokens, seed=flags.seed,
        stop=tuple(flags.stop or ()), think=flags.think, stream=not flags.no_stream,
        thinking_budget=flags.thinking_budget, n=flags.choices, json_mode=flags.json_mode,
        search=flags.search,
    )  # fmt: skip
