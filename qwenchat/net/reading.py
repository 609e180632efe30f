"""Reading a reply's bytes with limits: lines split on `\\n` only, a cap on one line or body,
and two clocks (no complete event for `timeout` seconds; the whole reply past `max_time`).

`str.splitlines` and httpx's `iter_lines` also split at U+2028, U+2029 and U+0085, which a
model may well write inside a JSON string; SSE ends a line at `\\n` (or `\\r\\n`) only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

from qwenchat.core import errors

MAX_LINE = 16 * 1024 * 1024  # one SSE line, or a whole non-streamed body
MIB = 1024 * 1024


class Watch:
    """The reply's clocks: idle time since the last complete event, and the overall deadline."""

    def __init__(
        self, idle: float, total: float | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.idle = idle
        self.total = total
        self._clock = clock
        self.start = self.last = clock()

    def event(self) -> None:
        """A complete event arrived."""
        self.last = self._clock()

    def check(self) -> None:
        now = self._clock()
        if self.total is not None and now - self.start > self.total:
            raise errors.StreamError(
                f"the reply took longer than the --max-time of {self.total:g} s; it is incomplete"
            )
        if now - self.last > self.idle:
            raise errors.StreamError(
                f"no complete event from the server for {self.idle:g} s; the reply is incomplete "
                "(raise --timeout for long thinking)"
            )


def lines(chunks: Iterable[bytes], watch: Watch, *, max_line: int = MAX_LINE) -> Iterator[str]:
    """The lines of a byte stream, split at `\\n` (a trailing `\\r` dropped), decoded as UTF-8."""
    held = bytearray()
    for chunk in chunks:
        held += chunk
        start = 0
        while (end := held.find(b"\n", start)) != -1:
            line = bytes(held[start:end])
            start = end + 1
            yield _decoded(line[:-1] if line.endswith(b"\r") else line)
        del held[:start]
        if len(held) > max_line:
            raise _too_big("one line of the stream", max_line)
        watch.check()
    if held:
        yield _decoded(bytes(held[:-1] if held.endswith(b"\r") else held))


def body(chunks: Iterable[bytes], watch: Watch, *, limit: int = MAX_LINE) -> str:
    """A whole non-streamed body, refused once it passes `limit` bytes."""
    held = bytearray()
    for chunk in chunks:
        held += chunk
        if len(held) > limit:
            raise _too_big("the reply", limit)
        if watch.total is not None:
            watch.check()
    return _decoded(bytes(held))


def _decoded(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _too_big(what: str, limit: int) -> errors.StreamError:
    return errors.StreamError(
        f"{what} is over {limit // MIB} MiB: the server's reply was not read further"
    )
