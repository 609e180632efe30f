"""Choosing how a turn looks: Rich panels, plain text, one JSON document, numbered choices.

`TurnDisplay` is the one view the turn engine writes a whole turn to: a fresh renderer for each
round of the turn (panels do not span tool rounds), tool calls through a tool view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

from qwenchat.core.conversation import Outcome, ToolResult
from qwenchat.core.events import Event
from qwenchat.core.reply import Reply, Timing, ToolCall
from qwenchat.core.request import RequestOptions
from qwenchat.core.settings import Settings
from qwenchat.core.view import RoundView
from qwenchat.render.terminal import Terminal

OutputMode = Literal["auto", "plain", "json"]


class ToolPanels(Protocol):
    """Shows tool calls (`render.toolpanel`'s views)."""

    def call(self, call: ToolCall) -> None: ...

    def result(self, call: ToolCall, result: ToolResult) -> None: ...


class TurnDisplay:
    """A whole turn's view: one renderer per round, made when the round says its first word."""

    def __init__(
        self,
        renderers: Callable[[], RoundView],
        tools: ToolPanels | None = None,
        price: Callable[[Reply], Reply] | None = None,
    ) -> None:
        self._renderers = renderers
        self._tools = tools
        self._price = price  # gives each finished reply its cost before it is shown
        self._current: RoundView | None = None

    def _renderer(self) -> RoundView:
        if self._current is None:
            self._current = self._renderers()
        return self._current

    def notice(self, text: str) -> None:
        self._renderer().notice(text)

    def waiting(self) -> None:
        self._renderer().waiting()

    def event(self, event: Event) -> None:
        current = self._current  # the hot path: one renderer call per event
        (current or self._renderer()).event(event)

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        renderer, self._current = self._renderer(), None
        renderer.finish(self._price(reply) if self._price else reply, timing, outcome)

    def tool_call(self, call: ToolCall) -> None:
        if self._tools is not None:
            self._tools.call(call)

    def tool_result(self, call: ToolCall, result: ToolResult) -> None:
        if self._tools is not None:
            self._tools.result(call, result)


class FinalRoundOnly:
    """A renderer that finishes only the turn's last round (for one `--json` document)."""

    def __init__(self, inner: RoundView) -> None:
        self._inner = inner

    def notice(self, text: str) -> None:
        self._inner.notice(text)

    def waiting(self) -> None:
        self._inner.waiting()

    def event(self, event: Event) -> None:
        self._inner.event(event)

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        if outcome != "ok" or not reply.tool_calls:
            self._inner.finish(reply, timing, outcome)


def rich_output(terminal: Terminal, output: OutputMode) -> bool:
    """Rich panels: on a terminal, unless plain text or JSON was asked for."""
    return output == "auto" and terminal.stdout_is_tty


def ask_display(
    settings: Settings,
    terminal: Terminal,
    output: OutputMode,
    request: RequestOptions,
    *,
    tools: bool = False,
    price: Callable[[Reply], Reply] | None = None,
    extract: bool = False,
) -> TurnDisplay:
    """`ask`'s view: panels on a terminal, the answer alone when piped, JSON with --json, the
    answer's fenced code alone with `extract` (`-x`)."""

    def renderer() -> RoundView:
        made = (
            _code_only(terminal) if extract else make_renderer(settings, terminal, output, request)
        )
        if (request.n or 1) > 1:
            from qwenchat.render.choices import NumberedChoices

            made = NumberedChoices(made)
        return FinalRoundOnly(made) if tools and output == "json" else made

    panels: ToolPanels | None = None
    if tools:
        from qwenchat.render.toolpanel import PlainToolView, RichToolView

        panels = (
            RichToolView(terminal.console(), terminal.console(stderr=True), boxed=settings.panels)
            if rich_output(terminal, output) and not extract
            else PlainToolView(terminal.output)
        )
    return TurnDisplay(renderer, panels, price)


def _code_only(terminal: Terminal) -> RoundView:
    """`-x`: the code at the end; meanwhile the progress line when stderr is a terminal."""
    from qwenchat.render.extract import CodeOnly

    code = CodeOnly(terminal.output)
    if not terminal.stderr_is_tty:
        return code
    from qwenchat.render.progress_line import StderrProgress

    return StderrProgress(code, terminal.output, reasoning_shown=False)


def make_renderer(
    settings: Settings, terminal: Terminal, output: OutputMode, request: RequestOptions
) -> RoundView:
    """Rich panels on a terminal; the answer alone on stdout otherwise."""
    if output == "json":
        from qwenchat.render.json_renderer import JsonRenderer

        return JsonRenderer(terminal.output, model=settings.model)
    if not rich_output(terminal, output):
        from qwenchat.render.plain import PlainRenderer

        shown = settings.thinking_display != "hide"
        plain = PlainRenderer(
            terminal.output, show_reasoning=shown,
            buffered=not request.stream, label_reasoning=output == "plain",
        )  # fmt: skip
        if terminal.stderr_is_tty and not terminal.stdout_is_tty:
            from qwenchat.render.progress_line import StderrProgress, regular_file

            to_file = regular_file(terminal.stdout)
            return StderrProgress(plain, terminal.output, reasoning_shown=shown, to_file=to_file)
        return plain
    from qwenchat.render.rich_renderer import RichRenderer

    return RichRenderer(
        terminal.console(),
        terminal.console(stderr=True),
        thinking_display=settings.thinking_display,
        panels=settings.panels,
    )
