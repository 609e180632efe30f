"""The context fit follows the settings: a `[models."X"] context_window` override in
config.toml and a profile's `context_window` change what `ask -c`, the chat and a batch trim.

Each case asserts the request bodies the fake server recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Cli, write_config
from tests.fakeserver import Reply
from tests.tty import PROMPT, Tty, say

# A window of 500 tokens leaves 375 for the input: two long exchanges do not fit, one does.
SMALL_WINDOW = 500
FIRST = "first " + "a" * 400
LONG_B, LONG_D = "b" * 600, "d" * 600
OVERRIDE = f'[models."qwen-max"]\ncontext_window = {SMALL_WINDOW}\n'
PROFILE = f"[profiles.tiny]\ncontext_window = {SMALL_WINDOW}\n"


def contents(cli: Cli, index: int) -> list[str]:
    return [m["content"] for m in cli.server.chat_requests[index].body["messages"]]


@pytest.mark.parametrize(
    ("config", "flags", "trimmed"),
    [
        (OVERRIDE, ("-m", "qwen-max"), True),  # the model's own window, from config.toml
        (PROFILE, ("--profile", "tiny", "-m", "qwen-max"), True),  # the profile's window
        (OVERRIDE, ("-m", "qwen-turbo"), False),  # an override for another model changes nothing
        ("", ("-m", "qwen-max"), False),  # the built-in catalogue's 32k window
    ],
)
def test_ask_continue_trims_to_the_configured_window(
    cli: Cli, config: str, flags: tuple[str, ...], trimmed: bool
) -> None:
    write_config(cli.home, config)
    cli.server.enqueue(Reply(answer=LONG_B), Reply(answer=LONG_D), Reply(answer="fine"))
    assert cli("ask", *flags, FIRST).exit_code == 0
    second = cli("ask", *flags, "-c", "second")
    assert "left out" not in second.stderr
    assert len(contents(cli, 1)) == 3
    third = cli("ask", *flags, "-c", "third")
    assert third.exit_code == 0, third.stderr
    everything = [FIRST, LONG_B, "second", LONG_D, "third"]
    assert contents(cli, 2) == (everything[2:] if trimmed else everything)
    assert ("left out the oldest turn" in third.stderr) is trimmed


@pytest.fixture
def chat(cli: Cli) -> Iterator[list[Tty]]:
    started: list[Tty] = []
    yield started
    for session in started:
        session.close()


@pytest.mark.parametrize(
    ("config", "args"),
    [(OVERRIDE, ("-m", "qwen-max")), (PROFILE, ("--profile", "tiny"))],
)
def test_chat_trims_to_the_configured_window(
    cli: Cli, chat: list[Tty], config: str, args: tuple[str, ...]
) -> None:
    write_config(cli.home, config)
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="30")
    repl = Tty(*args, env=env)
    chat.append(repl)
    repl.wait_for(PROMPT)
    cli.server.enqueue(Reply(answer=LONG_B), Reply(answer=LONG_D), Reply(answer="fine"))
    say(repl, FIRST)
    say(repl, "second")
    assert len(contents(cli, 1)) == 3
    say(repl, "third")
    repl.wait_for("left out the oldest turn")
    assert contents(cli, 2) == ["second", LONG_D, "third"]
    say(repl, "/model qwen-turbo")  # its own large window, unless the profile's applies
    say(repl, "fourth")
    everything = [FIRST, LONG_B, "second", LONG_D, "third", "fine", "fourth"]
    profile_window = "--profile" in args
    assert contents(cli, 3) == (everything[2:] if profile_window else everything)


def conversation_line(item_id: str, **params: str) -> str:
    messages = [
        {"role": "user", "content": FIRST},
        {"role": "assistant", "content": LONG_B},
        {"role": "user", "content": "second"},
        {"role": "assistant", "content": LONG_D},
        {"role": "user", "content": "third"},
    ]
    return json.dumps({"id": item_id, "messages": messages, **params}) + "\n"


@pytest.mark.parametrize(("config", "profile"), [(OVERRIDE, False), (PROFILE, True)])
def test_batch_conversation_lines_are_trimmed_to_the_configured_window(
    cli: Cli, config: str, profile: bool
) -> None:
    write_config(cli.home, config)
    path = Path(cli.home / "work" / "conversations.jsonl")
    big = "qwen-turbo" if profile else "qwen-plus"  # an overridden window is the model's own
    path.write_text(
        conversation_line("small", model="qwen-max") + conversation_line("big", model=big)
    )
    env = cli.env(QWENCHAT_PROFILE="tiny") if profile else cli.env()
    result = cli("batch", str(path), "--local", "-j", "1", env=env)
    assert result.exit_code == 0, result.stderr
    sent = {
        r.body["model"]: [m["content"] for m in r.body["messages"]]
        for r in cli.server.chat_requests
    }
    if profile:  # the profile's window applies to every model
        assert sent["qwen-max"] == sent["qwen-turbo"] == ["second", LONG_D, "third"]
    else:
        assert sent["qwen-max"] == ["second", LONG_D, "third"]
        assert sent[big] == [FIRST, LONG_B, "second", LONG_D, "third"]
    assert "line 1: conversation too long" in result.stderr
    assert "left out the oldest turn" in result.stderr
    records = {json.loads(line)["id"]: json.loads(line) for line in result.stdout.splitlines()}
    assert records["small"]["error"] is None
