"""The Rich console `render.output` hands out: it sanitises every string and `Text` it is asked
to print, and knows whether its terminal rewraps lines when the window narrows."""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from qwenchat.core.sanitize import sanitize
from qwenchat.render.cjkwrap import install


class SafeConsole(Console):
    """A Rich console for text from outside: nothing it prints carries a control sequence."""

    def __init__(self, file: TextIO, *, rewraps: bool, **options: Any) -> None:
        install()  # CJK next to Latin text breaks between characters
        super().__init__(file=file, highlight=False, emoji=False, markup=False, **options)
        self.rewraps_lines = rewraps  # see render/frame.py

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(sanitize(text), **kwargs)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(_safe_text(o) for o in objects), **kwargs)


def console_rewraps(console: Console) -> bool:
    """Whether `console`'s terminal is known to rewrap its lines (`terminal.rewraps_lines`); a
    console not made here is taken to cut them, which is safe either way."""
    return console.rewraps_lines if isinstance(console, SafeConsole) else False


def _safe_text(obj: Any) -> Any:
    if isinstance(obj, Text):
        clean = sanitize(obj.plain)
        if clean != obj.plain:
            return Text(clean, style=obj.style)
    return obj
