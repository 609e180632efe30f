"""Type-ahead in the chat: keys typed while a reply streams are not echoed; each line ended by a
typed Enter is sent when the reply ends (one after the other), and the unfinished rest waits in
the next prompt; a Ctrl-D typed on an empty line leaves the chat once those lines are sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from qwenchat.core.typed_keys import END, typed_lines
from qwenchat.render.typeahead import KeyMode, TypeAhead


class TypedAhead:
    """The lines typed ahead and the unfinished rest."""

    def __init__(self, keys: TextIO | None) -> None:
        self.mode = KeyMode(keys)
        self.lines: list[str] = []
        self.rest = ""

    @contextmanager
    def during_reply(self, *, keep: bool = True) -> Iterator[None]:
        """The terminal quiet while the block runs; `keep=False` leaves it alone (a tool's
        consent question reads the terminal line by line)."""
        keys = TypeAhead(self.mode, keep=keep)
        try:
            with keys:
                yield
        finally:
            lines, self.rest = typed_lines(keys.chunks, self.rest)
            self.lines.extend(lines)

    @contextmanager
    def chat(self) -> Iterator[None]:
        """The whole chat: quiet between prompts, the terminal restored at the end."""
        self.mode.quiet()
        try:
            yield
        finally:
            self.mode.restore()

    @contextmanager
    def as_found(self) -> Iterator[None]:
        """The terminal as the chat found it while the block runs (an editor), quiet again after."""
        self.mode.restore()
        try:
            yield
        finally:
            self.mode.quiet()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Quiet while the block runs (a reply inside `as_found`), as found again after."""
        self.mode.quiet()
        try:
            yield
        finally:
            self.mode.restore()

    def next_line(self) -> str | None:
        """The next line typed ahead and sent, if any; EOFError for a Ctrl-D typed ahead (the
        chat ends as if it were typed at the prompt)."""
        line = self.lines.pop(0) if self.lines else None
        if line == END:
            self.lines.clear()
            raise EOFError
        return line

    def take_rest(self) -> str:
        rest, self.rest = self.rest, ""
        return rest
