"""Every command-line option, declared once, and the options given before the command.

Each option is an `Annotated` alias used by every command that takes it. The options before
the command (`qwenchat --region intl config`) become one `RootOptions`, the root's context
object; `with_root` completes a command's own flags with them, so that line means
`qwenchat config --region intl`. A dataclass whose fields are these aliases can stand for a
command's options (`cli.takes_options`): Typer sees one option per field, the command one value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from qwenchat import __version__
from qwenchat.cli import completion as complete
from qwenchat.cli.environment import Environment, environment

if TYPE_CHECKING:
    from qwenchat.core.settings import Settings
    from qwenchat.tools.setup import ToolOptions

T = TypeVar("T")


def _show_version(ctx: typer.Context, value: bool) -> None:
    if value:
        environment(ctx).output.out(f"qwenchat {__version__}\n")
        raise typer.Exit()


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
    bool, typer.Option("-c", "--continue", help="Continue the most recent conversation.")
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
    list[str] | None,
    typer.Option(
        "--mcp", metavar="NAME",
        help="Offer the tools of this MCP server from config.toml (repeatable; all: every one).",
    ),
]  # fmt: skip
YesToolsOpt = Annotated[
    bool, typer.Option("--yes-tools", help="Run tool calls without asking (for scripts).")
]
DebugOpt = Annotated[
    bool,
    typer.Option(
        "--debug",
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
JsonOutputOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
PlainOpt = Annotated[bool, typer.Option("--plain", help="Plain text, no panels.")]
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
AddTurnOpt = Annotated[
    bool, typer.Option("-c", "--continue", help="Add this turn to the last conversation.")
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

# The settings a flag may set (`core.settings` resolves them with the other layers).
SETTINGS_FLAGS = (
    "model", "system", "thinking", "region", "base_url", "timeout", "max_time", "retries",
    "api_key", "panels",
)  # fmt: skip
KEY_WARNING = (
    "warning: --api-key lands in your shell history; "
    "prefer DASHSCOPE_API_KEY in the environment or a .env file"
)


@dataclass(frozen=True)
class RootOptions:
    """The options given before the command; `chat` (the default command) takes them all."""

    model: ModelOpt = None
    system: SystemOpt = None
    think: ThinkOpt = None
    thinking: ThinkingOpt = None
    panels: PanelsOpt = None
    region: RegionOpt = None
    base_url: BaseUrlOpt = None
    timeout: TimeoutOpt = None
    max_time: MaxTimeOpt = None
    continue_: ContinueOpt = False
    session: SessionOpt = None
    retries: RetriesOpt = None
    tools: ToolsOpt = False
    functions: FunctionsOpt = None
    mcp: McpOpt = None
    yes_tools: YesToolsOpt = False
    profile: ProfileOpt = None
    debug: DebugOpt = False
    api_key: ApiKeyOpt = None
    role: RoleOpt = None

    def settings_flags(self) -> dict[str, Any]:
        """The flags `load_settings` resolves, `--profile` included."""
        return {name: getattr(self, name) for name in (*SETTINGS_FLAGS, "profile")}

    def tool_options(self) -> ToolOptions | None:
        """The tool flags, or None when none was given (the tool modules then stay unloaded)."""
        return tool_options(self.tools, self.functions, self.yes_tools, self.mcp)


def tool_options(
    tools: bool, functions: Path | None, yes: bool, mcp: list[str] | None = None
) -> ToolOptions | None:
    if not (tools or functions or yes or mcp):
        return None
    from qwenchat.tools.setup import ToolOptions

    return ToolOptions(enabled=tools, functions=functions, yes=yes, mcp=tuple(mcp or ()))


# What a root option is when it was not given: a flag that is unset takes the root's value.
_ROOT_DEFAULTS = {f.name: f.default for f in fields(RootOptions)}


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
    root = root_options(ctx)
    return {
        name: getattr(root, name) if _unset(name, value) else value for name, value in flags.items()
    }


def completed(ctx: typer.Context, flags: T) -> T:
    """`with_root` for a dataclass of flags: its root options completed by the root's."""
    shared = {name: getattr(flags, name) for name in _ROOT_DEFAULTS if hasattr(flags, name)}
    return replace(flags, **with_root(ctx, **shared))  # type: ignore[type-var]


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


def settings_from(**flags: Any) -> Settings:
    """Settings for a command: its flags over the environment, `.env` files and config."""
    from qwenchat.cli.settings_files import read_files
    from qwenchat.core.config_keys import config_warnings
    from qwenchat.core.settings import resolve_settings

    if flags.get("api_key"):
        _warn_once(KEY_WARNING)
    files = read_files(os.environ, Path.cwd())
    settings = resolve_settings(flags, os.environ, files)
    for line in config_warnings(files.config, str(files.config_path)):
        _warn_once(f"warning: {line}")
    from qwenchat.core.dotenv_note import dotenv_note

    if note := dotenv_note(settings, files.directory):
        _warn_once(note)
    return settings


_warned: set[str] = set()


def forget_warnings() -> None:
    """A new run of the app warns again."""
    _warned.clear()


def _warn_once(line: str) -> None:
    if line not in _warned:
        from qwenchat.render.terminal import Terminal

        _warned.add(line)
        Terminal.system().output.notice(line)


def settings_for(ctx: typer.Context, **flags: Any) -> Settings:
    """`settings_from` with the command's flags completed by the options before the command

    (every setting flag before the command, `--api-key` included, reaches every command).
    """
    return settings_from(**with_root(ctx, **{**dict.fromkeys(SETTINGS_FLAGS), **flags}))
