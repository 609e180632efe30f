"""Append-only streaming panels for a Rich console: the Answer (Markdown) and Thinking (text).

A panel is printed piecewise yet reads as one rounded ``Panel``: top edge on the first text, each
finished content line once, bottom edge (with a note) on close. Only the unfinished part lives in
a transient ``Live``, cut to fit the screen and redrawn at most ``refresh_per_second``; nothing
printed is redrawn, so a chunk costs its own size and nothing duplicates past the screen height.
With ``live=False`` or a non-interactive console there is no ``Live``, only finished lines.

Exactness: content lines are framed segment for segment as ``Panel`` does and edges are cut from
a real ``Panel``, with the console's options (ASCII fallback, CJK cell widths). The blank
line Rich puts between top-level Markdown elements is carried across blocks (``_GAP``), so the
output equals printing once ``Panel(Markdown(answer, code_theme=..., hyperlinks=False),
title=Text(title), title_align="left", subtitle=Text(note, style="dim") if note else None,
subtitle_align="left", box=box.ROUNDED, border_style=...)``; for ``TextPanel`` (full mode)
``Panel(Text(reasoning.strip("\\n"), style=style), ...)`` with ``summary · note`` as subtitle.
Text is never parsed as markup, and is sanitized again on the way in.
"""

from __future__ import annotations

import copy
import time
from collections import deque
from typing import Any, Literal

from markdown_it import MarkdownIt
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown, UnknownElement
from rich.text import Text

from qwenchat.core.sanitize import Sanitizer
from qwenchat.render.borderless import Bare, CopyableMarkdown
from qwenchat.render.cjkwrap import divide_line, install, words  # as Text wraps; see _stable_cut
from qwenchat.render.frame import NOTHING, Frame, Framed
from qwenchat.render.mdblocks import BlockSplitter

__all__ = ["MarkdownPanel", "TextPanel"]

install()  # CJK next to Latin text breaks between characters

_SUMMARY_ROWS = 4  # reasoning rows shown while thinking in summary mode
_PREVIEW_CHARS = 4096  # summary mode wraps at most this much recent reasoning per refresh
# Rich builds a MarkdownIt per Markdown (~0.1 ms, more than parsing a block); blocks share one
# set up exactly as rich/markdown.py does. The equality tests against Markdown(whole) guard it.
_MARKDOWN_IT = MarkdownIt().enable("strikethrough").enable("table")
# Rich renders an HTML block as nothing, yet like every element but a rule it sets the flag that
# puts a blank line before the next element: prefixed to a block, it carries that gap over.
_GAP = tuple(_MARKDOWN_IT.parse("<!-- -->\n"))


class MarkdownPanel:
    """The answer: Markdown blocks printed once each as they finish, framed as one panel."""

    def __init__(
        self,
        console: Console,
        *,
        title: str = "Answer",
        border_style: str = "cyan",
        live: bool = True,
        refresh_per_second: float = 8.0,
        code_theme: str = "monokai",
        boxed: bool = True,
    ) -> None:
        self._frame = Frame(
            console, title=title, border_style=border_style, live=live, rate=refresh_per_second,
            boxed=boxed,
        )  # fmt: skip
        # without borders, code blocks a mouse can copy: no padding, no background
        kind = Markdown if boxed else CopyableMarkdown
        self._template = kind("", code_theme=code_theme, hyperlinks=False)
        self._splitter = BlockSplitter()
        self._clean = Sanitizer()
        self._gap = False  # does Rich put a blank line before the next top-level element?
        self._env: dict[str, Any] = {}  # markdown-it's environment: link reference definitions
        self.renders = 0  # Markdown objects rendered: committed blocks plus live previews

    def feed(self, text: str) -> None:
        """Take (sanitized) text; print the blocks it finishes; refresh the live tail if due."""
        safe = self._clean.feed(text)
        if not safe or self._frame.closed:
            return
        self._frame.touched = time.monotonic()
        self._frame.begin()
        blocks = self._splitter.feed(safe)
        if blocks:
            self._frame.commit([self._block(block) for block in blocks], self._tail)
        elif self._frame.due():
            self._frame.show(self._tail())

    def close(self, note: str | None = None) -> None:
        """Print the rest and the bottom edge, with ``note`` dimly in it. Idempotent."""
        if self._frame.closed:
            return
        rest = self._clean.flush()
        blocks = [*self._splitter.feed(rest), *self._splitter.finish()]
        self._frame.stop_live()
        if not self._frame.started and not "".join(blocks).strip() and note is None:
            return
        self._frame.begin()
        subtitle = Text(note, style="dim") if note else None
        self._frame.end([self._block(block) for block in blocks], subtitle)

    def _markdown(self, source: str, *, commit: bool) -> Markdown:
        """Rich's Markdown for ``source``, as it would render after the blocks before it."""
        # Link definitions from earlier blocks stay known, as in one parse of the whole answer.
        env = self._env if commit else {"references": dict(self._env.get("references", {}))}
        tokens = _MARKDOWN_IT.parse(source, env)
        markdown = copy.copy(self._template)
        markdown.markup = source
        markdown.parsed = [*_GAP, *tokens] if self._gap else tokens
        self.renders += 1
        if commit and tokens:  # Rich's new_line flag: a gap follows every element but a rule
            self._gap = Markdown.elements.get(tokens[-1].type, UnknownElement).new_line
        return markdown

    def _block(self, source: str) -> Framed | Bare:
        return self._frame.framed(self._markdown(source, commit=True))

    def _tail(self) -> RenderableType:
        source = self._splitter.preview(2 * self._frame.console.height)
        if not source.strip():
            return NOTHING
        return self._frame.framed(self._markdown(source, commit=False), tail=True)


def _stable_cut(line: str, width: int) -> int:
    """Where ``line`` can be cut so the rows before the cut stay final whatever follows.

    As Text.wrap wraps (greedy words, over-wide words folded): a row starting with a whole word,
    not after the last (growing) word, wraps the same alone; inside the last word, a fold point
    whose head folds alone as in the whole, while the rest is still too wide for a row."""
    last = deque(words(line), maxlen=1)
    if not last:
        return 0
    start = last[0][0]

    offsets = divide_line(line, width)

    def safe(cut: int) -> bool:
        if cut <= start:
            return line[cut - 1].isspace() and not line[cut].isspace()
        # The cut-off head of the last word must still fold as it does within the whole.
        head = [offset for offset in offsets if offset < cut]
        return cell_len(line[cut:].rstrip()) > width and divide_line(line[:cut], width) == head

    return next((cut for cut in reversed(offsets) if safe(cut)), 0)


class TextPanel:
    """Reasoning as plain dim text: wrapped rows committed as they become final (full mode),
    or only a transient tail while it streams, then a one-line summary (summary mode)."""

    def __init__(
        self,
        console: Console,
        *,
        title: str = "Thinking",
        style: str = "dim",
        border_style: str = "dim",
        mode: Literal["full", "summary"] = "full",
        live: bool = True,
        refresh_per_second: float = 8.0,
        boxed: bool = True,
    ) -> None:
        self._frame = Frame(
            console, title=title, border_style=border_style, live=live, rate=refresh_per_second,
            boxed=boxed,
        )  # fmt: skip
        self._style = style
        self._mode = mode
        self._clean = Sanitizer()
        self._line: list[str] = []  # pieces of the unfinished line
        self._line_len = 0
        self._checked_len = 0  # length of the unfinished line when its rows were last checked
        self._column = 0  # cells of the unfinished line already committed (for tab stops)
        self._blanks = 0  # blank lines held back: dropped if no text follows them
        self._seen = False  # leading blank lines are dropped
        self._recent: deque[str] = deque(maxlen=_SUMMARY_ROWS)

    def feed(self, text: str) -> None:
        """Take (sanitized) reasoning text."""
        safe = self._clean.feed(text)
        if not safe or self._frame.closed:
            return
        self._frame.touched = time.monotonic()
        complete = self._take_lines(safe)
        if self._mode == "summary":
            self._recent.extend(line for line in complete if line.strip())
            self._frame.begin(edge=False)
            if self._frame.due():
                self._frame.show(self._summary_tail())
            return
        finished = self._finished(complete) + self._stable_rows()
        if not self._seen and not self._line_len:
            return
        self._frame.begin()
        if finished:
            rows = Text("\n".join(finished), style=self._style)
            self._frame.commit([self._frame.framed(rows)], self._tail)
        elif self._frame.due():
            self._frame.show(self._tail())

    def close(self, summary: str | None = None, note: str | None = None) -> None:
        """Full mode: the rest, then the bottom edge with ``summary · note``. Summary mode: the
        live tail makes way for one line holding the title, summary and note. Idempotent."""
        if self._frame.closed:
            return
        complete = self._take_lines(self._clean.flush())
        if self._mode == "summary":
            self._frame.stop_live()
            lead = summary or self._frame.title  # "Thought for 3 s", not "Thinking · Thought…"
            line = " · ".join(part for part in (lead, note) if part)
            if self._recent or self._line_len or complete or summary or note:
                self._frame.console.print(
                    Text(line, self._style, no_wrap=True, overflow="ellipsis")
                )
            return
        finished = self._finished([*complete, self._expanded("".join(self._line))])
        subtitle = " · ".join(part for part in (summary, note) if part)
        self._frame.stop_live()
        if not self._frame.started and not finished and not subtitle:
            return
        self._frame.begin()
        rows = Text("\n".join(finished), style=self._style)
        pieces = [self._frame.framed(rows)] if finished else []
        self._frame.end(pieces, Text(subtitle, style=self._style) if subtitle else None)

    def _take_lines(self, text: str) -> list[str]:
        """Complete lines in ``text`` (joined to what came before); keep the unfinished one."""
        if "\n" not in text:
            self._line.append(text)
            self._line_len += len(text)
            return []
        head, _, rest = text.rpartition("\n")
        self._line.append(head)
        complete = "".join(self._line).split("\n")
        complete[0] = self._expanded(complete[0])
        self._line = [rest] if rest else []
        self._line_len = self._checked_len = len(rest)
        self._column = 0
        return complete

    def _finished(self, lines: list[str]) -> list[str]:
        """Lines to commit: blank lines only between text, never first or last."""
        out: list[str] = []
        for line in lines:
            if line:
                out += [""] * self._blanks + [line]
                self._blanks, self._seen = 0, True
            elif self._seen:
                self._blanks += 1
        return out

    def _stable_rows(self) -> list[str]:
        """Commit the wrapped rows of the unfinished line that can no longer change."""
        width = max(1, self._frame.inner_width)
        if self._line_len - self._checked_len < width:
            return []  # check once per row's worth of growth: linear overall
        line = "".join(self._line)
        if "\t" in line and not self._column:
            return []  # Rich expands tabs per whole line: this one waits for its end
        line = self._expanded(line)
        cut = _stable_cut(line, width)
        self._line, self._column = [line[cut:]], self._column + cell_len(line[:cut])
        self._line_len = self._checked_len = len(line) - cut
        return self._finished([line[:cut]]) if cut else []

    def _expanded(self, text: str) -> str:
        """A tab after committed rows of its line: spaces up to the same tab stop Rich would
        use (same cells; Rich would also split the styled segments at each tab)."""
        if "\t" not in text or not self._column:
            return text
        tab_size, column, out = self._frame.console.tab_size, self._column, []
        for part in text.split("\t")[:-1]:
            column += cell_len(part) + 1
            out.append(part + " " * (1 + -column % tab_size))
            column += -column % tab_size
        return "".join(out) + text.rsplit("\t", 1)[1]

    def _tail(self) -> RenderableType:
        self._line = ["".join(self._line)]
        line = self._expanded(self._line[0])
        return self._frame.framed(Text(line, style=self._style), tail=True) if line else NOTHING

    def _summary_tail(self) -> RenderableType:
        text = "\n".join([*self._recent, "".join(self._line)]).strip("\n")[-_PREVIEW_CHARS:]
        if not text.strip():
            return NOTHING
        rows = max(1, min(_SUMMARY_ROWS, self._frame.console.height - 3))
        body = self._frame.box(Text(text, style=self._style), keep_last=rows)
        top = self._frame.edge(bottom=False, text=Text(self._frame.title))
        return Group(top, body, self._frame.edge(bottom=True))
