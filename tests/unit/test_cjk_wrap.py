"""Chinese next to English wraps between characters, not as one long word; streaming panels
still print exactly what a one-shot render prints."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.markdown import Markdown

from qwenchat.render.cjkwrap import divide_line
from qwenchat.render.output import safe_console
from qwenchat.render.panels import MarkdownPanel
from tests.unit.test_mdblocks import chunk, plain_lines, render_oneshot
from tests.unit.test_panels import make_console, render_text_oneshot, stream_text

MIXED = (
    "使用 qwenchat 的时候，你可以在终端里直接和Qwen模型聊天并且看到它的思考过程，中英混合也一样。"
)


def rendered(text: str, width: int) -> list[str]:
    out = io.StringIO()
    console = safe_console(out)
    console.width = width
    console.print(Markdown(text))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_mixed_text_fills_each_row() -> None:
    rows = rendered(MIXED, 40)
    assert rows[0] == "使用 qwenchat 的时候，你可以在终端里直接"
    assert all(cell_len(row) >= 38 for row in rows[:-1])


def test_no_row_starts_with_closing_punctuation() -> None:
    for width in range(10, 41):
        assert not any(row.startswith(("，", "。")) for row in rendered(MIXED, width))


def test_latin_words_stay_whole() -> None:
    assert divide_line("中文 hello world 中文", 8) == [3, 9, 16]
    assert divide_line("plain english words only", 10) == [6, 14]


@pytest.mark.parametrize("width", [17, 30, 41])
def test_streamed_answer_equals_one_shot(width: int) -> None:
    text = (MIXED * 3) + "\n\n- 列表项目English混合\n- second 项目\n"
    out = io.StringIO()
    panel = MarkdownPanel(make_console(width, out), live=False)
    for piece in chunk(text, [3, 7]):
        panel.feed(piece)
    panel.close()
    assert out.getvalue() == render_oneshot(text, width)


CJK_REASONING = st.lists(
    st.sampled_from(["中", "文", "，", "Qwen", "model", " ", "\n", "。", "思考"]), max_size=60
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    CJK_REASONING.filter(lambda text: text.strip("\n") != ""),
    st.lists(st.integers(1, 9), min_size=1, max_size=4),
    st.sampled_from([8, 13, 20]),
)
def test_streamed_reasoning_equals_one_shot(text: str, sizes: list[int], width: int) -> None:
    streamed = stream_text(chunk(text, sizes), width)
    assert plain_lines(streamed) == plain_lines(render_text_oneshot(text, width))
