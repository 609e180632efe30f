"""Code fences left open (pure): an answer cut short, or shortened for a recap, can end inside a
fenced code block, and everything Markdown put after it would then read as code.

`close_fences(text)` appends the closing line such a text needs; `fenced_code(text)` is the
code of every closed fence (`ask -x`). Fences are found line by line
with CommonMark's rules: an opening line of three or more backticks (whose info string holds no
backtick) or tildes, indented at most three spaces, or inside list items and block quotes; the
fence closes at a line of the same character, at least as long, with nothing after it. Lines
between an opening and its close are code, so a fence inside a fence is text.
"""

from __future__ import annotations

import re

_OPENING = re.compile(
    r"(?P<lead>[ \t>]*(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)?)(?P<fence>`{3,}(?=[^`]*$)|~{3,})"
)


def open_fence(text: str) -> str | None:
    """The fence (e.g. "```" or "~~~~") that `text` ends inside, or None."""
    fence: str | None = None
    for line in text.split("\n"):
        if fence is None:
            match = _OPENING.match(line)
            if match is not None and _indent(match["lead"]) <= 3 + _container(match["lead"]):
                fence = match["fence"]
        elif _closes(line, fence):
            fence = None
    return fence


def fenced_code(text: str) -> list[str]:
    """The contents of every closed fenced code block of `text`, in order (an open one, cut
    short, is left out: it may be half a program)."""
    blocks: list[str] = []
    fence: str | None = None
    lead = 0
    lines: list[str] = []
    for line in text.split("\n"):
        if fence is None:
            match = _OPENING.match(line)
            if match is not None and _indent(match["lead"]) <= 3 + _container(match["lead"]):
                fence, lead, lines = match["fence"], len(match["lead"]), []
        elif _closes(line, fence):
            blocks.append("".join(f"{_dedent(code, lead)}\n" for code in lines))
            fence = None
        else:
            lines.append(line)
    return blocks


def _dedent(line: str, lead: int) -> str:
    """A code line without the indentation of its list item (or quote marks)."""
    head = line[:lead]
    return line[lead:] if not head.strip(" >") else line


def close_fences(text: str) -> str:
    """`text`, with the closing line of a fence it ends inside appended."""
    fence = open_fence(text)
    if fence is None:
        return text
    return text + ("" if text.endswith("\n") else "\n") + fence


def _closes(line: str, fence: str) -> bool:
    body = line.lstrip(" \t>")
    marker = fence[0]
    run = len(body) - len(body.lstrip(marker))
    return run >= len(fence) and not body[run:].strip()


def _indent(lead: str) -> int:
    return len(lead) - len(lead.lstrip(" "))


def _container(lead: str) -> int:
    """How much of the lead is list markers and quote marks (their content may be indented)."""
    return len(lead.strip())
