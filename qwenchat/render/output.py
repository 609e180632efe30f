"""The output seam: every byte qwenchat writes to stdout or stderr goes through an `Output`.

Text handed to it is treated as hostile: every method sanitises what it is given (control
sequences and control characters removed, see `core.sanitize`), so a caller cannot forget to.
The Rich consoles it hands out (`SafeConsole`) do the same for every string and `Text` they
print; the streaming panels sanitise the Markdown they feed to Rich. qwenchat's own colours
and cursor movement are added by Rich after that point, never taken from outside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from qwenchat.core.errors import Interrupted, QwenchatError
from qwenchat.core.sanitize import sanitize
from qwenchat.render.pipes import guard_of, pipe_safe

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
    """stdout for results, stderr for everything else; all of it sanitised, and each stream
    guarded against its reader going away (`render.pipes`)."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, rewraps: bool = False) -> None:
        self.stdout = pipe_safe(stdout)
        self.stderr = pipe_safe(stderr)
        self.rewraps = rewraps  # the terminal rewraps lines when it narrows (render/frame.py)

    @property
    def stdout_gone(self) -> bool:
        """stdout's reader went away (`| head -1`): nothing more reaches it."""
        return guard_of(self.stdout).broken

    def out(self, text: str, *, flush: bool = False) -> None:
        """A result (a table, a transcript, JSON, an answer) on stdout."""
        _write(self.stdout, text, flush=flush)

    def err(self, text: str, *, flush: bool = True) -> None:
        """Raw text on stderr (a prompt, a progress line, reasoning)."""
        _write(self.stderr, text, flush=flush)

    def notice(self, text: str) -> None:
        """One `qwenchat: …` line on stderr."""
        _write(self.stderr, f"qwenchat: {text}\n", flush=True)

    def error(self, exc: QwenchatError) -> None:
        _write(self.stderr, error_line(exc) + "\n", flush=True)

    def status_line(self, text: str) -> None:
        """`text` drawn over the current line of stderr (a progress line, redrawn)."""
        self.stderr.write(ERASE_LINE + sanitize(text))
        self.stderr.flush()

    def erase_status(self) -> None:
        """The line `status_line` drew, erased."""
        self.stderr.write(ERASE_LINE)
        self.stderr.flush()

    def console(self, *, stderr: bool = False) -> Console:
        return safe_console(self.stderr if stderr else self.stdout, rewraps=self.rewraps)

    def clipboard(self, text: str) -> None:
        """Ask the terminal to put `text` on the clipboard (OSC 52: works over SSH where the
        terminal allows it). The payload is the sanitised text in base64; nothing else raw."""
        import base64

        payload = base64.b64encode(sanitize(text).encode()).decode("ascii")
        self.stdout.write(f"\x1b]52;c;{payload}\x07")
        self.stdout.flush()


ERASE_LINE = "\r\x1b[K"  # carriage return, erase to the end of the line


def _write(stream: TextIO, text: str, *, flush: bool) -> None:
    stream.write(sanitize(text))
    if flush:
        stream.flush()


def safe_console(file: TextIO, *, rewraps: bool = False) -> Console:
    """A Rich console that sanitises every string and `Text` it is asked to print; `rewraps`
    says whether its terminal rewraps lines when the window narrows (render/frame.py)."""
    from qwenchat.render.safe_console import SafeConsole

    return SafeConsole(file, rewraps=rewraps)
