"""Streams that survive their reader going away (`qwenchat ask … | head -1`), a full disk
(`> /dev/full`) or being closed (`>&-`): the one guard every `Terminal` and `Output` puts on
stdout and stderr.

Once a write meets a closed pipe, the rest of the output is dropped quietly: the stream's file
descriptor is pointed at /dev/null (so the interpreter's last flush does not fail either) and the
command carries on — an `ask` still saves its turn — and exits 0. Any other failure to write
(no space left, a stdout closed before qwenchat started) drops the rest of the output the same
way, but the reply is still read whole and saved, and once the command is done the error
boundary asks `check_written`, which raises `OutputError`: one line, exit 1.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Any, TextIO, cast

from qwenchat.core.errors import QwenchatError


class OutputError(QwenchatError):
    """Stdout could not take what the command wrote (a full disk, a closed stdout): exit 1."""


class PipeSafe:
    """A text stream whose writes to a closed pipe are dropped, and whose other write
    failures are remembered for `check_written`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False  # the reader went away (a closed pipe): the reply need not go on
        self.dropping = False  # nothing more is written, for that or another reason
        self.failure: str | None = None  # why a write failed, other than a closed pipe
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


def pipe_safe(stream: TextIO) -> TextIO:
    """`stream`, wrapped once."""
    return stream if isinstance(stream, PipeSafe) else cast(TextIO, PipeSafe(stream))


def guard_of(stream: TextIO) -> PipeSafe:
    """The guard a `pipe_safe` stream is."""
    assert isinstance(stream, PipeSafe), "the stream was made pipe-safe"
    return stream


def check_written(stream: TextIO) -> None:
    """Flush `stream` (stdout); OutputError when something written to it was lost (not to a
    closed pipe). Said once: the failure is forgotten once raised."""
    guard = guard_of(stream)
    guard.flush()
    failure, guard.failure = guard.failure, None
    if failure is not None:
        raise OutputError(f"cannot write to stdout: {failure}")


class ClosedStream:
    """A standard stream that was closed before qwenchat started (`>&-`): every write fails
    as writing to a closed file descriptor would, so the guard reports it."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "it is closed")

    def flush(self) -> None:
        """Nothing is held."""

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "it is closed")


def standard(stream: TextIO | None) -> TextIO:
    """`sys.stdout` or `sys.stderr`, or a `ClosedStream` when Python found it closed."""
    return stream if stream is not None else cast(TextIO, ClosedStream())


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
