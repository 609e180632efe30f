"""`qwenchat ask`: one prompt, one streamed answer, an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qwenchat.conversation import Conversation
from qwenchat.errors import EXIT_OK
from qwenchat.render.base import Renderer
from qwenchat.request import RequestOptions, validate
from qwenchat.settings import Settings
from qwenchat.terminal import Terminal, join_prompt

Output = Literal["auto", "plain", "json"]


@dataclass(frozen=True)
class AskOptions:
    prompt: str | None
    request: RequestOptions
    output: Output = "auto"


def run_ask(settings: Settings, terminal: Terminal, options: AskOptions) -> int:
    """Answer once; returns the exit code, raises QwenchatError before anything is sent."""
    validate(options.request)
    text = join_prompt(options.prompt, terminal.read_piped())
    return answer_once(settings, terminal, text, options)


def answer_once(settings: Settings, terminal: Terminal, text: str, options: AskOptions) -> int:
    """Send `text` as a one-turn conversation and render the reply."""
    from qwenchat.client import ChatClient
    from qwenchat.models import catalogue_from
    from qwenchat.session import run_turn

    client = ChatClient(settings)
    try:
        result = run_turn(
            client,
            Conversation(system=settings.system),
            text,
            model=settings.model,
            options=options.request,
            renderer=make_renderer(settings, terminal, options),
            catalogue=catalogue_from(settings.model_overrides),
        )
    finally:
        client.close()
    if result.error is not None:
        raise result.error
    return EXIT_OK


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
