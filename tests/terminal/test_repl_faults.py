"""Faults in the interactive chat, in a real pseudo-terminal: the prompt always comes back,
the conversation stays consistent, the saved history is intact and private."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator

import pytest

from tests.conftest import TEST_KEY, Cli
from tests.fakeserver import Error, Frames, Hang, Reply, chunk_frame
from tests.terminal.test_faults import MODERATION
from tests.tty import CTRL_D, ENTER, PROMPT, Tty, say


def start(cli: Cli, **env: str) -> Tty:
    values = {"TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", **env}
    session = Tty(env=cli.env(**values))
    session.wait_for(PROMPT)
    return session


@pytest.fixture
def repl(cli: Cli) -> Iterator[Tty]:
    session = start(cli)
    yield session
    session.close()


def test_faults_leave_a_consistent_conversation_and_history(cli: Cli, repl: Tty) -> None:
    quota = Error(429, "You exceeded your current quota", code="quota_exceeded")
    cli.server.enqueue(
        Error(503, "overloaded", headers={"Retry-After": "0"}),
        Reply(answer="first answer"),
        Frames([chunk_frame({"content": "Once upon"}), MODERATION]),
        quota,
        Reply(answer="fine"),
    )
    say(repl, "one")
    repl.wait_for("first answer")
    assert "server error 503; retrying in 0.0 s" in repl.text()
    say(repl, "two")
    repl.wait_for("content moderation")
    say(repl, "three")
    repl.wait_for("the quota is used up")
    say(repl, "four")
    repl.wait_for("fine")
    assert [m["content"] for m in cli.server.chat_requests[-1].body["messages"]] == [
        "one", "first answer", "two", "Once upon", "four"
    ]  # fmt: skip
    assert len(cli.server.chat_requests) == 5
    start_exit = time.monotonic()
    repl.send(CTRL_D)
    assert repl.wait_exit() == 0
    assert time.monotonic() - start_exit < 10
    history = cli.home / "data" / "qwenchat" / "history"
    saved = history.read_text(encoding="utf-8")
    assert all(word in saved for word in ("one", "two", "three", "four"))
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    assert stat.S_IMODE(history.parent.stat().st_mode) == 0o700
    written = [p for p in cli.home.rglob("*") if p.is_file()]
    assert all(TEST_KEY.encode() not in p.read_bytes() for p in written)
    assert TEST_KEY.encode() not in bytes(repl.raw)


def test_a_server_that_never_answers_times_out_to_the_prompt(cli: Cli) -> None:
    repl = start(cli, QWENCHAT_TIMEOUT="1")
    try:
        cli.server.enqueue(Hang(30), Reply(answer="awake now"))
        started = time.monotonic()
        say(repl, "hello?")
        repl.wait_for("timed out after 1 s")
        assert time.monotonic() - started < 10
        say(repl, "again")
        repl.wait_for("awake now")
        assert len(cli.server.chat_requests) == 2
    finally:
        repl.close()


def test_silence_shows_the_elapsed_time_then_goes(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(Reply(answer="late answer", first_delay=2.5))
    repl.send("think hard" + ENTER)
    repl.wait_for("waiting for the reply… 1 s")
    repl.wait_for("late answer")
    repl.wait_for(PROMPT, after=1)
    assert "waiting for the reply" not in repl.text()  # transient: gone from the scrollback


def test_hidden_reasoning_counts_as_thinking(cli: Cli) -> None:
    repl = start(cli, QWENCHAT_THINKING="hide")
    try:
        cli.server.enqueue(
            Reply(reasoning="secret steps " * 10, answer="the answer", chunk_size=13, delay=0.2)
        )
        repl.send("why?" + ENTER)
        repl.wait_for("thinking… ")
        repl.wait_for("the answer")
        assert "secret steps" not in repl.text()
    finally:
        repl.close()
