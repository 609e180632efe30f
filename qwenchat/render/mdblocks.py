"""Streamed Markdown cut into finished top-level blocks (pure: text in, source strings out).

The answer panel prints each finished block once and keeps only the unfinished one live, so
this module owns the question "which part of the streamed source can no longer change?".

Rules:

* Only complete lines are judged, so a chunk ``2`` followed by ``. item`` is never split.
* The pending source (never the whole answer) is parsed with markdown-it configured like
  ``rich.markdown.Markdown`` (CommonMark preset plus tables; inline parsing is skipped because
  block structure does not depend on it). Top-level tokens mark where blocks start; a block is
  complete once the NEXT top-level block has started, so an open fence, a list that may get
  another item, a quote with lazy continuation, a table or HTML block still growing, or a
  paragraph that may yet become a setext heading all stay pending.
* Blank lines after a block belong to that block: the blocks joined give back the source
  exactly, and the renderer does not need them (Rich derives the gap between top-level elements
  from the elements themselves, see ``render/panels.py``).

Cost: while a top-level fence is open (known from the last parse) each new line is only matched
against the closing-fence pattern. Otherwise a line that cannot start a block (blank, plain text
continuing a paragraph, one more item of the same list, quote line or table row) triggers no
parse, and a block that can still grow is re-parsed at most once per ``1 + pending_lines // 8``
new lines, which keeps total parsing linear even for a long list or table. These filters only
delay a commit; they never change where blocks are cut.

A link reference definition makes no token, so it stays with the block before it. Input must
use ``\\n`` line ends (``sanitize`` guarantees it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["BlockSplitter", "split_blocks"]

# Same preset and block rules as rich.markdown.Markdown (MarkdownIt().enable("table")...).
_PARSER = MarkdownIt("commonmark").enable("table").disable("inline")
_REPARSE_DIVISOR = 8
# A first character that may start (or reshape) a block even without a blank line before it:
# heading, quote, list, rule, setext underline, fence, HTML, table delimiter row.
_MAY_INTERRUPT = re.compile(r" {0,3}[#>*+\-_=`~<|:0-9]")
# Top-level blocks that a plain text line simply continues (paragraph text, lazy continuation).
_CONTINUED_BY_TEXT = frozenset(
    {"paragraph_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"}
)
_OWN_PREFIX = {"blockquote_open": ">", "table_open": "|"}
_CLOSED_TYPES = frozenset({"fence", "heading_open", "hr"})  # (a fence once it is closed)
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


def _item_pattern(block: Token) -> re.Pattern[str] | None:
    """Lines that are one more item of this top-level list (even after a blank line)."""
    marker = re.escape(block.markup)
    if block.type == "bullet_list_open":
        return re.compile(rf" {{0,3}}{marker}(?:[ \t]|$)")
    if block.type == "ordered_list_open":
        return re.compile(rf" {{0,3}}[0-9]{{1,9}}{marker}(?:[ \t]|$)")
    return None


def _lines_of(text: str) -> list[str]:
    """Lines with their ``\\n``, the last maybe without; only ``\\n`` ends a line."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _starts(tokens: Sequence[Token]) -> list[int]:
    """First line of every top-level block."""
    return [t.map[0] for t in tokens if t.level == 0 and t.nesting != -1 and t.map is not None]


def _open_fence(tokens: Sequence[Token], lines: Sequence[str]) -> re.Pattern[str] | None:
    """The closing-fence pattern if the last top-level block is a fence still open."""
    last = next((t for t in reversed(tokens) if t.level == 0 and t.nesting != -1), None)
    if last is None or last.type != "fence" or last.map is None or not last.markup:
        return None
    start, end = last.map
    if end != len(lines):
        return None
    marker = re.escape(last.markup[0])
    closing = re.compile(rf" {{0,3}}{marker}{{{len(last.markup)},}}[ \t]*$")
    if end - start >= 2 and closing.match(lines[end - 1]):
        return None
    return closing


def _may_start_block(
    previous: str, line: str, last_type: str, item: re.Pattern[str] | None
) -> bool:
    """Could ``line`` begin a new top-level block after ``previous`` (in a ``last_type`` block)?

    Only a filter to skip parses: answering True when unsure costs a parse, never correctness.
    """
    if not line.strip():
        return False  # a blank line never starts a block
    if item is not None and item.match(line) and not _RULE.match(line):
        return False  # the next item of the same list
    if not previous.strip() or last_type not in _CONTINUED_BY_TEXT:
        return True
    if line.lstrip(" ").startswith(_OWN_PREFIX.get(last_type, "\n")):
        return False  # one more quote line or table row
    return _MAY_INTERRUPT.match(line) is not None


def _cut(lines: Sequence[str], bounds: Sequence[int]) -> list[str]:
    return ["".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]


def split_blocks(text: str) -> list[str]:
    """All top-level blocks of a finished text; ``"".join`` of the result is ``text``."""
    lines = _lines_of(text)
    starts = _starts(_PARSER.parse(text)) if text else []
    return _cut(lines, [0, *starts[1:], len(lines)]) if lines else []


class BlockSplitter:
    """Feed streamed Markdown; get back the top-level blocks that are finished."""

    def __init__(self) -> None:
        self.parses = 0  # how many times pending text was parsed (for tests and benchmarks)
        self._reset()

    def _reset(self) -> None:
        self._lines: list[str] = []  # complete pending lines, each ending in "\n"
        self._partial: list[str] = []  # pieces of the unfinished last line
        self._closing: re.Pattern[str] | None = None  # set while a top-level fence is open
        self._fence_opener = ""
        self._last_type = ""  # token type of the last top-level block at the last parse
        self._item: re.Pattern[str] | None = None  # next-item pattern if that block is a list
        self._grows = True  # may that block take more lines (not a heading, rule, closed fence)
        self._unparsed = 0
        self._hint = False  # has a line arrived since the last parse that may start a block?

    @property
    def tail(self) -> str:
        """Source not yet committed: the unfinished last block(s), partial line included."""
        return "".join(self._lines) + "".join(self._partial)

    def feed(self, text: str) -> list[str]:
        """Append streamed text; return the blocks that are now complete, in order."""
        if "\n" not in text:
            if text:
                self._partial.append(text)
            return []
        head, _, rest = text.rpartition("\n")
        self._partial.append(head)
        new = [line + "\n" for line in "".join(self._partial).split("\n")]
        self._partial = [rest] if rest else []
        self._lines.extend(new)
        if self._closing is not None:
            if not any(self._closing.match(line) for line in new):
                return []
            self._closing = None
        else:
            self._unparsed += len(new)
            self._hint = self._hint or self._may_start(new)
            patience = 1 + len(self._lines) // _REPARSE_DIVISOR if self._grows else 1
            if not self._hint or self._unparsed < patience:
                return []
        return self._commit()

    def finish(self) -> list[str]:
        """End of stream: every remaining block (joined, exactly the uncommitted source)."""
        text = self.tail
        self._reset()
        return split_blocks(text)

    def preview(self, max_lines: int) -> str:
        """The tail, or a cheap stand-in of its last ``max_lines`` lines for a live preview.

        An open fence keeps its opening line so the preview still renders as code.
        """
        if len(self._lines) <= max_lines:
            return self.tail
        opener = self._fence_opener if self._closing is not None else ""
        return opener + "".join(self._lines[-max_lines:]) + "".join(self._partial)

    def _may_start(self, new: list[str]) -> bool:
        """Could one of the ``new`` lines (just appended) start the next block?"""
        before = len(self._lines) - len(new)
        previous = [self._lines[before - 1] if before else "", *new[:-1]]
        return any(
            _may_start_block(prev, line, self._last_type, self._item)
            for prev, line in zip(previous, new, strict=True)
        )

    def _commit(self) -> list[str]:
        lines = self._lines
        tokens = _PARSER.parse("".join(lines))
        self.parses += 1
        self._unparsed = 0
        self._hint = False
        starts = _starts(tokens)
        last = next((t for t in reversed(tokens) if t.level == 0 and t.nesting != -1), None)
        self._last_type = last.type if last is not None else ""
        self._item = _item_pattern(last) if last is not None else None
        self._closing = _open_fence(tokens, lines)
        self._grows = self._last_type not in _CLOSED_TYPES or self._closing is not None
        if self._closing is not None:
            self._fence_opener = lines[starts[-1]]
        if len(starts) < 2:
            return []
        self._lines = lines[starts[-1] :]
        return _cut(lines, [0, *starts[1:]])
