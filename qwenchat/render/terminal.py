"""The I/O seam: standard streams, whether they are terminals, and reading piped input."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from qwenchat.core.errors import UsageError
from qwenchat.render.pipes import guard_of, pipe_safe, standard

if TYPE_CHECKING:
    from rich.console import Console

    from qwenchat.render.output import Output

MAX_STDIN_BYTES = 20 * 1024 * 1024
LARGE_STDIN_BYTES = 256 * 1024  # above this, say how much is about to be sent


@dataclass(frozen=True)
class Terminal:
    """The three standard streams; tests build their own."""

    stdin: TextIO | None
    stdout: TextIO
    stderr: TextIO
    rewraps: bool = False  # is the terminal known to rewrap its lines when the window narrows?

    def __post_init__(self) -> None:
        # the one pipe guard: a reader that went away ends the output quietly
        object.__setattr__(self, "stdout", pipe_safe(self.stdout))
        object.__setattr__(self, "stderr", pipe_safe(self.stderr))

    @classmethod
    def system(cls) -> Terminal:
        return cls(
            stdin=sys.stdin, stdout=standard(sys.stdout), stderr=standard(sys.stderr),
            rewraps=rewraps_lines(os.environ),
        )  # fmt: skip

    @property
    def stdout_written(self) -> bool:
        """Anything at all was written to stdout (`ask --json` prints one document)."""
        return guard_of(self.stdout).written

    @property
    def stdin_is_tty(self) -> bool:
        return _isatty(self.stdin)

    @property
    def stdout_is_tty(self) -> bool:
        return _isatty(self.stdout)

    @property
    def stderr_is_tty(self) -> bool:
        return _isatty(self.stderr)

    def read_piped(self) -> str | None:
        """The text piped on stdin, or None when stdin is a terminal or absent."""
        if self.stdin is None or self.stdin_is_tty:
            return None
        raw = getattr(self.stdin, "buffer", None)
        data = raw.read(MAX_STDIN_BYTES + 1) if raw is not None else self.stdin.read().encode()
        text = decode_input(data)
        warning = size_warning(len(data), len(text))
        if warning:
            self.output.notice(f"warning: {warning}")
        return text

    def read_piped_bytes(self) -> bytes | None:
        """The raw bytes piped on stdin (an attachment, `-a -`), or None from a terminal."""
        if self.stdin is None or self.stdin_is_tty:
            return None
        raw = getattr(self.stdin, "buffer", None)
        if raw is None:
            return self.stdin.read().encode("utf-8", "surrogateescape")
        data: bytes = raw.read(MAX_STDIN_BYTES + 1)
        return data

    def console(self, *, stderr: bool = False) -> Console:
        return self.output.console(stderr=stderr)

    @property
    def output(self) -> Output:
        """The seam every write goes through."""
        from qwenchat.render.output import Output

        return Output(self.stdout, self.stderr, rewraps=self.rewraps)


def rewraps_lines(environ: Mapping[str, str]) -> bool:
    """Whether the terminal is known to rewrap its lines when the window gets narrower, as
    VTE (GNOME Terminal, Tilix…), Konsole, kitty, iTerm2, Terminal.app, WezTerm, Windows
    Terminal, Alacritty, foot, ghostty, VS Code's terminal and tmux do. Any other terminal is
    taken to cut its rows instead, as xterm, st, rxvt, GNU screen and the Linux console do:
    the extra rows a rewrap adds are erased only where they exist, since on a terminal that
    cuts, erasing them would erase earlier conversation. Over ssh only TERM arrives, so an
    `xterm-256color` there is unknown (whatever runs it) and nothing extra is erased."""
    if environ.get("TMUX"):
        return True
    term = environ.get("TERM", "")
    if term.startswith(CUTTING_TERMS) or term in ("linux", "st"):
        return False
    return (
        term.startswith(REWRAPPING_TERMS)
        or environ.get("TERM_PROGRAM", "") in REWRAPPING_PROGRAMS
        or any(environ.get(name) for name in REWRAPPING_VARIABLES)
    )


CUTTING_TERMS = ("rxvt", "screen", "st-", "linux-")
REWRAPPING_TERMS = ("xterm-kitty", "wezterm", "alacritty", "foot", "xterm-ghostty", "tmux")
REWRAPPING_PROGRAMS = frozenset(
    {"iTerm.app", "Apple_Terminal", "WezTerm", "vscode", "tmux", "ghostty"}
)
REWRAPPING_VARIABLES = (
    "VTE_VERSION", "KONSOLE_VERSION", "WT_SESSION", "KITTY_WINDOW_ID", "WEZTERM_PANE",
    "ALACRITTY_WINDOW_ID",
)  # fmt: skip


def decode_input(data: bytes) -> str:
    """Piped bytes as text, or a clear error for binary or oversized input."""
    if len(data) > MAX_STDIN_BYTES:
        raise UsageError(
            f"stdin is larger than {MAX_STDIN_BYTES // (1024 * 1024)} MiB; nothing was sent"
        )
    if b"\x00" in data:
        raise UsageError("stdin looks binary (it contains NUL bytes); pipe a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"stdin is not UTF-8 text (invalid byte at offset {exc.start}); pipe a text file"
        ) from None
    return text.removeprefix("\ufeff")


def size_warning(size: int, chars: int) -> str | None:
    """Large piped input is sent whole, never cut; the user hears how large it is."""
    if size <= LARGE_STDIN_BYTES:
        return None
    return (
        f"stdin is {size / (1024 * 1024):.1f} MiB ({chars:,} characters); all of it is sent, "
        "which may exceed the model's context or cost many tokens"
    )


def join_prompt(argument: str | None, piped: str | None) -> str:
    """The argument is the instruction; piped text follows it after a blank line."""
    parts = [p.strip() for p in (argument, piped) if p and p.strip()]
    if not parts:
        raise UsageError("no prompt: give one as an argument or pipe text on stdin")
    return "\n\n".join(parts)


def _isatty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False
