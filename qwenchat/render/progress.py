"""Progress on stderr: a Rich bar on a terminal (done, failed, tokens, rate, ETA), else nothing.

The remote engine's status lines go through the same object: on a terminal they update the bar,
otherwise each change of status is one plain line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from qwenchat.core.batch_records import Record, Tally
from qwenchat.core.sanitize import sanitize
from qwenchat.render.output import Output
from qwenchat.render.terminal import Terminal

if TYPE_CHECKING:
    from rich.console import Console


class Display:
    """Counts for a plain stderr: only status changes are printed."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.tally = Tally()
        self._last_status = ""

    def __enter__(self) -> Display:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(interrupted=kind is not None and issubclass(kind, KeyboardInterrupt))

    def start(self, total: int, description: str) -> None:
        """Begin counting `total` requests."""

    def advance(self, record: Record) -> None:
        self.tally.add(record)

    def status(self, status: str, *, done: int, failed: int, total: int) -> None:
        line = f"{status} ({done:,}/{total:,} done, {failed:,} failed)"
        if status != self._last_status:
            self.notice(f"batch: {line}")
        self._last_status = status

    def notice(self, text: str) -> None:
        self.output.err(text + "\n")

    def close(self, *, interrupted: bool = False) -> None:
        """Stop drawing."""


class RichDisplay(Display):
    """A live progress bar on a terminal's stderr."""

    def __init__(self, output: Output, console: Console) -> None:
        super().__init__(output)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed · {task.fields[tokens]} tokens"),
            TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[left]}"),
            console=console,
            transient=False,
        )
        self._task: Any = None
        self._started = time.monotonic()
        self._total = 0
        self._first: int | None = None  # a remote batch's count when the watch began

    def start(self, total: int, description: str) -> None:
        self._started = time.monotonic()
        self._total = total
        self._progress.start()
        self._task = self._progress.add_task(
            description, total=total, failed=0, tokens="0", rate="", left=""
        )

    def advance(self, record: Record) -> None:
        super().advance(record)
        elapsed = max(time.monotonic() - self._started, 1e-6)
        self._progress.update(
            self._task,
            advance=1,
            failed=self.tally.failed,
            tokens=f"{self.tally.tokens:,}",
            rate=f"{self.tally.requests / elapsed:.1f}/s",
            left=left_text(time_left(self.tally.requests, self._total, elapsed)),
        )

    def status(self, status: str, *, done: int, failed: int, total: int) -> None:
        from rich.markup import escape

        status = escape(sanitize(status))  # the column reads markup: the service's text is not
        if self._task is None:
            self.start(total, status)
        if self._first is None:
            self._first = done + failed
        elapsed = time.monotonic() - self._started
        left = time_left(done + failed, total, elapsed, done_at_start=self._first)
        self._progress.update(
            self._task, description=status, completed=done + failed, total=total, failed=failed,
            left=left_text(left),
        )  # fmt: skip

    def notice(self, text: str) -> None:
        self._progress.console.print(sanitize(text), markup=False, highlight=False)

    def close(self, *, interrupted: bool = False) -> None:
        if interrupted:  # the ^C has moved the cursor: a last redraw would show a second bar
            self._progress.live.transient = True
        self._progress.stop()


def time_left(done: int, total: int, elapsed: float, *, done_at_start: int = 0) -> float | None:
    """Seconds until `total`, at the average rate since the start; None before any progress.

    `done_at_start` is what was already done when the clock started (a remote batch being
    watched again): only what finished since counts towards the rate.
    """
    progressed = done - done_at_start
    if progressed <= 0 or elapsed <= 0 or total <= 0:
        return None
    return max(total - done, 0) * elapsed / progressed


def left_text(seconds: float | None) -> str:
    """`1:05 left`, `1:02:03 left`; empty when unknown."""
    if seconds is None:
        return ""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    shown = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{shown} left"


def display_for(terminal: Terminal) -> Display:
    """A progress bar when stderr is a terminal; plain status lines otherwise."""
    if terminal.stderr_is_tty:
        return RichDisplay(terminal.output, terminal.console(stderr=True))
    return Display(terminal.output)
