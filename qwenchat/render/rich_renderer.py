"""Rich output for a terminal: a dim Thinking panel, an Answer panel, a usage line."""

from __future__ import annotations

import time

from rich.console import Console
from rich.text import Text

from qwenchat.core.conversation import Outcome
from qwenchat.core.events import AnswerDelta, AnswerWasReasoning, Event, ReasoningDelta
from qwenchat.core.reply import Reply, Timing, usage_line
from qwenchat.core.sanitize import Sanitizer
from qwenchat.core.settings import ThinkingDisplay
from qwenchat.render.base import OUTCOME_NOTES
from qwenchat.render.panels import MarkdownPanel, TextPanel
from qwenchat.render.waiting import WaitingStatus


class RichRenderer:
    """Streams panels into the scrollback; only unfinished text lives in a small Live."""

    def __init__(
        self,
        console: Console,
        err_console: Console,
        *,
        thinking: ThinkingDisplay = "full",
        live: bool = True,
    ) -> None:
        self._console = console
        self._err = err_console
        self._thinking_mode = thinking
        self._live = live
        self._thinking: TextPanel | None = None
        self._answer: MarkdownPanel | None = None
        self._thinking_started: float | None = None
        self._reasoning_clean = Sanitizer()
        self._answer_clean = Sanitizer()
        self._waiting = WaitingStatus(err_console, enabled=live)

    def notice(self, text: str) -> None:
        self._err.print(Text(f"qwenchat: {text}", style="yellow"))

    def waiting(self) -> None:
        self._waiting.start("waiting for the reply")

    def event(self, event: Event) -> None:
        if self._waiting.active:
            self._wait_or_stop(event)
        if isinstance(event, AnswerDelta):
            text = self._answer_clean.feed(event.text)
            if text:
                self._answer_panel().feed(text)
        elif isinstance(event, ReasoningDelta) and self._thinking_mode != "hide":
            text = self._reasoning_clean.feed(event.text)
            if text and self._answer is None:
                self._thinking_panel().feed(text)
        elif isinstance(event, AnswerWasReasoning) and self._answer is not None:
            tail = self._answer_clean.flush()  # the text shown so far: re-labelled as thinking
            if tail:
                self._answer.feed(tail)
            self._answer.close("that was the model's thinking; the answer follows")
            self._answer = None

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        self._waiting.stop()
        note = OUTCOME_NOTES[outcome]
        if self._answer is None:
            self._close_thinking(note)
            if outcome == "ok" and not reply.tool_calls:
                self._answer_panel().feed("*(empty answer)*")
        if self._answer is not None:
            tail = self._answer_clean.flush()
            if tail:
                self._answer.feed(tail)
            self._answer.close(note)
        if not (reply.tool_calls and outcome == "ok"):  # a tool round: the tool panels follow
            self._console.print(Text(usage_line(reply, timing), style="dim"))

    def _wait_or_stop(self, event: Event) -> None:
        """Hidden reasoning keeps the elapsed-time line up; anything shown ends it."""
        if isinstance(event, ReasoningDelta) and self._thinking_mode == "hide":
            self._waiting.relabel("thinking")
        elif isinstance(event, (AnswerDelta, ReasoningDelta)):
            self._waiting.stop()

    def _thinking_panel(self) -> TextPanel:
        if self._thinking is None:
            self._thinking_started = time.monotonic()
            summary = self._thinking_mode == "summary"
            self._thinking = TextPanel(
                self._console, mode="summary" if summary else "full", live=self._live
            )
        return self._thinking

    def _answer_panel(self) -> MarkdownPanel:
        if self._answer is None:
            self._close_thinking(None)
            self._answer = MarkdownPanel(self._console, live=self._live)
        return self._answer

    def _close_thinking(self, note: str | None) -> None:
        if self._thinking is None or self._thinking_started is None:
            return
        tail = self._reasoning_clean.flush()
        if tail:
            self._thinking.feed(tail)
        seconds = time.monotonic() - self._thinking_started
        self._thinking.close(summary=f"Thought for {seconds:.1f} s", note=note)
        self._thinking_started = None
