"""The terminal while a reply streams: nothing typed is echoed into the reply, and keys typed
ahead are kept for the next prompt. The terminal's mode is restored afterwards, also on Ctrl-C
and errors. Ctrl-C still interrupts (signals stay on)."""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import IO, Any

try:
    import termios
except ImportError:  # pragma: no cover - not on POSIX
    termios = None  # type: ignore[assignment]


def _fd(stream: IO[Any] | int | None) -> int | None:
    if stream is None or isinstance(stream, int):
        return stream
    try:
        return stream.fileno()
    except (OSError, ValueError, AttributeError):
        return None


def _attributes(fd: int | None) -> list[Any] | None:
    if fd is None or termios is None:
        return None
    try:
        if not os.isatty(fd):
            return None
        return termios.tcgetattr(fd)
    except (OSError, termios.error):
        return None


def _set(fd: int, attributes: list[Any]) -> None:
    with contextlib.suppress(OSError, termios.error):
        termios.tcsetattr(fd, termios.TCSANOW, attributes)  # TCSANOW keeps typed keys


@contextmanager
def no_echo(stream: IO[Any] | int | None) -> Iterator[None]:
    """Echo off while the block runs (for `ask`: keys typed stay for the shell, unseen)."""
    fd = _fd(stream)
    saved = _attributes(fd)
    if fd is None or saved is None:
        yield
        return
    quiet = [*saved[:6], list(saved[6])]
    quiet[3] &= ~termios.ECHO
    _set(fd, quiet)
    try:
        yield
    finally:
        _set(fd, saved)


def discard_typed(stream: IO[Any] | int | None) -> None:
    """Throw away what was typed and not yet read (before a question that must be answered
    after it is asked, never by keys typed ahead)."""
    fd = _fd(stream)
    if fd is None or _attributes(fd) is None:
        return
    with contextlib.suppress(OSError, termios.error):
        termios.tcflush(fd, termios.TCIFLUSH)


class KeyMode:
    """The terminal's mode for the chat: as found (restored when the chat ends) or quiet (no
    echo, no line editing, Enter left as typed). The chat stays quiet between prompts so keys
    typed while it is busy are neither echoed nor turned into newlines; the prompt takes the
    terminal in its own raw mode and gives it back quiet."""

    def __init__(self, stream: IO[Any] | int | None) -> None:
        self.fd = _fd(stream)
        self._saved = _attributes(self.fd)

    @property
    def usable(self) -> bool:
        return self.fd is not None and self._saved is not None

    def quiet(self) -> None:
        if self.fd is None or self._saved is None:
            return
        keys = [*self._saved[:6], list(self._saved[6])]
        keys[0] &= ~(termios.ICRNL | termios.INLCR | termios.IGNCR | termios.IXON)
        keys[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN)  # signals stay on
        keys[6][termios.VMIN], keys[6][termios.VTIME] = 1, 0
        _set(self.fd, keys)

    def restore(self) -> None:
        if self.fd is not None and self._saved is not None:
            _set(self.fd, self._saved)


class TypeAhead:
    """While active: the terminal quiet, keys read as they arrive, with their arrival times, so
    a typed Enter can be told from a pasted newline. With `keep=False` the terminal is as found
    instead (a tool's consent question reads it line by line) and nothing is read."""

    def __init__(self, mode: KeyMode | None, *, keep: bool = True) -> None:
        self._mode = mode
        self._keep = keep
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.chunks: list[tuple[float, bytes]] = []

    def __enter__(self) -> TypeAhead:
        if self._mode is None or not self._mode.usable:
            return self
        if not self._keep:
            self._mode.restore()
            return self
        self._mode.quiet()
        self._thread = threading.Thread(target=self._read, name="qwenchat-keys", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is None or self._mode is None or self._mode.fd is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        while self._take(self._mode.fd, 0.0):
            pass

    @contextmanager
    def pause(self) -> Iterator[None]:
        """The terminal as found, and nothing read, while the block runs (a question asked in
        the middle of the reply, answered line by line); keys typed before it stay typed ahead."""
        if self._thread is None or self._mode is None or self._mode.fd is None:
            yield
            return
        self.__exit__(None, None, None)  # the reader stopped, what was typed kept
        self._mode.restore()
        try:
            yield
        finally:
            self._stop.clear()
            self.__enter__()

    def _read(self) -> None:
        assert self._mode is not None
        fd = self._mode.fd
        assert fd is not None
        while not self._stop.is_set():
            self._take(fd, 0.02)

    def _take(self, fd: int, wait: float) -> bool:
        """Read what has arrived (waiting up to `wait` seconds); False when nothing did."""
        try:
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                return False
            data = os.read(fd, 4096)
        except (OSError, ValueError):
            self._stop.set()
            return False
        if data:
            self.chunks.append((time.monotonic(), data))
        return bool(data)
