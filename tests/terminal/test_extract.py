"""`ask -x` / `--extract`: only the fenced code of the answer on stdout."""

from __future__ import annotations

import sys

import pytest

from qwenchat.core.fences import fenced_code
from tests.conftest import Cli, assert_clean_failure
from tests.fakeserver import Reply
from tests.tty import Tty

ANSWER = (
    "Here you go:\n\n```sh\n#!/bin/sh\necho hi\n```\n\nThen, in Python:\n\n"
    "1. run\n   ```python\n   print('x')\n   ```\n\nThat is all.\n"
)


def test_only_the_code_reaches_stdout(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer=ANSWER))
    result = cli("ask", "-x", "a script")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "#!/bin/sh\necho hi\nprint('x')\n"


def test_extract_long_form_and_the_turn_is_saved_whole(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer=ANSWER))
    assert cli("ask", "--extract", "a script").stdout.startswith("#!/bin/sh")
    assert "Then, in Python:" in cli("sessions", "show", "1").stdout


def test_an_answer_without_code_fails_in_one_line(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="No code, just words."))
    result = cli("ask", "-x", "a script")
    assert_clean_failure(result, 1)
    assert result.stdout == ""
    assert "no fenced code block" in result.stderr


def test_an_unclosed_block_is_not_printed() -> None:
    assert fenced_code("```sh\nrm -rf /tmp/x\n") == []
    assert fenced_code("```\na\n```\n```\nb") == ["a\n"]


@pytest.mark.parametrize("other", ["--json", "--role=shell"])
def test_extract_with_json_or_the_shell_role_is_refused(cli: Cli, other: str) -> None:
    result = cli("ask", "-x", other, "hi")
    assert_clean_failure(result, 2)
    assert cli.server.chat_requests == []


def test_on_a_terminal_only_the_code_is_shown(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer=ANSWER, chunk_size=8, delay=0.01))
    tty = Tty(env=cli.env(TERM="xterm-256color"), shell=f"{sys.executable} -m qwenchat ask -x hi")
    assert tty.wait_exit() == 0
    assert [line.rstrip() for line in tty.lines() if line.strip()] == [
        "#!/bin/sh",
        "echo hi",
        "print('x')",
    ]
