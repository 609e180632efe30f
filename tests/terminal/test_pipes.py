"""`ask | cat` on a terminal: the progress line never lands inside the answer; `ask | head -1`:
the reply stops being read when the reader goes, the turn is saved cut short, nothing is said."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import Tty

LINES = [f"line {n} of the answer" for n in range(40)]


def test_ask_into_cat_erases_the_progress_line_before_the_answer(cli: Cli) -> None:
    answer = "\n".join(LINES[:12]) + "\n"
    cli.server.enqueue(Reply(answer=answer, chunk_size=6, delay=0.03, first_delay=0.3))
    tty = Tty(env=cli.env(), shell=f"{sys.executable} -m qwenchat ask hi | cat")
    assert tty.wait_exit() == 0
    shown = [line.rstrip() for line in tty.lines() if line.strip()]
    assert shown == LINES[:12]  # every line whole, nothing glued to it
    assert "writing the answer" not in tty.raw.decode("utf-8", "replace")


def test_hidden_thinking_is_shown_on_a_pipe_until_the_answer_starts(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(reasoning="mull " * 40, answer="done\n", chunk_size=5, delay=0.03, first_delay=0.1)
    )
    env = cli.env(QWENCHAT_THINKING="hide")
    tty = Tty(env=env, shell=f"{sys.executable} -m qwenchat ask --think hi | cat")
    assert tty.wait_exit() == 0
    raw = tty.raw.decode("utf-8", "replace")
    assert "qwenchat: thinking · " in raw
    assert raw.rindex("qwenchat: thinking") < raw.index("done")
    assert [line.rstrip() for line in tty.lines() if line.strip()] == ["done"]


def test_ask_into_head_stops_reading_and_saves_the_turn_cut_short(cli: Cli) -> None:
    answer = "\n".join(LINES * 5)
    cli.server.enqueue(Reply(answer=answer, chunk_size=8, delay=0.01))
    command = f"{sys.executable} -m qwenchat ask hello | head -1; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(
        command, shell=True, executable="/bin/bash", env=cli.env(), capture_output=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == LINES[0] + "\n"
    assert done.stderr == b""  # quiet: no error, no usage line, no note
    shown = cli("sessions", "show", "1").stdout
    assert "· interrupted" in shown  # saved, and marked as cut short
    saved = shown.split("· interrupted\n", 1)[1]
    assert saved.startswith(LINES[0])
    assert len(saved) < len(answer) // 2  # the rest of the reply was never read
