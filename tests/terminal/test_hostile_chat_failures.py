"""Failures in the interactive chat, in a real pseudo-terminal: one line, the prompt back, the
conversation saved; and a narrowed window keeps every row qwenchat did not draw."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.app.test_hostile_replies import saved_turns
from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.terminal.test_hostile_failures import finish_reasons
from tests.tty import ENTER, Tty

PROMPT = "›"


def start(cli: Cli, *args: str, **env: str) -> Tty:
    values = {"TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", **env}
    session = Tty(*args, env=cli.env(**values))
    session.wait_for(PROMPT)
    return session


def say(session: Tty, text: str) -> None:
    before = session.text().count(PROMPT)
    session.send(text + ENTER)
    session.wait_for(PROMPT, after=before)


@pytest.fixture
def chat(hostile: Cli) -> Iterator[Tty]:
    session = start(hostile, "-m", "finish-surrogate")
    yield session
    session.close()


def test_a_lone_surrogate_as_finish_reason_leaves_the_chat_going(hostile: Cli, chat: Tty) -> None:
    say(chat, "first")
    say(chat, "second")
    assert chat.text().count("kept") == 2
    assert "internal error" not in chat.text()
    chat.send("/exit" + ENTER)
    assert chat.wait_exit() == 0
    assert saved_turns(hostile) == [("finish-surrogate", "kept")] * 2
    assert finish_reasons(hostile) == ["\ufffd", "\ufffd"]


def test_an_editor_that_saves_text_that_is_not_utf8_is_told_and_nothing_is_sent(
    hostile: Cli,
) -> None:
    editor = 'sh -c \'printf "caf\\351 au lait" > "$1"\' editor'  # Latin-1, not UTF-8
    session = start(hostile, EDITOR=editor)
    try:
        say(session, "/edit")
        session.wait_for("the editor saved text that is not UTF-8 (invalid byte at offset 3)")
        assert "internal error" not in session.text()
        assert hostile.server.chat_requests == []
        say(session, "still here")
        session.wait_for("echo: still here")
    finally:
        session.close()


EARLIER = [f"earlier answer line {n}" for n in range(6)]
CODE = "```\n" + "".join(f"code {n:02} {'x' * 60}\n" for n in range(12)) + "```\n"


@pytest.mark.parametrize("term", ["linux", "st-256color", "xterm-256color"])
def test_narrowing_an_unknown_terminal_mid_reply_keeps_the_earlier_conversation(
    hostile: Cli, term: str
) -> None:
    """pyte cuts its rows when it narrows, as these terminals may: nothing above the reply's
    live tail may be erased."""
    hostile.server.enqueue(
        Reply(answer="\n\n".join(EARLIER)),
        Reply(answer=CODE, chunk_size=8, delay=0.04),
    )
    session = start(hostile, TERM=term)
    try:
        say(session, "first")
        session.send("second" + ENTER)
        session.wait_for("code 04")
        session.screen.resize(30, 50)  # the terminal narrows first, then tells the program
        session.child.setwinsize(30, 50)
        session.wait_for(PROMPT, after=session.text().count(PROMPT))
        shown = session.text()
        for line in EARLIER:
            assert shown.count(line) == 1, (line, shown)
        assert "code 11" in shown
    finally:
        session.close()
