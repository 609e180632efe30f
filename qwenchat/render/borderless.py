"""Panels without borders (`--no-panels`, `panels = false`): text the terminal can copy as is.

`Bare` is `Framed`'s counterpart: the content lines with no edges and no padding, trailing
blanks dropped. `CopyableMarkdown` swaps Rich's Markdown code block (padded, on a background,
folded at the width) for one a mouse can copy: highlighted, no padding, no background, and at
the top level long lines are left whole for the terminal to wrap, so a copied line is one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.markdown import CodeBlock, Markdown, MarkdownElement
from rich.segment import Segment
from rich.syntax import Syntax


class CopyableCodeBlock(CodeBlock):
    """A fenced or indented code block, highlighted, with nothing around or behind it. With no
    background of its own, the colours are the terminal's ANSI ones (Rich's `ansi_dark`),
    which its palette keeps readable on a light background as on a dark one."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        syntax = Syntax(code, self.lexer_name, theme="ansi_dark", background_color="default")
        text = syntax.highlight(code)
        text.rstrip()
        # top level: long lines stay whole for the terminal to wrap, and copy as one line;
        # inside a list or quote, lines are cut to the width: they fold, losing nothing
        top = options.max_width >= console.width
        text.no_wrap, text.overflow = top, "ignore" if top else "fold"
        yield from console.render(text, options.update(no_wrap=top, overflow=text.overflow))


class CopyableMarkdown(Markdown):
    """Rich's Markdown with code blocks a mouse can copy."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "fence": CopyableCodeBlock,
        "code_block": CopyableCodeBlock,
    }


class Bare:
    """The lines of ``inner`` with trailing blanks dropped; with ``keep_last``, only the newest
    (cut to the width, for a live tail), else whole (long code lines unbroken)."""

    def __init__(self, inner: RenderableType, *, keep_last: int = 0) -> None:
        self._inner = inner
        self._keep_last = keep_last

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        options = options.update(height=None, highlight=False)
        if self._keep_last:
            lines = console.render_lines(self._inner, options, pad=False)
            lines = lines[-self._keep_last :]
        else:
            lines = list(Segment.split_lines(console.render(self._inner, options)))
        new_line = Segment.line()
        for line in lines:
            yield from _trimmed(line)
            yield new_line


def _trimmed(line: list[Segment]) -> Iterable[Segment]:
    """``line`` without the blanks at its end that show nothing (no background, no underline)."""
    end = len(line)
    while end:
        text, style, control = line[end - 1]
        if control or (style and (style.bgcolor or style.underline or style.reverse)):
            break
        kept = text.rstrip(" ")
        if kept:
            return [*line[: end - 1], Segment(kept, style)]
        end -= 1
    return line[:end]
