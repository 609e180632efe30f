"""The command line: `qwenchat` (REPL), `ask`, `config`, `models`, `doctor`, `sessions`,
`batch`.

Every command is wrapped by `boundary.reports_errors`, the one place where errors become
messages and exit codes: 0 ok, 1 API or network failure, 2 usage or configuration error,
130 interrupted.
Heavy modules (the openai SDK, Rich, prompt-toolkit) are imported inside the
commands that need them, so `--version`, `--help` and `config` start fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qwenchat import __version__
from qwenchat.cli.batch import batch_app
from qwenchat.cli.boundary import reports_errors, settings_for, settings_from, with_root
from qwenchat.cli.sessions import sessions_app
from qwenchat.cli.usage import usage as usage_command
from qwenchat.core.errors import EXIT_INTERRUPTED
from qwenchat.core.settings import Settings
from qwenchat.render.terminal import Terminal

if TYPE_CHECKING:
    from qwenchat.tools.setup import ToolOptions

app = typer.Typer(
    name="qwenchat",
    help="Chat with Qwen models from the terminal (DashScope or any OpenAI-compatible server).",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

app.add_typer(sessions_app, name="sessions")
app.add_typer(batch_app, name="batch")
app.command("usage")(usage_command)


ModelOpt = Annotated[
    str | None,
    typer.Option("-m", "--model", metavar="NAME", help="Model name (default qwen-plus)."),
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
        "--region", metavar="cn|intl", help="DashScope region: cn (Beijing, default) or intl."
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
        "--profile", metavar="NAME", help="Use a [profiles.NAME] table from the config file."
    ),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout", metavar="SECONDS", help="Seconds to wait for the next chunk (default 120)."
    ),
]
ContinueOpt = Annotated[
    bool, typer.Option("-c", "--continue", help="Continue the most recent conversation.")
]
SessionOpt = Annotated[
    str | None,
    typer.Option("--session", metavar="NAME", help="Open or create the conversation NAME."),
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
YesToolsOpt = Annotated[
    bool, typer.Option("--yes-tools", help="Run tool calls without asking (for scripts).")
]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"qwenchat {__version__}\n")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    model: ModelOpt = None,
    system: SystemOpt = None,
    think: ThinkOpt = None,
    thinking: ThinkingOpt = None,
    region: RegionOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    continue_: ContinueOpt = False,
    session: SessionOpt = None,
    retries: RetriesOpt = None,
    tools: ToolsOpt = False,
    functions: FunctionsOpt = None,
    yes_tools: YesToolsOpt = False,
    profile: ProfileOpt = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """With no command, open the interactive chat."""
    ctx.obj = {
        "model": model, "system": system, "think": think, "thinking": thinking,
        "region": region, "base_url": base_url, "timeout": timeout, "retries": retries,
        "continue": continue_, "session": session, "profile": profile,
    }  # fmt: skip
    ctx.obj.update(tools=tools, functions=functions, yes_tools=yes_tools)
    if ctx.invoked_subcommand is None:
        ctx.invoke(chat, ctx=ctx)


@app.command()
@reports_errors
def chat(
    ctx: typer.Context,
    model: ModelOpt = None,
    system: SystemOpt = None,
    think: ThinkOpt = None,
    thinking: ThinkingOpt = None,
    region: RegionOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    continue_: ContinueOpt = False,
    session: SessionOpt = None,
    retries: RetriesOpt = None,
    tools: ToolsOpt = False,
    functions: FunctionsOpt = None,
    yes_tools: YesToolsOpt = False,
    profile: ProfileOpt = None,
) -> None:
    """Open the interactive chat (the default command)."""
    flags = with_root(
        ctx, model=model, system=system, thinking=thinking, region=region, base_url=base_url,
        timeout=timeout, retries=retries, profile=profile,
    )  # fmt: skip
    base = ctx.obj or {}
    settings = settings_from(**flags)
    from qwenchat.chat.repl import run_repl

    def reload(name: str) -> Settings:
        return settings_from(**{**flags, "profile": name})

    run_repl(
        settings,
        Terminal.system(),
        think=think if think is not None else base.get("think"),
        continue_last=continue_ or bool(base.get("continue")),
        session=session or base.get("session"),
        tools=_tool_options(base, tools, functions, yes_tools),
        reload=reload,
    )


@app.command()
@reports_errors
def ask(
    ctx: typer.Context,
    prompt: Annotated[
        str | None, typer.Argument(help="The prompt; piped stdin is appended.")
    ] = None,
    model: ModelOpt = None,
    system: SystemOpt = None,
    think: ThinkOpt = None,
    thinking: ThinkingOpt = None,
    hide_thinking: Annotated[
        bool, typer.Option("--hide-thinking", help="Do not show reasoning.")
    ] = False,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature, [0, 2).")] = None,
    top_p: Annotated[
        float | None, typer.Option("--top-p", help="Nucleus sampling, (0, 1].")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", metavar="N", help="Cap on answer tokens.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (unsigned 64-bit).")] = None,
    stop: Annotated[
        list[str] | None, typer.Option(metavar="TEXT", help="Stop sequence (repeatable).")
    ] = None,
    presence_penalty: Annotated[
        float | None, typer.Option("--presence-penalty", help="Repetition control, [-2, 2].")
    ] = None,
    thinking_budget: Annotated[
        int | None,
        typer.Option(
            "--thinking-budget", metavar="N", help="Cap on reasoning tokens (turns thinking on)."
        ),
    ] = None,
    choices: Annotated[
        int | None, typer.Option("-n", help="Answers to return, 1–4 (qwen-plus), numbered.")
    ] = None,
    json_mode: Annotated[
        bool, typer.Option("--json-mode", help="Ask for a JSON object (response_format).")
    ] = False,
    search: Annotated[
        bool, typer.Option("--search", help="Let DashScope search the web (enable_search).")
    ] = False,
    no_stream: Annotated[
        bool, typer.Option("--no-stream", help="Print the answer when complete.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plain: Annotated[bool, typer.Option("--plain", help="Plain text, no panels.")] = False,
    region: RegionOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    continue_: Annotated[
        bool, typer.Option("-c", "--continue", help="Add this turn to the last conversation.")
    ] = False,
    session: SessionOpt = None,
    cache: Annotated[
        bool, typer.Option("--cache", help="Reuse a saved answer to an identical request.")
    ] = False,
    cache_thinking: Annotated[
        bool, typer.Option("--cache-thinking", help="--cache, thinking-mode requests included.")
    ] = False,
    retries: RetriesOpt = None,
    tools: ToolsOpt = False,
    functions: FunctionsOpt = None,
    yes_tools: YesToolsOpt = False,
    tool_rounds: Annotated[
        int | None,
        typer.Option("--tool-rounds", metavar="N", help="Most tool rounds per answer (default 8)."),
    ] = None,
    profile: ProfileOpt = None,
) -> None:
    """Answer one prompt and exit. `cat notes.md | qwenchat ask "summarise"` works too."""
    from qwenchat.core.request import RequestOptions
    from qwenchat.engine.ask import AskOptions, Output, run_ask

    base = ctx.obj or {}
    settings = settings_for(
        ctx, model=model, system=system, thinking="hide" if hide_thinking else thinking,
        region=region, base_url=base_url, timeout=timeout, retries=retries,
        tool_rounds=tool_rounds, profile=profile,
    )  # fmt: skip
    request = RequestOptions(
        temperature=temperature, top_p=top_p, presence_penalty=presence_penalty,
        max_tokens=max_tokens, seed=seed, stop=tuple(stop or ()),
        think=think if think is not None else base.get("think"), stream=not no_stream,
        thinking_budget=thinking_budget, n=choices, json_mode=json_mode, search=search,
    )  # fmt: skip
    output: Output = "json" if json_output else ("plain" if plain else "auto")
    options = AskOptions(
        prompt, request, output,
        continue_last=continue_ or bool(base.get("continue")),
        session=session or base.get("session"), cache=cache, cache_thinking=cache_thinking,
        tools=_tool_options(base, tools, functions, yes_tools),
    )  # fmt: skip
    code = run_ask(settings, Terminal.system(), options)
    raise typer.Exit(code)


@app.command()
@reports_errors
def config(
    ctx: typer.Context,
    model: ModelOpt = None,
    region: RegionOpt = None,
    base_url: BaseUrlOpt = None,
    timeout: TimeoutOpt = None,
    profile: ProfileOpt = None,
) -> None:
    """Show the effective settings and where each came from (the key masked)."""
    settings = settings_for(
        ctx, model=model, region=region, base_url=base_url, timeout=timeout, profile=profile
    )
    rows = [
        ("profile", settings.profile or "(none)", settings.source("profile")),
        ("api key", settings.masked_key, settings.source("api_key")),
        ("base url", settings.base_url, settings.source("base_url")),
        ("region", settings.region, settings.source("region")),
        ("model", settings.model, settings.source("model")),
        ("timeout", f"{settings.timeout:g} s", settings.source("timeout")),
        ("retries", str(settings.retries), settings.source("retries")),
        ("system", settings.system or "(none)", settings.source("system")),
        ("thinking", settings.thinking, settings.source("thinking")),
        ("tool rounds", str(settings.tool_rounds), settings.source("tool_rounds")),
        ("approved tools", ", ".join(settings.approved_tools) or "(none)",
         settings.source("approved_tools")),
        ("config file", str(settings.config_path),
         "exists" if settings.config_path.is_file() else "not found"),
        ("data dir", str(settings.data_dir), ""),
        ("context window", f"{settings.context_window:,}" if settings.context_window
         else "per model", settings.source("context_window")),
    ]  # fmt: skip
    width = max(len(name) for name, _, _ in rows)
    for name, value, source in rows:
        suffix = f"  ({source})" if source else ""
        sys.stdout.write(f"{name:<{width}}  {value}{suffix}\n")


def _tool_options(
    base: dict[str, Any], tools: bool, functions: Path | None, yes_tools: bool
) -> ToolOptions | None:
    """The tool flags, or None when none was given (the tool modules then stay unloaded)."""
    enabled = tools or bool(base.get("tools"))
    functions = functions or base.get("functions")
    yes = yes_tools or bool(base.get("yes_tools"))
    if not (enabled or functions or yes):
        return None
    from qwenchat.tools.setup import ToolOptions

    return ToolOptions(enabled=enabled, functions=functions, yes=yes)


@app.command()
@reports_errors
def models(
    ctx: typer.Context,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    region: RegionOpt = None,
    base_url: BaseUrlOpt = None,
    profile: ProfileOpt = None,
) -> None:
    """List the models qwenchat knows, merged with the server's list, with capabilities."""
    from qwenchat.render import model_table as catalogue_cmd

    settings = settings_for(ctx, region=region, base_url=base_url, profile=profile)
    served = catalogue_cmd.served_models(settings)
    rows = catalogue_cmd.with_prices(catalogue_cmd.model_rows(settings.catalogue, served), settings)
    if json_output:
        sys.stdout.write(catalogue_cmd.as_json(rows) + "\n")
    else:
        sys.stdout.write(catalogue_cmd.as_table(rows, served=served is not None))


@app.command()
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
    from qwenchat.core.settings import REGION_URLS
    from qwenchat.net import doctor as checks

    def load() -> Settings:
        return settings_for(
            ctx, model=model, region=region, base_url=base_url, timeout=timeout, profile=profile
        )

    found = checks.diagnose(load, environ=os.environ, region_urls=REGION_URLS)
    raise typer.Exit(checks.report(found, _write_out))


def _write_out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def main() -> None:
    """Console-script entry point; a command-line mistake is one line too, exit 2."""
    try:
        code = app(prog_name="qwenchat", standalone_mode=False)
    except _command_line_error() as exc:  # unknown option, missing or malformed value
        context = getattr(exc, "ctx", None)
        see = f" (see {context.command_path} --help)" if context is not None else ""
        message = exc.format_message()  # type: ignore[attr-defined]
        sys.stderr.write(f"qwenchat: error: {message}{see}\n")
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except typer.Abort:
        sys.stderr.write("qwenchat: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


def _command_line_error() -> type[Exception]:
    """Click's ClickException, wherever this Typer keeps its Click (vendored or not)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
