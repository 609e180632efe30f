"""Every command-line option, declared once, and the options given before the command.

Each option is an `Annotated` alias used by every command that takes it; the options most
commands share come in groups, each a dataclass declared once: `EndpointOptions` (where the
requests go, with which key) and `SamplingOptions` (what is asked of the model). A command
takes a dataclass of its options (`cli.takes_options`), groups included: Typer sees one option
per field, the command one value. The options before the command (`qwenchat --region intl
config`) become one `RootOptions`, the root's context object; `completed` fills a command's
unset options from it, so that line means `qwenchat config --region intl`, and an option after
the command works as it does before it. `settings_flags`, `request_options` (and `tool_flags`)
read what they need out of any such dataclass, by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from qwenchat import __version__
from qwenchat.cli import completion as complete
from qwenchat.cli.environment import Environment, debug_requests, environment
from qwenchat.cli.takes_options import flat, is_group

if TYPE_CHECKING:
    from qwenchat.core.request import RequestOptions
    from qwenchat.core.settings import Settings

T = TypeVar("T")


def _show_version(ctx: typer.Context, value: bool) -> None:
    if value:
        environment(ctx).output.out(f"qwenchat {__version__}\n")
        raise typer.Exit()


def _debug_given(ctx: typer.Context, value: bool) -> bool:
    """`--debug` after the command: the run debugs, as with `--debug` before it."""
    if value:
        env = environment(ctx)
        env.debugging(True)
        debug_requests(env)
    return value


VersionOpt = Annotated[
    bool,
    typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "-m",
        "--model",
        metavar="NAME",
        help="Model name (default qwen-plus).",
        autocompletion=complete.models,
    ),
]
SystemOpt = Annotated[
    str | None, typer.Option("-s", "--system", metavar="TEXT", help="System prompt.")
]
ThinkOpt = Annotated[
    bool | None,
    typer.Option(
        "--think/--no-think", help="Turn Qwen3 thinking mode on or off (enable_thinking)."
    ),
]
ThinkingOpt = Annotated[
    str | None,
    typer.Option(
        "--thinking",
        metavar="full|summary|hide",
        autocompletion=complete.thinking,
        help="How to show reasoning: full, summary or hide (default full).",
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        metavar="cn|intl|us|hk",
        help="DashScope region: cn (Beijing, default), intl (Singapore), us or hk.",
    ),
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url", metavar="URL", help="Any OpenAI-compatible endpoint (vLLM, Ollama…)."
    ),
]
ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        metavar="NAME",
        help="Use a [profiles.NAME] table from the config file.",
        autocompletion=complete.profiles,
    ),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout", metavar="SECONDS", help="Seconds to wait for the next chunk (default 120)."
    ),
]
MaxTimeOpt = Annotated[
    float | None,
    typer.Option(
        "--max-time", metavar="SECONDS", help="Most seconds one reply may take in all (no limit)."
    ),
]
ContinueOpt = Annotated[
    bool,
    typer.Option(
        "-c", "--continue", help="Go on with the most recent conversation (ask: add the turn)."
    ),
]
SessionOpt = Annotated[
    str | None,
    typer.Option(
        "--session",
        metavar="NAME",
        help="Open or create the conversation NAME.",
        autocompletion=complete.sessions,
    ),
]
RetriesOpt = Annotated[
    int | None,
    typer.Option(
        "--retries",
        metavar="N",
        help="Retries after a failure that may clear by itself (default 2).",
    ),
]
ToolsOpt = Annotated[
    bool, typer.Option("--tools", help="Let the model call tools (it asks before each runs).")
]
FunctionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--functions", metavar="FILE.py", help="Offer this file's functions as tools too."
    ),
]
McpOpt = Annotated[
    list[str] | None, typer.Option(metavar="NAME", help="Use this MCP server's tools (or all).")
]
YesToolsOpt = Annotated[
    bool, typer.Option("--yes-tools", help="Run tool calls without asking (for scripts).")
]
DebugOpt = Annotated[
    bool,
    typer.Option(
        "--debug",
        callback=_debug_given,
        help="Log each HTTP request and response, and show tracebacks (or QWENCHAT_DEBUG=1).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ApiKeyOpt = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        metavar="KEY",
        help="The API key (it lands in shell history: prefer DASHSCOPE_API_KEY).",
    ),
]

RoleOpt = Annotated[
    str | None,
    typer.Option(
        "--role",
        metavar="NAME",
        help="Use a role: [roles.NAME] or the built-in shell.",
        autocompletion=complete.roles,
    ),
]

# `ask`'s own options.
PromptArg = Annotated[str | None, typer.Argument(help="The prompt; piped stdin is appended.")]
HideThinkingOpt = Annotated[bool, typer.Option("--hide-thinking", help="Do not show reasoning.")]
TemperatureOpt = Annotated[float | None, typer.Option(help="Sampling temperature, [0, 2).")]
TopPOpt = Annotated[float | None, typer.Option("--top-p", help="Nucleus sampling, (0, 1].")]
MaxTokensOpt = Annotated[
    int | None, typer.Option("--max-tokens", metavar="N", help="Cap on answer tokens.")
]
SeedOpt = Annotated[int | None, typer.Option(help="Random seed (unsigned 64-bit).")]
AttachOpt = Annotated[
    list[str] | None,
    typer.Option(
        "-a", "--attach", metavar="PATH|URL|-",
        help="Attach an image or text file, an image URL, or - for stdin (repeatable).",
    ),
]  # fmt: skip
StopOpt = Annotated[
    list[str] | None, typer.Option(metavar="TEXT", help="Stop sequence (repeatable).")
]
PresencePenaltyOpt = Annotated[
    float | None, typer.Option("--presence-penalty", help="Repetition control, [-2, 2].")
]
ThinkingBudgetOpt = Annotated[
    int | None,
    typer.Option(
        "--thinking-budget", metavar="N", help="Cap on reasoning tokens (turns thinking on)."
    ),
]
ChoicesOpt = Annotated[
    int | None, typer.Option("-n", help="Answers to return, 1–4 (qwen-plus), numbered.")
]
JsonModeOpt = Annotated[
    bool, typer.Option("--json-mode", help="Ask for a JSON object (response_format).")
]
SearchOpt = Annotated[
    bool, typer.Option("--search", help="Let DashScope search the web (enable_search).")
]
NoStreamOpt = Annotated[bool, typer.Option("--no-stream", help="Print the answer when complete.")]
PlainOpt = Annotated[bool, typer.Option("--plain", help="Plain text, no panels.")]
ModelExactOpt = Annotated[
    bool,
    typer.Option(
        "--model-exact", help="Send the model name as written, even if it looks misspelt."
    ),
]
ExtractOpt = Annotated[
    bool,
    typer.Option("-x", "--extract", help="Print only the fenced code of the answer (for pipes)."),
]
PanelsOpt = Annotated[
    bool | None,
    typer.Option(
        "--panels/--no-panels",
        help="Replies in bordered panels, or Markdown without borders (code copies cleanly).",
    ),
]
CacheOpt = Annotated[
    bool, typer.Option("--cache", help="Reuse a saved answer to an identical request.")
]
CacheThinkingOpt = Annotated[
    bool, typer.Option("--cache-thinking", help="--cache, thinking-mode requests included.")
]
ToolRoundsOpt = Annotated[
    int | None,
    typer.Option("--tool-rounds", metavar="N", help="Most tool rounds per answer (default 8)."),
]
HostOpt = Annotated[
    str,
    typer.Option("--host", metavar="ADDRESS", help="Address to serve on (default 127.0.0.1)."),
]
PortOpt = Annotated[int, typer.Option("--port", metavar="N", help="Port (0: any free one).")]
OpenOpt = Annotated[bool, typer.Option("--open", help="Open the page in a browser.")]

# The settings a flag may set (`core.settings` resolves them with the other layers).
SETTINGS_FLAGS = (
    "model", "system", "thinking", "region", "base_url", "timeout", "max_time", "retries",
    "api_key", "panels", "profile", "tool_rounds",
)  # fmt: skip


@dataclass(frozen=True)
class EndpointOptions:
    """Where a command's requests go and with which key, and `--debug` to watch them.

    Every command that reads the settings takes this group, before or after its name.
    """

    region: RegionOpt = None
    base_url: BaseUrlOpt = None
    profile: ProfileOpt = None
    api_key: ApiKeyOpt = None
    timeout: TimeoutOpt = None
    debug: DebugOpt = False


@dataclass(frozen=True)
class SamplingOptions:
    """What is asked of the model: every command that sends a prompt takes this group."""

    model: ModelOpt = None
    system: SystemOpt = None
    temperature: TemperatureOpt = None
    top_p: TopPOpt = None
    max_tokens: MaxTokensOpt = None
    seed: SeedOpt = None
    think: ThinkOpt = None


@dataclass(frozen=True)
class RootOptions:
    """The options given before the command; `chat` (the default command) takes them all."""

    sampling: SamplingOptions = field(default_factory=SamplingOptions)
    thinking: ThinkingOpt = None
    panels: PanelsOpt = None
    endpoint: EndpointOptions = field(default_factory=EndpointOptions)
    max_time: MaxTimeOpt = None
    continue_: ContinueOpt = False
    session: SessionOpt = None
    retries: RetriesOpt = None
    tools: ToolsOpt = False
    functions: FunctionsOpt = None
    mcp: McpOpt = None
    yes_tools: YesToolsOpt = False
    role: RoleOpt = None

    @property
    def debug(self) -> bool:
        return self.endpoint.debug


def settings_flags(flags: Any) -> dict[str, Any]:
    """The flags of `flags` (a dataclass of them) that `load_settings` resolves."""
    return {name: value for name, value in flat(flags).items() if name in SETTINGS_FLAGS}


def request_options(flags: Any) -> RequestOptions:
    """The request choices among `flags` (a dataclass of them); those not there, the defaults."""
    from qwenchat.core.request import RequestOptions

    given = flat(flags)
    chosen = {f.name: given[f.name] for f in fields(RequestOptions) if f.name in given}
    if "stop" in chosen:
        chosen["stop"] = tuple(chosen["stop"] or ())
    if "no_stream" in given:
        chosen["stream"] = not given["no_stream"]
    return RequestOptions(**chosen)


# What a root option is when it was not given: a flag that is unset takes the root's value.
_ROOT_DEFAULTS = flat(RootOptions())


def root_options(ctx: typer.Context) -> RootOptions:
    """The options given before the command (all unset outside a run of the app)."""
    found = ctx.find_root().obj
    if isinstance(found, Environment) and isinstance(found.options, RootOptions):
        return found.options
    return RootOptions()


def with_root(ctx: typer.Context, **flags: Any) -> dict[str, Any]:
    """A command's flags, each unset one taken from the options given before the command

    (`qwenchat --region intl config` is `qwenchat config --region intl`).
    """
    root = flat(root_options(ctx))
    return {name: root[name] if _unset(name, value) else value for name, value in flags.items()}


def completed(ctx: typer.Context, flags: T) -> T:
    """`with_root` for a dataclass of flags: its root options (in its groups too) completed."""
    return _completed(flags, flat(root_options(ctx)))


def _completed(flags: T, root: dict[str, Any]) -> T:
    changes = {}
    for f in fields(flags):  # type: ignore[arg-type]
        value = getattr(flags, f.name)
        if is_group(value):
            changes[f.name] = _completed(value, root)
        elif _unset(f.name, value):
            changes[f.name] = root[f.name]
    return replace(flags, **changes)  # type: ignore[type-var]


def _unset(name: str, value: Any) -> bool:
    if name not in _ROOT_DEFAULTS:
        return False
    # `--no-think` (False) is a choice; `-c` not given (False) is not
    return value is None or (value is False and _ROOT_DEFAULTS[name] is False)


def one_conversation(continue_: bool, session: str | None) -> None:
    """`-c` and `--session` each name the conversation: both at once is a usage error."""
    if continue_ and session:
        from qwenchat.core.errors import UsageError

        raise UsageError("-c/--continue and --session both pick the conversation: give one")


def settings_for(ctx: typer.Context, *groups: Any, **flags: Any) -> Settings:
    """`settings_from` the flags of `groups` (dataclasses of flags) and `flags`, completed by

    the options before the command (every setting flag before the command, `--api-key`
    included, reaches every command).
    """
    from qwenchat.cli.settings_files import settings_from

    given = {name: value for group in groups for name, value in settings_flags(group).items()}
    return settings_from(**with_root(ctx, **{**dict.fromkeys(SETTINGS_FLAGS), **given, **flags}))
