"""A turn shown in the page: the engine's view that sends each event as Server-Sent Events.

Every frame is `data: {json}`; the stream ends with `data: [DONE]`. Text from the model or a
server passes `core.sanitize` (control characters and escape sequences removed) and has the key
taken out before it is written; no raw error body is ever sent, only the error's one line.

Stop (the page's button, or the page going away) ends the reply the way Ctrl-C does in the
terminal: the next event raises KeyboardInterrupt inside the engine, which keeps the partial
reply and finishes the turn as interrupted.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from qwenchat.core.conversation import Outcome, ToolResult
from qwenchat.core.cost import cost_text
from qwenchat.core.events import AnswerDelta, Event, ReasoningDelta
from qwenchat.core.redact import redact
from qwenchat.core.reply import Reply, Timing, ToolCall, usage_line
from qwenchat.core.sanitize import Sanitizer, sanitize

Write = Callable[[bytes], None]
STATUS = {"ok": "finished", "interrupted": "stopped", "incomplete": "error", "error": "error"}


class KeyFilter:
    """Streaming `redact`: the key is masked even when the model's deltas split it.

    The longest end of the text so far that could begin a quote of the key (a piece of it) is
    held back until the next delta shows whether it is one; `flush` releases it at the end.
    """

    def __init__(self, key: str | None) -> None:
        self._key, self._held = key or "", ""

    def feed(self, text: str) -> str:
        if not self._key:
            return text
        pending = self._held + text
        keep = next(
            (n for n in range(min(len(self._key), len(pending)), 0, -1)
             if pending[-n:] in self._key),
            0,
        )  # fmt: skip
        self._held = pending[len(pending) - keep :]
        return redact(pending[: len(pending) - keep], self._key)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return redact(held, self._key)


class SseView:
    """The `TurnView` of one turn in the page."""

    def __init__(self, write: Write, key: str | None) -> None:
        self._write, self._key = write, key
        self.stop = threading.Event()
        self.price: Callable[[Reply], Reply] = lambda reply: reply
        self._answer, self._reasoning = Sanitizer(), Sanitizer()
        self._keys = {"answer": KeyFilter(key), "reasoning": KeyFilter(key)}
        self._status = ""
        self.gone = False

    def send(self, **frame: Any) -> None:
        """One frame; never raises (a closed page sets `stop`)."""
        if self.gone:
            return
        text = redact(json.dumps(frame, ensure_ascii=False), self._key)
        try:
            self._write(f"data: {text}\n\n".encode())
        except OSError:
            self.gone = True
            self.stop.set()

    def done(self) -> None:
        if not self.gone:
            try:
                self._write(b"data: [DONE]\n\n")
            except OSError:
                self.gone = True

    def _say_status(self, status: str) -> None:
        if status != self._status:
            self._status = status
            self.send(type="status", status=status)

    # the engine's view
    def notice(self, text: str) -> None:
        self.send(type="notice", text=sanitize(text))

    def waiting(self) -> None:
        self._say_status("waiting")

    def event(self, event: Event) -> None:
        if self.stop.is_set():
            raise KeyboardInterrupt  # the engine ends the turn, keeping what arrived
        if isinstance(event, ReasoningDelta):
            self._say_status("thinking")
            self._text("reasoning", self._reasoning.feed(event.text))
        elif isinstance(event, AnswerDelta):
            self._say_status("generating")
            self._text("answer", self._answer.feed(event.text))

    def _text(self, kind: str, text: str, *, last: bool = False) -> None:
        keys = self._keys[kind]
        text = keys.feed(text) + (keys.flush() if last else "")
        if text:
            self.send(type=kind, text=text)

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        self._text("reasoning", self._reasoning.flush(), last=True)
        self._text("answer", self._answer.flush(), last=True)
        priced = self.price(reply)
        cost = cost_text(priced.cost) if priced.cost is not None else None
        self.send(
            type="finish", status=STATUS.get(outcome, "error"),
            usage=usage_line(priced, timing), cost=cost,
        )  # fmt: skip
        self._status = ""

    # tools are off in the page: the tool views are never called, but the protocol has them
    def tool_call(self, call: ToolCall) -> None:
        return None

    def tool_result(self, call: ToolCall, result: ToolResult) -> None:
        return None
