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
        thinking_display: ThinkingDisplay = "full",
        live: bool = True,
        panels: bool = True,
        answer_title: str = "Answer",
    ) -> None:
        self._console = console
        self._answer_title = answer_title  # "Summary" for a /compress summary
        self._err = err_console
        self._thinking_display = thinking_display
        self._live = live
        self._boxed = panels  # False: no borders, code a mouse can copy (`--no-panels`)
        self._reasoning: TextPanel | None = None
        self._answer: MarkdownPanel | None = None
        self._reasoning_started: float | None = None
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
        elif isinstance(event, ReasoningDelta) and self._thinking_display != "hide":
            text = self._reasoning_clean.feed(event.text)
            if text and self._answer is None:
                self._reasoning_panel().feed(text)
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
            self._close_reasoning(note)
            if outcome == "ok" and not reply.tool_calls:
                self._answer_panel().feed("*(empty answer)*")
        if self._answer is not None:
            tail = self._answer_clean.flush()
            if tail:
                self._answer.feed(tail)
            self._answer.close(note)
        # a tool round: the tool panels follow; nothing came back: the error says it all
        if reply.arrived and not (reply.tool_calls and outcome == "ok"):
            self._console.print(Text(usage_line(reply, timing), style="dim"))

    def _wait_or_stop(self, event: Event) -> None:
        """Hidden reasoning keeps the elapsed-time line up; anything shown ends it."""
        if isinstance(event, ReasoningDelta) and self._thinking_display == "hide":
            self._waiting.relabel("thinking")
        elif isinstance(event, (AnswerDelta, ReasoningDelta)):
            self._waiting.stop()

    def _reasoning_panel(self) -> TextPanel:
        if self._reasoning is None:
            self._reasoning_started = time.monotonic()
            summary = self._thinking_display == "summary"
            self._reasoning = TextPanel(
                self._console,
                mode="summary" if summary else "full",
                live=self._live,
                boxed=self._boxed,
            )
        return self._reasoning

    def _answer_panel(self) -> MarkdownPanel:
        if self._answer is None:
            self._close_reasoning(None)
            self._answer = MarkdownPanel(
                self._console, title=self._answer_title, live=self._live, boxed=self._boxed
            )
        return self._answer

    def _close_reasoning(self, note: str | None) -> None:
        if self._reasoning is None or self._reasoning_started is None:
            return
        tail = self._reasoning_clean.flush()
        if tail:
            self._reasoning.feed(tail)
        seconds = time.monotonic() - self._reasoning_started
        self._reasoning.close(summary=f"Thought for {seconds:.1f} s", note=note)
        self._reasoning_started = None
