"""`--no-panels` / `panels = false`: replies without borders, code a mouse can copy whole."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from qwenchat.core.reply import ToolCall
from qwenchat.render.borderless import Bare, CopyableMarkdown
from qwenchat.render.panels import MarkdownPanel, TextPanel
from qwenchat.render.toolpanel import RichToolView
from tests.conftest import Cli, assert_clean_failure, write_config
from tests.fakeserver import Reply
from tests.tty import PROMPT, Tty, say
from tests.unit.test_mdblocks import PROPERTY, chunk, documents, plain_lines
from tests.unit.test_panels import REASONING, long_answer, make_console, replay

BOX = set("╭╮╰╯│")  # a table keeps its rule under the header
CODE = "```python\n" + "x = '" + "0123456789" * 12 + "'\nif x:\n    print(x)\n```\n"


def oneshot(text: str, width: int, note: str | None = None) -> str:
    """The reference: the title line, Rich's Markdown of the whole answer (copyable code),
    its lines without trailing blanks, then the note."""
    out = io.StringIO()
    console = make_console(width, out)
    console.print(Text("Answer", style="bold cyan"))
    console.print(Bare(CopyableMarkdown(text, hyperlinks=False)), crop=False)
    if note:
        console.print(Text(note, style="dim"))
    console.print()  # a blank line ends the answer
    return out.getvalue()


def streamed(pieces: list[str], width: int, note: str | None = None) -> str:
    out = io.StringIO()
    panel = MarkdownPanel(make_console(width, out), live=False, boxed=False)
    for piece in pieces:
        panel.feed(piece)
    panel.close(note)
    return out.getvalue()


@PROPERTY
@given(
    documents(),
    st.lists(st.integers(1, 12), min_size=1, max_size=6),
    st.sampled_from([40, 80]),
)
def test_streamed_without_borders_equals_one_shot(text: str, sizes: list[int], width: int) -> None:
    actual, expected = streamed(chunk(text, sizes), width), oneshot(text, width)
    assert actual == expected  # styles too, byte for byte
    assert not BOX & set("".join(plain_lines(actual)))


def test_code_lines_copy_whole_with_nothing_around_them() -> None:
    text = "Here is the code:\n\n" + CODE + "\nDone."
    lines = plain_lines(streamed(chunk(text, [4, 9]), 40, note="incomplete"))
    assert lines[0] == "Answer"
    long_line = "x = '" + "0123456789" * 12 + "'"
    # the 125-column line is one line (the terminal wraps it), with no padding before or after
    assert long_line in lines
    assert "if x:" in lines
    assert "    print(x)" in lines
    assert all(line == line.rstrip() for line in lines)  # no trailing blanks to copy
    assert lines[-3:] == ["incomplete", "", ""]
    assert not BOX & set("".join(lines))


def test_code_inside_a_list_folds_instead_of_losing_text() -> None:
    text = "- item\n\n  ```\n  " + "abcdefghij" * 6 + "\n  ```\n"
    plain = "".join(line.strip() for line in plain_lines(streamed([text], 30)))
    assert "abcdefghij" * 6 in plain


def test_code_has_no_background_and_the_terminals_colours() -> None:
    output = streamed([CODE], 60)
    assert "\x1b[48;" not in output  # no background colour behind the code
    assert re.search(r"\x1b\[(?:[0-9;]*;)?9[0-7][;m]", output)  # highlighted in ANSI colours
    assert "\x1b[38;2;" not in output  # none of the dark theme's own colours


def test_live_tail_without_borders_leaves_the_one_shot() -> None:
    text = "# Title\n\n" + long_answer()[:3000] + "```\nunclosed " + "line\n" * 30
    out = io.StringIO()
    panel = MarkdownPanel(make_console(70, out, height=12), refresh_per_second=1e9, boxed=False)
    for piece in chunk(text, [5, 9]):
        panel.feed(piece)
    screen = replay(out.getvalue())
    assert screen[0] == "Answer"
    assert not BOX & set("".join(screen))
    panel.close("done")
    assert replay(out.getvalue()) == plain_lines(oneshot(text, 70, "done"))


def test_thinking_without_borders() -> None:
    out = io.StringIO()
    panel = TextPanel(make_console(30, out, height=8), refresh_per_second=1e9, boxed=False)
    for piece in chunk(REASONING * 3, [3, 11]):
        panel.feed(piece)
    panel.close(summary="Thought for 2.0 s")
    screen = replay(out.getvalue())
    reference = io.StringIO()
    make_console(30, reference).print(Text((REASONING * 3).strip("\n"), style="dim"))
    assert screen == [
        "Thinking",
        *plain_lines(reference.getvalue())[:-1],
        "Thought for 2.0 s",
        "",
        "",
    ]
    assert all(len(line) <= 30 for line in screen)


def test_thinking_summary_without_borders() -> None:
    out = io.StringIO()
    panel = TextPanel(
        make_console(30, out, height=8), mode="summary", refresh_per_second=1e9, boxed=False
    )
    for piece in chunk(REASONING * 4, [3, 11]):
        panel.feed(piece)
    assert replay(out.getvalue())[0] == "Thinking"  # the transient tail while thinking
    panel.close(summary="Thought for 2.0 s")
    assert replay(out.getvalue()) == ["Thought for 2.0 s", ""]


@pytest.mark.parametrize(
    ("config", "env", "flags", "want"),
    [
        ("", {}, [], "on"),
        ("panels = false\n", {}, [], "off"),
        ("panels = false\n", {"QWENCHAT_PANELS": "yes"}, [], "on"),
        ("", {"QWENCHAT_PANELS": "0"}, [], "off"),
        ("", {"QWENCHAT_PANELS": "off"}, ["--panels"], "on"),
        ("", {}, ["--no-panels"], "off"),
    ],
)
def test_panels_setting_layers(
    cli: Cli, home: Path, config: str, env: dict[str, str], flags: list[str], want: str
) -> None:
    write_config(home, config)
    result = cli(*flags, "config", env=cli.env(**env))
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("panels"))
    assert row.split()[1] == want


def test_a_bad_panels_value_is_one_line(cli: Cli, home: Path) -> None:
    write_config(home, 'panels = "sometimes"\n')
    result = cli("config")
    assert_clean_failure(result, 2)
    assert "panels must be true or false, got 'sometimes'" in result.stderr


ANSWER = "Run this:\n\n```sh\necho '" + "long argument " * 10 + "'\n```\n"


def test_ask_without_panels_in_a_terminal(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="Recall the shell.", answer=ANSWER, chunk_size=5))
    tty = Tty("ask", "--no-panels", "-m", "qwq-plus", "how?", env=cli.env(TERM="xterm-256color"))
    assert tty.wait_exit() == 0
    lines = tty.lines()
    assert not BOX & set("".join(lines))
    at = lines.index("Thinking")
    assert lines[at + 1] == "Recall the shell."
    assert lines.index("Answer") > at
    assert "Run this:" in lines
    # the 150-column command comes out whole: the terminal (100 columns) wraps it, so the
    # screen shows its first 100 characters at the start of a line, then the rest
    command = "echo '" + "long argument " * 10 + "'"
    assert command[:100] in lines
    assert command[100:].rstrip() in lines


def test_chat_without_panels_from_the_config(cli: Cli, home: Path, tty_env: dict[str, str]) -> None:
    write_config(home, "panels = false\n")
    cli.server.enqueue(Reply(answer="A **bold** answer.\n\n```py\nprint(1)\n```\n", chunk_size=4))
    repl = Tty(env=tty_env)
    try:
        repl.wait_for(PROMPT)
        say(repl, "hello")
        lines = repl.lines()
        assert "Answer" in lines
        assert "A bold answer." in lines
        assert "print(1)" in lines  # no padding, no border: the line copies as it is
        assert not BOX & set("".join(lines))
    finally:
        repl.close()


def test_a_tool_call_without_panels_is_one_line() -> None:
    out = io.StringIO()
    console = make_console(60, out)
    view = RichToolView(console, console, boxed=False)
    view.call(ToolCall(id="1", name="read_file", arguments='{"path": "notes.txt"}'))
    lines = [line for line in plain_lines(out.getvalue()) if line]
    assert lines == ["tool read_file", "  path: notes.txt"]
    assert not BOX & set("".join(lines))
