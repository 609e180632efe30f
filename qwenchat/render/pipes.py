"""Streams that survive their reader going away (`qwenchat ask … | head -1`): the one guard
every `Terminal` and `Output` puts on stdout and stderr.

Once a write meets a closed pipe, the rest of the output is dropped quietly: the stream's file
descriptor is pointed at /dev/null (so the interpreter's last flush does not fail either) and the
command carries on — an `ask` still saves its turn — and exits 0.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, TextIO, cast


class PipeSafe:
    """A text stream whose writes to a closed pipe are dropped."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False
        self.written = False  # anything at all was written (`ask --json` prints one document)

    def write(self, text: str) -> int:
        self.written = self.written or bool(text)
        if not self.broken:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _drop(self) -> None:
        self.broken = True
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
