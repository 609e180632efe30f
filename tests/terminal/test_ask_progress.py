"""`ask > file` at a terminal shows progress on stderr; `--plain` labels the reasoning."""

from __future__ import annotations

import sys

from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import Tty


def test_progress_on_stderr_while_the_answer_goes_to_a_file(cli: Cli) -> None:
    answer = "word " * 60
    cli.server.enqueue(Reply(answer=answer, chunk_size=5, delay=0.02))
    out = cli.home / "work" / "answer.txt"
    tty = Tty(env=cli.env(), shell=f"{sys.executable} -m qwenchat ask hi > {out}")
    assert tty.wait_exit() == 0
    raw = tty.raw.decode("utf-8", "replace")
    assert "qwenchat: writing the answer · " in raw
    assert " chunks" in raw
    assert "writing the answer" not in tty.text()  # erased when the answer was complete
    assert out.read_text().strip() == answer.strip()


def test_no_progress_when_stderr_is_not_a_terminal(cli: Cli) -> None:
    result = cli.subprocess("ask", "hi")
    assert "writing the answer" not in result.stderr


def test_plain_labels_the_reasoning(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="let me see", answer="42"))
    result = cli("ask", "--plain", "--think", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "42\n"
    assert result.stderr.startswith("Reasoning:\nlet me see\n(end of reasoning)\n")
