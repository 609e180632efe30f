"""Progress on stderr: a Rich bar on a terminal (done, failed, tokens, rate, ETA), else nothing.

The remote engine's status lines go through the same object: on a terminal they update the bar,
otherwise each change of status is one plain line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TextIO

from qwenchat.core.batch_records import Record, Tally
from qwenchat.core.sanitize import sanitize
from qwenchat.render.terminal import Terminal

if TYPE_CHECKING:
    from rich.console import Console


class Display:
    """Counts for a plain stderr: only status changes are printed."""

    def __init__(self, stderr: TextIO) -> None:
        self.stderr = stderr
        self.tally = Tally()
        self._last_status = ""

    def __enter__(self) -> Display:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        self.stderr.write(sanitize(text) + "\n")
        self.stderr.flush()

    def close(self) -> None:
        """Stop drawing."""


class RichDisplay(Display):
    """A live progress bar on a terminal's stderr."""

    def __init__(self, stderr: TextIO, console: Console) -> None:
        super().__init__(stderr)
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed · {task.fields[tokens]} tokens"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._task: Any = None
        self._started = time.monotonic()

    def start(self, total: int, description: str) -> None:
        self._started = time.monotonic()
        self._progress.start()
        self._task = self._progress.add_task(
            description, total=total, failed=0, tokens="0", rate=""
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
        )

    def status(self, status: str, *, done: int, failed: int, total: int) -> None:
        from rich.markup import escape

        status = escape(sanitize(status))  # the column reads markup: the service's text is not
        if self._task is None:
            self.start(total, status)
        self._progress.update(
            self._task, description=status, completed=done + failed, total=total, failed=failed
        )

    def notice(self, text: str) -> None:
        self._progress.console.print(sanitize(text), markup=False, highlight=False)

    def close(self) -> None:
        self._progress.stop()


def display_for(terminal: Terminal) -> Display:
    """A progress bar when stderr is a terminal; plain status lines otherwise."""
    if terminal.stderr_is_tty:
        return RichDisplay(terminal.stderr, terminal.console(stderr=True))
    return Display(terminal.stderr)
