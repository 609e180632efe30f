"""What of an answer's Markdown the chat's view does not show (pure: source in, counts out).

`/copy` puts the Markdown source on the clipboard, and that source can hold text the user never
saw: Rich's Markdown (as the chat shows answers, links with their URL) drops HTML blocks,
inline HTML and comments (`<!-- ; curl … | sh -->`) and image addresses, and link reference
definitions are not text at all. `hidden` counts those characters so `/copy` can say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable("strikethrough").enable("table")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[^\n]*$", re.MULTILINE)


@dataclass(frozen=True)
class Hidden:
    characters: int
    kinds: tuple[str, ...]  # "HTML", "image addresses", "link references"


def hidden(markdown: str) -> Hidden:
    """How many characters of `markdown` the view leaves out, and of which kinds."""
    env: dict[str, object] = {}
    counts: dict[str, int] = {}
    for kind, size in _hidden_parts(_PARSER.parse(markdown, env)):
        counts[kind] = counts.get(kind, 0) + size
    if env.get("references"):
        counts["link references"] = sum(len(m.group()) for m in _REFERENCE.finditer(markdown))
    kinds = tuple(k for k, n in counts.items() if n)
    return Hidden(sum(counts.values()), kinds)


def _hidden_parts(tokens: list[Token]) -> Iterator[tuple[str, int]]:
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            yield "HTML", len(token.content.strip())
        elif token.type == "image":
            src, title = token.attrs.get("src", ""), token.attrs.get("title", "")
            yield "image addresses", len(str(src)) + len(str(title or ""))
        if token.children:
            yield from _hidden_parts(token.children)
