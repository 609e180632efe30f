"""Two chats on the same --session: the second is told and continues in a fork."""

from __future__ import annotations

import json

from tests.conftest import Cli
from tests.tty import PROMPT, Tty, say


def chat(cli: Cli, *args: str) -> Tty:
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="30")
    session = Tty(*args, env=env)
    session.wait_for(PROMPT)
    return session


def users(cli: Cli, ref: str) -> list[str]:
    exported = cli("sessions", "export", ref, "-f", "json")
    assert exported.exit_code == 0, exported.stderr
    return [turn["user"] for turn in json.loads(exported.stdout)["turns"]]


def test_a_second_chat_on_the_same_session_continues_in_a_fork(cli: Cli) -> None:
    first = chat(cli, "--session", "work")
    try:
        say(first, "one")
        second = chat(cli, "--session", "work")
        try:
            second.wait_for("is open in another chat: continuing in a fork, #2")
            say(second, "two")
            say(first, "three")
        finally:
            second.close()
    finally:
        first.close()
    third = chat(cli, "--session", "work")  # the first chat has gone: no fork now
    try:
        assert "open in another chat" not in third.text()
    finally:
        third.close()
    assert users(cli, "work") == ["one", "three"]
    assert users(cli, "2") == ["one", "two"]


def test_ask_on_a_session_a_chat_has_open_goes_to_a_fork(cli: Cli) -> None:
    first = chat(cli, "--session", "work")
    try:
        say(first, "one")
        asked = cli("ask", "--session", "work", "two")
        assert asked.exit_code == 0, asked.stderr
        assert "#1 is open in a chat: this answer goes to a fork, #2" in asked.stderr
        say(first, "three")
        assert users(cli, "1") == ["one", "three"]  # the chat's conversation, not interleaved
        assert users(cli, "2") == ["one", "two"]
    finally:
        first.close()
    again = cli("ask", "--session", "work", "four")  # the chat is gone: no fork now
    assert "fork" not in again.stderr
    assert users(cli, "1") == ["one", "three", "four"]
