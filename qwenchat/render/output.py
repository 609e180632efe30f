"""The output seam: every byte qwenchat writes to stdout or stderr goes through an `Output`.

Text handed to it is treated as hostile: every method sanitises what it is given (control
sequences and control characters removed, see `core.sanitize`), so a caller cannot forget to.
The Rich consoles it hands out (`SafeConsole`) do the same for every string and `Text` they
print; the streaming panels sanitise the Markdown they feed to Rich. qwenchat's own colours
and cursor movement are added by Rich after that point, never taken from outside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from qwenchat.core.errors import Interrupted, QwenchatError
from qwenchat.core.sanitize import sanitize

if TYPE_CHECKING:
    from rich.console import Console


def error_line(exc: QwenchatError) -> str:
    """The one line a user sees for an error: message, hint, request id; control chars removed."""
    if isinstance(exc, Interrupted):
        return "qwenchat: interrupted"
    line = f"qwenchat: error: {exc.message}"
    if exc.hint:
        line += f" — {exc.hint}"
    request_id = getattr(exc, "request_id", None)
    if request_id:
        line += f" (request id {request_id})"
    return sanitize(line)


class Output:
    """stdout for results, stderr for everything else; all of it sanitised."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, rewraps: bool = False) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.rewraps = rewraps  # the terminal rewraps lines when it narrows (render/frame.py)

    def out(self, text: str, *, flush: bool = False) -> None:
        """A result (a table, a transcript, JSON) on stdout."""
        _write(self.stdout, text, flush=flush)

    def err(self, text: str, *, flush: bool = True) -> None:
        """Raw text on stderr (a prompt, a progress line)."""
        _write(self.stderr, text, flush=flush)

    def notice(self, text: str) -> None:
        """One `qwenchat: …` line on stderr."""
        _write(self.stderr, f"qwenchat: {text}\n", flush=True)

    def error(self, exc: QwenchatError) -> None:
        _write(self.stderr, error_line(exc) + "\n", flush=True)

    def console(self, *, stderr: bool = False) -> Console:
        return safe_console(self.stderr if stderr else self.stdout, rewraps=self.rewraps)

    def clipboard(self, text: str) -> None:
        """Ask the terminal to put `text` on the clipboard (OSC 52: works over SSH where the
        terminal allows it). The payload is the sanitised text in base64; nothing else raw."""
        import base64

        payload = base64.b64encode(sanitize(text).encode()).decode("ascii")
        try:
            self.stdout.write(f"\x1b]52;c;{payload}\x07")
            self.stdout.flush()
        except BrokenPipeError:
            pass


def _write(stream: TextIO, text: str, *, flush: bool) -> None:
    try:
        stream.write(sanitize(text))
        if flush:
            stream.flush()
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say to it
        reader_gone(stream)


def reader_gone(stream: TextIO) -> None:
    """The pipe behind `stream` closed: point it at /dev/null, so later writes (and the flush
    at exit) are discarded quietly instead of failing again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file: nothing to redirect
        pass


class PipeGuard:
    """A text stream whose closed pipe ends the output quietly (`ask … | head -1`)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._gone = False

    @property
    def gone(self) -> bool:
        """The reader went away (seen here, or by the pipe-safe stdout this wraps)."""
        return self._gone or getattr(self._stream, "broken", False) is True

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._lost()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._lost()

    def _lost(self) -> None:
        self._gone = True
        reader_gone(self._stream)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def safe_console(file: TextIO, *, rewraps: bool = False) -> Console:
    """A Rich console that sanitises every string and `Text` it is asked to print; `rewraps`
    says whether its terminal rewraps lines when the window narrows (render/frame.py)."""
    from rich.console import Console
    from rich.text import Text

    from qwenchat.render.cjkwrap import install

    install()  # CJK next to Latin text breaks between characters

    class SafeConsole(Console):
        rewraps_lines = rewraps

        def render_str(self, text: str, **kwargs: Any) -> Text:
            return super().render_str(sanitize(text), **kwargs)

        def print(self, *objects: Any, **kwargs: Any) -> None:
            super().print(*(_safe_text(o, Text) for o in objects), **kwargs)

    return SafeConsole(file=file, highlight=False, emoji=False, markup=False)


def _safe_text(obj: Any, text_type: type[Any]) -> Any:
    if isinstance(obj, text_type):
        clean = sanitize(obj.plain)
        if clean != obj.plain:
            return text_type(clean, style=obj.style)
    return obj
