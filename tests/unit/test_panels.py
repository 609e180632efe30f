"""MarkdownPanel and TextPanel: framing, safety, live-tail behaviour and linear cost."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from qwenchat.render import frame, panels
from qwenchat.render.mdblocks import split_blocks
from qwenchat.render.panels import MarkdownPanel, TextPanel
from tests.unit.test_mdblocks import chunk, plain_lines, render_oneshot

REASONING = "Let me think.\n\nFirst [bold]x[/] then 中文推理没有空格的很长的一段话。\n\n\n"


def make_console(width: int, out: io.StringIO, *, height: int = 24, tty: bool = True) -> Console:
    return Console(
        width=width,
        height=height,
        file=out,
        force_terminal=tty,
        force_interactive=tty,
        color_system="truecolor" if tty else None,
    )


def render_text_oneshot(text: str, width: int, subtitle: str | None = None) -> str:
    """The reference for TextPanel(mode="full"): Rich's Panel around the reasoning without its
    leading and trailing newlines, the summary and note joined in the bottom edge."""
    out = io.StringIO()
    make_console(width, out).print(
        Panel(
            Text(text.strip("\n"), style="dim"),
            title=Text("Thinking"),
            title_align="left",
            subtitle=Text(subtitle, style="dim") if subtitle else None,
            subtitle_align="left",
            box=box.ROUNDED,
            border_style="dim",
        )
    )
    return out.getvalue()


def stream_text(chunks: list[str], width: int, **close: str | None) -> str:
    out = io.StringIO()
    panel = TextPanel(make_console(width, out), live=False)
    for piece in chunks:
        panel.feed(piece)
    panel.close(**close)
    return out.getvalue()


def test_text_panel_full_mode_framing() -> None:
    output = stream_text(chunk(REASONING, [3, 7]), 40, summary="Thought for 1.2 s")
    assert output == render_text_oneshot(REASONING, 40, "Thought for 1.2 s")
    lines = plain_lines(output)
    assert lines[0].startswith("╭─ Thinking ─")
    assert lines[0].endswith("╮")
    assert lines[1] == "│ Let me think.                        │"
    assert lines[2].strip("│ ") == ""
    assert lines[-2].startswith("╰─ Thought for 1.2 s ─")
    assert lines[-1] == ""


REASONING_TEXT = st.lists(
    st.sampled_from(
        [
            "word ",
            "longer ",
            "x",
            "  ",
            " ",
            "\n",
            "\n\n",
            "中文",
            "推理。",
            "😀",
            "a" * 30,
            "supercalifragilistic",
            "\t",
            "[b]",
            "-",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    REASONING_TEXT.filter(lambda text: text.strip("\n") != ""),
    st.lists(st.integers(1, 15), min_size=1, max_size=5),
    st.sampled_from([12, 20, 41]),
)
def test_text_panel_streamed_equals_one_shot(text: str, sizes: list[int], width: int) -> None:
    """Rows committed early (before their line ends) are exactly the rows of the whole text."""
    streamed, expected = stream_text(chunk(text, sizes), width), render_text_oneshot(text, width)
    assert plain_lines(streamed) == plain_lines(expected)
    if "\t" not in text:  # a late tab is expanded by the panel: same cells, other segments
        assert streamed == expected


@pytest.mark.parametrize("width", [20, 33, 60])
def test_cjk_keeps_borders_aligned(width: int) -> None:
    table = "| 表 | 格 |\n|---|---|\n| 中文 | ok |\n"
    cjk = "中文段落没有空格，宽字符必须保持边框对齐。" * 3 + "\n\n" + table
    answer = io.StringIO()
    panel = MarkdownPanel(make_console(width, answer), live=False)
    for piece in chunk(cjk, [2, 5]):
        panel.feed(piece)
    panel.close("中断")
    thinking = stream_text(chunk(cjk, [3]), width, summary="思考")
    for output in (answer.getvalue(), thinking):
        lines = plain_lines(output)[:-1]
        assert len(lines) > 4
        assert {cell_len(line) for line in lines} == {width}
        assert all(line[0] in "╭│╰" and line[-1] in "╮│╯" for line in lines)


def test_markup_is_printed_literally() -> None:
    text = "[bold]x[/] and [link=https://evil.test]y[/link] and [red]z"
    out = io.StringIO()
    answer = MarkdownPanel(make_console(80, out), live=False)
    answer.feed(text)
    answer.close()
    assert text in "\n".join(plain_lines(out.getvalue()))
    thinking = stream_text([text], 80)
    assert text in "\n".join(plain_lines(thinking))
    assert "evil.test" not in out.getvalue().replace(text, "")  # no OSC 8 link emitted


def test_control_sequences_never_reach_the_console() -> None:
    out = io.StringIO()
    answer = MarkdownPanel(make_console(60, out, tty=False), live=False)
    for piece in chunk("safe \x1b]52;c;aGk=\x07text\x1b[2J and \x9b31m more\n", [2]):
        answer.feed(piece)
    answer.close()
    assert "\x1b" not in out.getvalue()
    assert "safe text and  more" in out.getvalue()


def test_close_shows_the_note_and_is_idempotent() -> None:
    out = io.StringIO()
    panel = MarkdownPanel(make_console(50, out), live=False)
    panel.feed("Partial answ")
    panel.close("interrupted")
    printed = out.getvalue()
    assert printed == render_oneshot("Partial answ", 50, "interrupted")
    assert "╰─ interrupted ─" in plain_lines(printed)[-2]
    panel.close("again")
    panel.feed("late text")
    assert out.getvalue() == printed


def test_text_panel_close_is_idempotent_and_joins_summary_and_note() -> None:
    out = io.StringIO()
    panel = TextPanel(make_console(50, out), live=False)
    panel.feed("thinking...")
    panel.close(summary="Thought for 3.0 s", note="interrupted")
    printed = out.getvalue()
    assert "╰─ Thought for 3.0 s · interrupted ─" in plain_lines(printed)[-2]
    panel.close(summary="other")
    assert out.getvalue() == printed


def test_nothing_fed_prints_nothing() -> None:
    out = io.StringIO()
    MarkdownPanel(make_console(50, out), live=False).close()
    TextPanel(make_console(50, out), live=False).close()
    assert out.getvalue() == ""


def test_summary_mode_without_live_prints_only_the_summary() -> None:
    out = io.StringIO()
    panel = TextPanel(make_console(60, out), mode="summary", live=False)
    for piece in chunk(REASONING * 5, [4]):
        panel.feed(piece)
    panel.close(summary="Thought for 12.4 s · 1,830 reasoning tokens")
    assert plain_lines(out.getvalue()) == [
        "Thought for 12.4 s · 1,830 reasoning tokens",
        "",
    ]


def long_answer() -> str:
    section = (
        "## Section {n}\n\nA paragraph about item {n} with **bold** text and `code`.\n\n"
        "- first point\n- second point\n\n```python\nprint({n})\n```\n\n"
        "| k | v |\n|---|---|\n| {n} | x |\n\n"
    )
    text = ""
    n = 0
    while len(text) < 50_000:
        n += 1
        text += section.format(n=n)
    return text


def test_long_answer_renders_each_block_once() -> None:
    text = long_answer()
    chunks = chunk(text, [1, 3, 2, 4])
    assert len(chunks) > 20_000
    out = io.StringIO()
    panel = MarkdownPanel(make_console(100, out, height=40), live=False)
    for piece in chunks:
        panel.feed(piece)
    panel.close()
    blocks = len(split_blocks(text))
    assert panel.renders == blocks  # linear: one Markdown render per block, none per chunk
    assert panel._splitter.parses <= text.count("\n")
    assert plain_lines(out.getvalue()) == plain_lines(render_oneshot(text, 100))


class FrozenClock:
    """time stand-in: no refresh ever comes due after the first."""

    @staticmethod
    def monotonic() -> float:
        return 1000.0


def test_live_tail_renders_stay_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(panels, "time", FrozenClock)
    monkeypatch.setattr(frame, "time", FrozenClock)  # the frame's throttle reads the same clock
    text = long_answer()
    panel = MarkdownPanel(make_console(100, io.StringIO(), height=40), live=True)
    for piece in chunk(text, [1, 3, 2, 4]):
        panel.feed(piece)
    panel.close()
    assert panel.renders <= len(split_blocks(text)) + 1


CONTROL = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\r|\n")


def replay(output: str) -> list[str]:
    """The screen a terminal shows after ``output`` (cursor moves, erases; styles dropped)."""
    screen: list[str] = [""]
    row = col = 0
    at = 0
    for match in [*CONTROL.finditer(output), None]:
        text = output[at : match.start() if match else len(output)]
        line = screen[row].ljust(col)
        screen[row] = line[:col] + text + line[col + len(text) :]
        col += len(text)
        if match is None:
            break
        at = match.end()
        token, code = match.group(0), match.group(2)
        if token == "\n":
            row, col = row + 1, 0
            screen.extend([""] * (row + 1 - len(screen)))
        elif token == "\r":
            col = 0
        elif code == "A":
            row -= int(match.group(1) or 1)
        elif code == "K":
            screen[row] = ""
    # Blank rows below the cursor are what a terminal shows as empty space: not output.
    used = max([row, *(i for i, line in enumerate(screen) if line)])
    return screen[: used + 1]


def test_live_mode_leaves_exactly_the_one_shot_on_screen() -> None:
    text = "# Title\n\n" + long_answer()[:3000] + "```\nunclosed " + "line\n" * 30
    out = io.StringIO()
    panel = MarkdownPanel(make_console(70, out, height=12), refresh_per_second=1e9)
    for piece in chunk(text, [5, 9]):
        panel.feed(piece)
    expected = plain_lines(render_oneshot(text, 70, "done"))
    screen = replay(out.getvalue())
    # Committed lines are final; below them only the live tail, at most height - 1 lines.
    assert any(screen[:-k] == expected[: len(screen) - k] for k in range(1, 12))
    assert screen[-1].startswith("│ ")
    assert screen[-1].endswith(" │")
    panel.close("done")
    assert replay(out.getvalue()) == expected


def test_live_tail_is_never_taller_than_the_screen() -> None:
    out = io.StringIO()
    panel = MarkdownPanel(make_console(50, out, height=10), refresh_per_second=1e9)
    panel.feed("```\n" + "code line\n" * 100)
    screen = [line for line in replay(out.getvalue()) if line]
    assert screen[0].startswith("╭─ Answer")
    assert 1 <= len(screen) - 1 <= 9  # only the newest lines of the open fence
    assert "code line" in screen[-1] or "code line" in screen[-2]
    panel.close()


def test_text_panel_live_modes_leave_the_right_screen() -> None:
    out = io.StringIO()
    full = TextPanel(make_console(30, out, height=8), refresh_per_second=1e9)
    for piece in chunk(REASONING * 4, [3, 11]):
        full.feed(piece)
    full.close(summary="Thought for 2.0 s")
    assert replay(out.getvalue()) == plain_lines(
        render_text_oneshot(REASONING * 4, 30, "Thought for 2.0 s")
    )
    out = io.StringIO()
    summary = TextPanel(make_console(30, out, height=8), mode="summary", refresh_per_second=1e9)
    for piece in chunk(REASONING * 4, [3, 11]):
        summary.feed(piece)
    assert "╭─ Thinking" in replay(out.getvalue())[0]  # the transient tail while thinking
    summary.close(summary="Thought for 2.0 s")
    assert replay(out.getvalue()) == ["Thought for 2.0 s", ""]


def test_non_terminal_console_gets_plain_committed_output() -> None:
    out = io.StringIO()
    panel = MarkdownPanel(make_console(60, out, tty=False), live=True)
    for piece in chunk("# Hi\n\nSome *text*.\n", [2]):
        panel.feed(piece)
    panel.close()
    expected = io.StringIO()
    make_console(60, expected, tty=False).print(
        Panel(
            Markdown("# Hi\n\nSome *text*.\n", hyperlinks=False),
            title=Text("Answer"),
            title_align="left",
            box=box.ROUNDED,
            border_style="cyan",
        )
    )
    assert out.getvalue() == expected.getvalue()
    assert "\x1b" not in out.getvalue()
