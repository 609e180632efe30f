"""Type-ahead and pastes in the chat, driven in a real pseudo-terminal."""

from __future__ import annotations

import sys
import time

from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import CTRL_D, ENTER, Tty

PROMPT = "›"


def type_slowly(repl: Tty, keys: str) -> None:
    """One key at a time, as a person types."""
    for key in keys:
        repl.send(key)
        repl.pump(0.04)


def slow(answer: str) -> Reply:
    return Reply(answer=answer, chunk_size=2, delay=0.05)


def contents(cli: Cli) -> list[str]:
    return [str(request.body["messages"][-1]["content"]) for request in cli.server.chat_requests]


def test_keys_typed_during_a_reply_wait_and_enter_sends_them(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(
        slow("a slow first answer that takes a while to stream"), Reply(answer="the other reply")
    )
    repl.send("first" + ENTER)
    repl.wait_for("a slow")
    type_slowly(repl, "second" + ENTER)
    repl.wait_for("the other reply")
    repl.wait_for("take" + "s a while")
    assert contents(cli) == ["first", "second"]
    screen = repl.text()
    assert "second" not in screen.split("› second")[0]  # not echoed into the reply
    assert screen.count("second") == 1
    assert "› second" in screen


def test_unfinished_type_ahead_waits_in_the_prompt(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(
        slow("streaming slowly for a while, long enough"), Reply(answer="draft reply")
    )
    repl.send("first" + ENTER)
    repl.wait_for("streaming")
    type_slowly(repl, "draft")
    repl.wait_for("enough")
    time.sleep(0.3)
    repl.pump(0.2)
    assert len(cli.server.chat_requests) == 1
    assert "› draft" in repl.text()
    repl.send(" more" + ENTER)
    repl.wait_for("draft reply")
    assert contents(cli) == ["first", "draft more"]


def test_exit_typed_during_a_reply_exits_after_it(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(slow("an answer streaming while the user types exit"))
    repl.send("question" + ENTER)
    repl.wait_for("an answer")
    type_slowly(repl, "/exit" + ENTER)
    assert repl.wait_exit() == 0
    assert "user types exit" in repl.text()
    assert len(cli.server.chat_requests) == 1


def test_lines_pasted_without_bracketed_paste_are_one_message(cli: Cli, repl: Tty) -> None:
    repl.send("line one\rline two\rline three\r")
    repl.wait_for(PROMPT, after=1)
    repl.pump(0.3)
    assert contents(cli) == ["line one\nline two\nline three"]
    repl.send(CTRL_D)
    assert repl.wait_exit() == 0


def test_a_piped_first_message_is_shown(tty_env: dict[str, str], cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="piped answer"))
    session = Tty(shell=f"echo 'from the pipe' | {sys.executable} -m qwenchat", env=tty_env)
    try:
        session.wait_for("piped answer")
        assert "› from the pipe" in session.text()
    finally:
        session.close()


def test_ask_on_a_terminal_does_not_echo_keys_into_the_reply(
    cli: Cli, tty_env: dict[str, str]
) -> None:
    cli.server.enqueue(slow("an answer to the one question asked here"))
    session = Tty("ask", "question", env=tty_env)
    try:
        session.wait_for("an answer")
        type_slowly(session, "zzz")
        assert session.wait_exit() == 0
        assert "asked here" in session.text()
        assert "zzz" not in session.text()
    finally:
        session.close()
