"""The elapsed-time line shown while a reply is silent, so a long think never looks like a hang.

A transient Rich `Status` on the error console, from the moment the request is sent until
the first visible text. Rich's refresh thread redraws it a few times a second and every
redraw reads the clock, so the count moves while the main thread blocks on the network; the
label can be changed from any thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from rich.console import Console
from rich.status import Status
from rich.text import Text


def elapsed(seconds: float) -> str:
    """`7 s`, `1 min 05 s`: whole seconds, minutes once past one."""
    whole = max(0, int(seconds))
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


class Elapsed:
    """A renderable `label… N s` that reads the clock each time it is drawn."""

    def __init__(self, label: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._label = label
        self._clock = clock
        self._start = clock()

    def relabel(self, label: str) -> None:
        with self._lock:
            self._label = label

    def text(self) -> str:
        with self._lock:
            label = self._label
        return f"{label}… {elapsed(self._clock() - self._start)}"

    def __rich__(self) -> Text:
        return Text(self.text(), style="dim")


class WaitingStatus:
    """Start, relabel and stop the transient line; does nothing off a terminal."""

    def __init__(
        self,
        console: Console,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._enabled = enabled and console.is_terminal and not console.is_dumb_terminal
        self._clock = clock
        self._status: Status | None = None
        self._line: Elapsed | None = None

    @property
    def active(self) -> bool:
        return self._status is not None

    def start(self, label: str) -> None:
        if not self._enabled or self._status is not None:
            return
        self._line = Elapsed(label, clock=self._clock)
        self._status = Status(self._line, console=self._console, refresh_per_second=4)
        self._status.start()

    def relabel(self, label: str) -> None:
        if self._line is not None:
            self._line.relabel(label)

    def stop(self) -> None:
        status, self._status = self._status, None
        if status is not None:
            status.stop()
