"""The recap of a resumed conversation: each turn rendered on its own, answers cut at block
boundaries with their fences closed (pure rules, then the real chat in a pseudo-terminal)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qwenchat.chat.recap import RECAP_CHARS, shortened
from qwenchat.core.fences import close_fences, open_fence
from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import ENTER, Tty

CODE = "Here is the script:\n\n```python\n" + "".join(f"print({n})\n" for n in range(60)) + "```\n"
TABLE = "| name | value |\n| --- | --- |\n" + "".join(f"| row{n} | {n} |\n" for n in range(40))


def test_a_long_code_block_is_cut_between_lines_and_its_fence_closed() -> None:
    short = shortened(CODE)
    assert short.startswith("Here is the script:\n\n```python\nprint(0)\n")
    assert open_fence(short) is None
    assert short.endswith("```\n\n*…*")
    assert len(short) < RECAP_CHARS + 20


def test_whole_blocks_are_kept_and_a_table_keeps_its_header() -> None:
    answer = "First paragraph.\n\nSecond paragraph.\n\n" + "x " * 400
    assert shortened(answer) == "First paragraph.\n\nSecond paragraph.\n\n*…*"
    table = shortened(TABLE)
    assert table.startswith("| name | value |\n| --- | --- |\n| row0 | 0 |")
    assert all(line.startswith("|") for line in table.split("\n\n")[0].split("\n"))
    assert shortened("short answer") == "short answer"


@pytest.mark.parametrize(
    ("text", "fence"),
    [
        ("```\ncode", "```"),
        ("~~~~ sh\nls\n~~~", "~~~~"),  # a shorter run does not close it
        ("- item\n  ```js\n  x()", "```"),
        ("> ```\n> quoted", "```"),
        ("```\na\n```\ndone", None),
        ("````\n```\ninner\n```\n", "````"),  # a fence inside a fence is text
        ("``` not `a` fence", None),  # an info string with a backtick: inline code
        ("    ```\nindented code", None),
    ],
)
def test_open_fences_are_found(text: str, fence: str | None) -> None:
    assert open_fence(text) == fence
    assert open_fence(close_fences(text)) is None


@pytest.fixture
def resumed(cli: Cli, tty_env: dict[str, str]) -> Iterator[Tty]:
    cli.server.enqueue(Reply(answer=CODE), Reply(answer=TABLE), Reply(answer="```sh\nls -la\n"))
    assert cli("ask", "first question").exit_code == 0
    for question in ("second question", "third question"):
        assert cli("ask", "-c", question).exit_code == 0
    session = Tty("-c", env=tty_env)
    session.wait_for("›")
    yield session
    session.close()


def test_resuming_renders_every_turn_on_its_own(resumed: Tty) -> None:
    resumed.wait_for("you: third question")
    screen = resumed.text()
    assert "**" not in screen  # no label shown as literal Markdown
    for question in ("first question", "second question", "third question"):
        assert f"you: {question}" in screen
    assert "print(0)" in screen
    assert "row0" in screen
    assert "ls -la" in screen
    assert "```" not in screen  # every fence closed, so none is shown as text
    assert screen.index("print(0)") < screen.index("you: second question") < screen.index("row0")
    resumed.send("/exit" + ENTER)


def test_export_md_closes_the_fence_of_an_interrupted_answer(cli: Cli) -> None:
    cut = Reply(answer="Run this:\n\n```sh\nmake all\nmake install\n", chunk_size=8, cut_after=3)
    cli.server.enqueue(cut, Reply(answer="Fine."))
    assert cli("ask", "build it").exit_code == 1  # the stream ended early: saved as cut short
    assert cli("ask", "-c", "and then?").exit_code == 0
    markdown = cli("sessions", "export", "1", "--format", "md").stdout
    assert open_fence(markdown) is None
    answer = markdown.split("## 2. You")[0]
    assert "```sh\nmake al" in answer
    assert answer.rstrip().endswith("```")  # closed before the next turn's heading
