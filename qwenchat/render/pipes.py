"""Stdout that survives its reader going away (`qwenchat ask … | head -1`), a full disk
(`> /dev/full`) or being closed (`>&-`).

Once a write meets a closed pipe, the rest of the output is dropped quietly: the stream's file
descriptor is pointed at /dev/null (so the interpreter's last flush does not fail either) and the
command carries on — an `ask` still saves its turn — and exits 0. Any other failure to write
(no space left, a stdout that was closed before qwenchat started) drops the rest of the output
the same way, and once the command is done the error boundary asks `check_written`, which
raises `OutputError`: one line, exit 1.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from typing import Any, TextIO, cast

from qwenchat.core.errors import QwenchatError

CLOSED = "it is closed"


class OutputError(QwenchatError):
    """Stdout could not take what the command wrote (a full disk, a closed stdout): exit 1."""


class PipeSafe:
    """A text stream whose writes to a closed pipe are dropped, and whose other write
    failures are remembered for `check_written`."""

    def __init__(self, stream: TextIO | None) -> None:
        self.source = stream
        self._stream = stream if stream is not None else null_stream()
        self.broken = False  # the reader went away (a closed pipe): the reply need not go on
        self.dropping = stream is None  # nothing more is written, for that or another reason
        self.failure: str | None = CLOSED if stream is None else None
        self.written = False  # anything at all was written (`ask --json` prints one document)

    def write(self, text: str) -> int:
        self.written = self.written or bool(text)
        if not self.dropping:
            try:
                self._stream.write(text)
            except (OSError, ValueError) as exc:
                self._drop(exc)
        return len(text)

    def flush(self) -> None:
        if not self.dropping:
            try:
                self._stream.flush()
            except (OSError, ValueError) as exc:
                self._drop(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _drop(self, exc: Exception) -> None:
        """Write nothing more. A closed pipe is the reader's choice; any other failure (a full
        disk) is not, so the reply is still read whole and saved, and the failure reported."""
        self.dropping = True
        if isinstance(exc, BrokenPipeError):
            self.broken = True
        else:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.failure = self.failure or reason
        with contextlib.suppress(OSError, ValueError, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)


_last: PipeSafe | None = None  # the wrapper of the current stdout: its failure outlives a call


def pipe_safe(stream: TextIO | None) -> TextIO:
    """`stream` (None: a stdout closed before qwenchat started), wrapped once."""
    global _last
    if isinstance(stream, PipeSafe):
        return cast(TextIO, stream)
    if _last is None or _last.source is not stream:
        _last = PipeSafe(stream)
    return cast(TextIO, _last)


def check_written() -> None:
    """Flush stdout; OutputError when something written to it was lost (not to a closed pipe).
    Said once: the failure is forgotten once raised."""
    if _last is None:
        return
    _last.flush()
    failure, _last.failure = _last.failure, None
    if failure is not None:
        raise OutputError(f"cannot write to stdout: {failure}")


@functools.cache
def null_stream() -> TextIO:
    """A text stream to /dev/null (for a standard stream that is closed), opened once."""
    return open(os.devnull, "w", encoding="utf-8")


def claim_standard_fds() -> None:
    """Point file descriptors 0, 1 and 2, when closed, at /dev/null: otherwise the next file
    opened (the database) would take the number, and a child process (an editor, a shell
    command) writing to its stdout would write into it."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)


def flush_standard_streams() -> None:
    """Flush stdout and stderr, whatever state they are in (before a process ends at once)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
