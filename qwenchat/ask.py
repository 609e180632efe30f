"""`qwenchat ask`: one prompt, one streamed answer, an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from qwenchat.conversation import Conversation
from qwenchat.errors import EXIT_OK
from qwenchat.render.base import Renderer
from qwenchat.request import RequestOptions, validate
from qwenchat.settings import Settings
from qwenchat.terminal import Terminal, join_prompt

if TYPE_CHECKING:
    from qwenchat.session import EventSource, TurnResult
    from qwenchat.toolloop import ToolSession
    from qwenchat.tools.setup import ToolOptions

Output = Literal["auto", "plain", "json"]


@dataclass(frozen=True)
class AskOptions:
    prompt: str | None
    request: RequestOptions
    output: Output = "auto"
    tools: ToolOptions | None = None


def run_ask(settings: Settings, terminal: Terminal, options: AskOptions) -> int:
    """Answer once; returns the exit code, raises QwenchatError before anything is sent."""
    validate(options.request)
    text = join_prompt(options.prompt, terminal.read_piped())
    return answer_once(settings, terminal, text, options)


def answer_once(settings: Settings, terminal: Terminal, text: str, options: AskOptions) -> int:
    """Send `text` as a one-turn conversation and render the reply."""
    from qwenchat.client import ChatClient

    tools = _tool_session(settings, terminal, options)
    client = ChatClient(settings)
    try:
        result = _answer(client, text, tools, settings, terminal, options)
    finally:
        client.close()
    if result.error is not None:
        raise result.error
    return EXIT_OK


def _answer(
    client: EventSource,
    text: str,
    tools: ToolSession | None,
    settings: Settings,
    terminal: Terminal,
    options: AskOptions,
) -> TurnResult:
    from qwenchat.session import run_turn

    conversation = Conversation(system=settings.system)
    if tools is None:
        renderer = make_renderer(settings, terminal, options)
        return run_turn(
            client, conversation, text, model=settings.model, options=options.request,
            renderer=renderer,
        )  # fmt: skip
    from qwenchat.toolloop import FinalRoundOnly, run_tool_turn

    def renderer_for_round() -> Renderer:
        renderer = make_renderer(settings, terminal, options)
        return FinalRoundOnly(renderer) if options.output == "json" else renderer

    return run_tool_turn(
        client, conversation, text, model=settings.model, options=options.request,
        renderers=renderer_for_round, tools=tools,
    )  # fmt: skip


def _tool_session(
    settings: Settings, terminal: Terminal, options: AskOptions
) -> ToolSession | None:
    """The tools for this answer, or None without --tools (a bad --functions file fails here)."""
    if options.tools is None or not options.tools.wanted:
        return None
    from pathlib import Path

    from qwenchat.tools.setup import ask_session, load_toolset

    toolset = load_toolset(settings, options.tools, Path.cwd())
    rich = options.output == "auto" and terminal.stdout_is_tty
    return ask_session(settings, terminal, options.tools, toolset, rich=rich)


def make_renderer(settings: Settings, terminal: Terminal, options: AskOptions) -> Renderer:
    """Rich panels on a terminal; the answer alone on stdout otherwise."""
    if options.output == "json":
        from qwenchat.render.jsonout import JsonRenderer

        return JsonRenderer(terminal.stdout, terminal.stderr, model=settings.model)
    if options.output == "plain" or not terminal.stdout_is_tty:
        from qwenchat.render.plain import PlainRenderer

        return PlainRenderer(
            terminal.stdout,
            terminal.stderr,
            show_reasoning=settings.thinking != "hide",
            buffered=not options.request.stream,
        )
    from qwenchat.render.styled import RichRenderer

    return RichRenderer(
        terminal.console(), terminal.console(stderr=True), thinking=settings.thinking
    )
