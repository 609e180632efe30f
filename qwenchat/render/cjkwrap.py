"""Line breaks for Chinese, Japanese and Korean next to Latin text.

Rich wraps at whitespace only, so a run like `的时候，你可以Qwen模型` is one long "word": it moves
whole to the next row and leaves the row before it half empty. CJK text may break between any
two characters; here each CJK character is a word of its own (closing punctuation stays with
the character before it, so no row starts with `，`), Latin runs stay whole. Text without CJK
takes Rich's own code, unchanged. `install()` makes Rich's `Text.wrap` (and so Markdown, panels
and tables) use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich import _wrap
from rich import text as rich_text
from rich._loop import loop_last
from rich.cells import cell_len, chop_cells

_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0002fa1f"
)
_CLOSING = "、。，．：；！？）」』】〉》〕］｝”’"
HAS_CJK = re.compile(f"[{_CJK}]")
RE_WORD = re.compile(rf"\s*(?:[{_CJK}][{_CLOSING}]*|[^\s{_CJK}]+)\s*")


def words(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, word) for each word and the whitespace after it; a CJK character is a word."""
    if not HAS_CJK.search(text):
        yield from _wrap.words(text)
        return
    for match in RE_WORD.finditer(text):
        yield match.start(), match.end(), match.group(0)


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Rich's `divide_line` (offsets to break `text` at for `width` cells) with CJK words."""
    if not HAS_CJK.search(text):
        return _RICH_DIVIDE_LINE(text, width, fold)
    breaks: list[int] = []
    offset = 0
    for start, _end, word in words(text):
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length > width:
            if not fold:
                if start:
                    breaks.append(start)
                offset = cell_len(word)
                continue
            for last, piece in loop_last(chop_cells(word, width=width)):
                if start:
                    breaks.append(start)
                if last:
                    offset = cell_len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return breaks


_RICH_DIVIDE_LINE = _wrap.divide_line


def install() -> None:
    """Make Rich's Text wrapping break CJK text between characters (idempotent)."""
    rich_text.divide_line = divide_line  # type: ignore[attr-defined]
