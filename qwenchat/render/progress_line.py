"""`ask … > answer.md` at a terminal: a progress line on stderr while the answer is written.

When stdout is a file and stderr a terminal, the answer itself is not seen; one line on stderr
says it is coming: `qwenchat: writing the answer · 3.2 s · 412 chunks`, redrawn a few times a
second and erased when the turn ends (before anything else is written to stderr: reasoning,
notices, the usage line).

When stdout is a pipe (`ask … | cat`, `| less`), what reads it may well show the answer on the
same terminal: the line is only drawn while nothing of the answer has been written (hidden
thinking), and erased before the answer's first byte, never to come back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from qwenchat.core.conversation import Outcome
from qwenchat.core.events import AnswerDelta, Event, ReasoningDelta
from qwenchat.core.reply import Reply, Timing
from qwenchat.core.view import RoundView
from qwenchat.render.output import Output

REDRAW = 0.1  # seconds between redraws


class StderrProgress:
    """Wraps the plain renderer; draws elapsed time and pieces received on stderr."""

    def __init__(
        self,
        inner: RoundView,
        output: Output,
        *,
        reasoning_shown: bool,
        to_file: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner, self._output, self._clock = inner, output, clock
        self._reasoning_shown = reasoning_shown
        self._to_file = to_file
        self._answering = False  # the answer has started (on a pipe: no more drawing)
        self._started = clock()
        self._drawn_at = -REDRAW
        self._pieces = 0
        self._shown = False

    def notice(self, text: str) -> None:
        self._erase()
        self._inner.notice(text)

    def waiting(self) -> None:
        self._inner.waiting()

    def event(self, event: Event) -> None:
        reasoning = isinstance(event, ReasoningDelta)
        if reasoning or isinstance(event, AnswerDelta):
            self._pieces += 1
        answer = isinstance(event, AnswerDelta)
        if (reasoning and self._reasoning_shown) or (answer and not self._to_file):
            self._erase()  # the reasoning goes to stderr; on a pipe, the answer may be seen
        self._answering = self._answering or answer
        self._inner.event(event)
        if self._answering and not self._to_file:
            return
        if answer or (reasoning and not self._reasoning_shown):
            self._draw("writing the answer" if not reasoning else "thinking")

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        self._erase()
        self._inner.finish(reply, timing, outcome)

    def _draw(self, what: str) -> None:
        now = self._clock()
        if now - self._drawn_at < REDRAW:
            return
        self._drawn_at = now
        line = f"qwenchat: {what} · {now - self._started:.1f} s · {self._pieces:,} chunks"
        self._output.status_line(line)
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self._output.erase_status()
            self._shown = False


def regular_file(stream: TextIO) -> bool:
    """Whether `stream` writes to a regular file (not a pipe, a socket or a device)."""
    import os
    import stat

    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False
