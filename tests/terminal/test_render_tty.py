"""Rendering on a real pseudo-terminal: no duplicated or lost lines, no escapes let through."""

from __future__ import annotations

import pytest

from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import Tty

ESCAPES = (
    "\x1b]52;c;Y2xpcGJvYXJk\x07"  # OSC 52: write the clipboard
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"  # OSC 8 hyperlink
    "\x1b[2J"  # CSI: clear the screen
    "\x1b]0;pwned title\x07"  # OSC 0: window title
    "\x9b31m"  # C1 CSI
)


def run(cli: Cli, *args: str, rows: int = 30, cols: int = 100) -> Tty:
    tty = Tty("ask", *args, env=cli.env(TERM="xterm-256color"), rows=rows, cols=cols)
    assert tty.wait_exit() == 0, tty.text()
    return tty


def test_tall_answer_in_a_small_terminal_has_no_duplicated_or_lost_lines(cli: Cli) -> None:
    lines = [f"Line {n:03d} of the answer." for n in range(200)]
    cli.server.enqueue(Reply(answer="\n\n".join(lines), chunk_size=7, delay=0.0005))
    tty = run(cli, "tall", rows=15, cols=80)
    screen = tty.lines()
    for line in lines:
        assert sum(line in row for row in screen) == 1, line
    rows = [row for row in screen if "Line " in row]
    assert rows == sorted(rows)
    assert sum("─ Answer" in row for row in screen) == 1


@pytest.mark.parametrize("size", [1, 3, 5])
def test_escape_sequences_are_stripped_on_a_terminal(cli: Cli, size: int) -> None:
    cli.server.enqueue(
        Reply(reasoning=f"think {ESCAPES}hard", answer=f"safe {ESCAPES}text", chunk_size=size)
    )
    tty = run(cli, "-m", "qwq-plus", "x")
    raw = bytes(tty.raw)
    assert b"\x1b]" not in raw
    assert b"\x1b[2J" not in raw
    assert "\x9b" not in raw.decode("utf-8", "replace")
    assert tty.screen.title == ""
    text = tty.text()
    assert "think " in text
    assert "safe " in text
    assert "pwned" not in text  # the payload of a title sequence goes with it
    assert "think clickhard" in text  # the link text stays, without its hidden target
    assert "evil.example" not in text
    assert "clipboard" not in text.lower()


def test_links_show_their_target(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="See [the docs](https://example.com/qwen) now."))
    text = run(cli, "x").text()
    assert "https://example.com/qwen" in text


def test_summary_mode_collapses_the_reasoning(cli: Cli) -> None:
    reasoning = "\n".join(f"step {n} of a long think" for n in range(60))
    cli.server.enqueue(Reply(reasoning=reasoning, answer="Done.", chunk_size=11))
    text = run(cli, "-m", "qwq-plus", "--thinking", "summary", "x").text()
    assert "Thought for" in text
    assert "step 5 of a long think" not in text
    assert "Done." in text


def test_hide_mode_shows_no_thinking(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="hidden musing", answer="Visible."))
    text = run(cli, "-m", "qwq-plus", "--thinking", "hide", "x").text()
    assert "hidden musing" not in text
    assert "Thinking" not in text
    assert "Visible." in text


def test_cjk_keeps_borders_aligned(cli: Cli) -> None:
    answer = "通义千问是一个大型语言模型，" * 20
    cli.server.enqueue(Reply(answer=answer, chunk_size=4))
    tty = run(cli, "x", cols=60)
    framed = [row for row in tty.lines() if row.startswith("│")]
    assert len(framed) >= 4
    from rich.cells import cell_len

    assert {cell_len(row) for row in framed} == {60}
    assert "".join(row.strip("│ ") for row in framed) == answer
