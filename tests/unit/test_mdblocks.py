"""BlockSplitter, and MarkdownPanel's promise: streamed in any chunks == rendered in one go."""

from __future__ import annotations

import io
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from qwenchat.render.mdblocks import BlockSplitter, split_blocks
from qwenchat.render.panels import MarkdownPanel


def make_console(width: int, out: io.StringIO) -> Console:
    return Console(width=width, height=24, file=out, force_terminal=True, color_system="truecolor")


def render_oneshot(text: str, width: int, note: str | None = None) -> str:
    """THE reference: Rich's own Panel around Rich's own Markdown of the whole text, printed
    once. MarkdownPanel(live=False) streaming the same text must print exactly this."""
    out = io.StringIO()
    make_console(width, out).print(
        Panel(
            Markdown(text, hyperlinks=False),
            title=Text("Answer"),
            title_align="left",
            subtitle=Text(note, style="dim") if note else None,
            subtitle_align="left",
            box=box.ROUNDED,
            border_style="cyan",
        )
    )
    return out.getvalue()


def render_streamed(chunks: list[str], width: int, note: str | None = None) -> str:
    out = io.StringIO()
    panel = MarkdownPanel(make_console(width, out), live=False)
    for chunk in chunks:
        panel.feed(chunk)
    panel.close(note)
    return out.getvalue()


def plain_lines(ansi: str) -> list[str]:
    return Text.from_ansi(ansi).plain.split("\n")


def chunk(text: str, sizes: list[int]) -> list[str]:
    pieces: list[str] = []
    at = 0
    for size in itertools.cycle(sizes):
        if at >= len(text):
            return pieces
        pieces.append(text[at : at + size])
        at += size
    raise AssertionError("unreachable")


PIECES = [
    "# Heading one",
    "## Heading *two* with `code`",
    "Setext heading\n==============",
    "Another setext\n---",
    "A paragraph with **bold**, _emphasis_, ~~strike~~, `code` and a [link](https://e.com/a?b=c).",
    "Line one of a paragraph\nline two, softly broken  \nafter a hard break",
    "1. one\n2. two\n3. three",
    "7. starts at seven\n8. eight",
    "- loose item\n\n- another loose item\n\n  ```\n  code in an item\n  ```\n- last",
    "* tight\n* list\n  * nested\n    more nested text",
    "1. item\n\n   ```python\n   x = 1\n\n   y = 2\n   ```\n\n2. item two",
    "- item\nlazy continuation",
    "> a quote\nlazy continuation\n> more\n>\n> - a list in the quote",
    "> quote with a fence\n> ```\n> inside\n> ```",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 中文 | **x** |",
    "Text right before a table\n| h1 | h2 |\n| -- | -- |\n| c1 | c2 |",
    "~~~\ntilde fence\n```\nstill inside\n~~~",
    "````markdown\n```\ninner fence\n```\n````",
    "```js\nlet x = 1;\n\n\nlet y = 2;\n```",
    "  ```\n  indented fence\n  ```",
    "    indented code\n    second line\n\n    after a blank",
    "<div>\n<b>html block</b>\n</div>",
    "<!-- a comment -->",
    "<pre>\nraw\n\nwith a blank inside\n</pre>",
    "---",
    "***",
    "中文段落没有空格中文段落没有空格中文段落没有空格中文段落没有空格中文段落没有空格。",
    "混合 English 和中文，带标点：「引号」和 emoji 😀🎉。",
    "![alt text](http://x.test/y.png) an image, then text",
    "Autolink <https://auto.test> and <kbd>Ctrl</kbd>+<kbd>C</kbd>",
    "[bold]not markup[/] and [link=http://x]not a link[/link]",
    "Term\n: not a definition list",
    "- [ ] task-like item\n- [x] done",
]
SEPARATORS = ["\n", "\n\n", "\n\n\n"]


@st.composite
def documents(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=8))
    text = parts[0]
    for part in parts[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + part
    return text + draw(st.sampled_from(["", "\n", "\n\n"]))


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(
    documents(),
    st.lists(st.integers(1, 12), min_size=1, max_size=6),
    st.sampled_from([40, 80]),
)
def test_streamed_panel_equals_one_shot(text: str, sizes: list[int], width: int) -> None:
    expected = render_oneshot(text, width)
    actual = render_streamed(chunk(text, sizes), width)
    assert plain_lines(actual) == plain_lines(expected)
    assert actual == expected  # styles too, byte for byte


@PROPERTY
@given(documents(), st.lists(st.integers(1, 12), min_size=1, max_size=6))
def test_blocks_joined_reproduce_the_source(text: str, sizes: list[int]) -> None:
    splitter = BlockSplitter()
    blocks: list[str] = []
    for piece in chunk(text, sizes):
        blocks += splitter.feed(piece)
        assert "".join(blocks) + splitter.tail == text[: len("".join(blocks) + splitter.tail)]
    blocks += splitter.finish()
    assert "".join(blocks) == text
    assert splitter.tail == ""


def test_note_is_in_the_bottom_edge() -> None:
    text = "Some *answer*.\n\n- a\n- b\n"
    assert render_streamed(chunk(text, [3]), 60, "interrupted") == render_oneshot(
        text, 60, "interrupted"
    )
    assert "╰─ interrupted ─" in plain_lines(render_streamed([text], 60, "interrupted"))[-2]


def test_ordered_list_marker_split_across_chunks_is_not_cut() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("1. one\n") == []
    assert splitter.feed("2") == []
    assert splitter.feed(". two\n") == []
    assert splitter.feed("\nAfter the list.\n") == ["1. one\n2. two\n\n"]
    assert splitter.finish() == ["After the list.\n"]


def test_unclosed_fence_stays_pending_without_reparsing() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("Intro.\n\n```python\n") == ["Intro.\n\n"]
    parses = splitter.parses
    body = "".join(f"line {i}\n\n# not a heading\n" for i in range(500))
    for line in body.splitlines(keepends=True):
        assert splitter.feed(line) == []
    assert splitter.parses == parses  # open fence: lines only matched against the closer
    assert splitter.tail == "```python\n" + body
    assert splitter.feed("```\n") == []  # closed, but complete only once the next block starts
    assert splitter.feed("Next.\n") == ["```python\n" + body + "```\n"]


def test_longer_closing_fence_and_tilde_fence() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("````\n```\nnot closed\n") == []
    assert splitter.feed("~~~~~\n````\nafter\n") == ["````\n```\nnot closed\n~~~~~\n````\n"]


def test_setext_heading_is_not_cut_from_its_text() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("Title\n") == []
    assert splitter.feed("-----\n") == []
    assert splitter.feed("Body\n") == ["Title\n-----\n"]


def test_lazy_quote_continuation_stays_with_the_quote() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("> quoted\nlazy line\n") == []
    assert splitter.feed("\nafter\n") == ["> quoted\nlazy line\n\n"]


def test_loose_list_with_fence_inside_is_one_block() -> None:
    text = "- a\n\n  ```\n  - not an item\n\n  ```\n\n- b\n\nEnd.\n"
    assert split_blocks(text) == ["- a\n\n  ```\n  - not an item\n\n  ```\n\n- b\n\n", "End.\n"]


def test_table_interrupting_a_paragraph() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("Intro line\n| a | b |\n") == []
    assert splitter.feed("|---|---|\n") == ["Intro line\n"]
    assert splitter.feed("| 1 | 2 |\n\nafter\n") == ["| a | b |\n|---|---|\n| 1 | 2 |\n\n"]


def test_preview_of_a_long_open_fence_keeps_its_opener() -> None:
    splitter = BlockSplitter()
    splitter.feed("~~~python\n" + "x = 1\n" * 100 + "y = ")
    assert splitter.preview(3) == "~~~python\n" + "x = 1\n" * 3 + "y = "
    assert splitter.preview(1000) == splitter.tail


def test_parsing_stays_linear_for_a_long_list() -> None:
    splitter = BlockSplitter()
    lines = [f"- item {i}\n  more text for {i}\n" for i in range(3000)]
    for line in lines:
        assert splitter.feed(line) == []
    assert splitter.parses < 100
    assert splitter.feed("\nAfter.\n") == ["".join(lines) + "\n"]
