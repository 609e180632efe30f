"""The interactive chat, driven in a real pseudo-terminal against the fake server."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from qwenchat.chat import actions
from qwenchat.chat import slash as commands
from qwenchat.core.conversation import Conversation
from tests.conftest import Cli, fake_clipboard
from tests.fakeserver import Reply
from tests.tty import ALT_ENTER, CTRL_C, CTRL_D, CTRL_J, ENTER, PROMPT, Tty, paste, say

CHAT_DOC = Path(__file__).resolve().parents[2] / "docs" / "chat.md"


def messages(cli: Cli, index: int) -> list[dict[str, str]]:
    return list(cli.server.chat_requests[index].body["messages"])


def test_three_turns_carry_the_history_without_reasoning(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(
        Reply(reasoning="private thoughts", answer="first answer"),
        Reply(answer="second answer"),
        Reply(answer="third answer"),
    )
    say(repl, "one")
    repl.wait_for("first answer")
    say(repl, "two")
    say(repl, "three")
    repl.wait_for("third answer")
    assert messages(cli, 1) == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "two"},
    ]
    assert messages(cli, 2)[-3:] == [
        {"role": "user", "content": "two"},
        {"role": "assistant", "content": "second answer"},
        {"role": "user", "content": "three"},
    ]
    assert "private thoughts" not in str(messages(cli, 2))
    repl.send(CTRL_D)
    assert repl.wait_exit() == 0


@pytest.mark.parametrize("newline", [ALT_ENTER, CTRL_J])
def test_newline_keys_make_one_message(cli: Cli, repl: Tty, newline: str) -> None:
    say(repl, f"first line{newline}second line")
    assert messages(cli, 0)[-1]["content"] == "first line\nsecond line"


def test_bracketed_paste_is_one_message(cli: Cli, repl: Tty) -> None:
    say(repl, paste("pasted one\npasted two\npasted three"))
    assert len(cli.server.chat_requests) == 1
    assert messages(cli, 0)[-1]["content"] == "pasted one\npasted two\npasted three"


def test_ctrl_c_mid_stream_returns_to_a_working_prompt(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(Reply(answer="tick " * 2000, chunk_size=5, delay=0.01))
    before = repl.text().count(PROMPT)
    repl.send("long please" + ENTER)
    repl.wait_for("tick tick")
    repl.send(CTRL_C)
    repl.wait_for(PROMPT, after=before)
    repl.wait_for("interrupted")
    cli.server.enqueue(Reply(answer="still alive"))
    say(repl, "next")
    repl.wait_for("still alive")
    history = messages(cli, 1)
    assert history[0] == {"role": "user", "content": "long please"}
    assert history[1]["role"] == "assistant"
    assert history[1]["content"].startswith("tick")
    assert history[2] == {"role": "user", "content": "next"}


def test_retry_and_undo(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(Reply(answer="a1"), Reply(answer="a2"), Reply(answer="a2 again"))
    say(repl, "q1")
    say(repl, "q2")
    say(repl, "/retry")
    assert messages(cli, 2) == messages(cli, 1)
    say(repl, "/undo")
    repl.wait_for("removed: q2")
    say(repl, "q3")
    assert messages(cli, 3) == [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q3"},
    ]


def test_model_system_think_and_clear_shape_the_next_request(cli: Cli, repl: Tty) -> None:
    say(repl, "/model qwen-flash")  # hybrid thinking: --think is sent to it
    say(repl, "/system You are terse.")
    say(repl, "/think on")
    say(repl, "hello")
    body = cli.server.chat_requests[0].body
    assert body["model"] == "qwen-flash"
    assert body["messages"][0] == {"role": "system", "content": "You are terse."}
    assert body["enable_thinking"] is True
    say(repl, "/think off")
    say(repl, "/clear")
    say(repl, "again")
    body = cli.server.chat_requests[1].body
    assert body["enable_thinking"] is False
    assert body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "again"},
    ]


def test_unknown_command_hints_without_calling_the_model(cli: Cli, repl: Tty) -> None:
    say(repl, "/modle x")
    repl.wait_for("unknown command /modle")
    assert cli.server.chat_requests == []


def test_error_mid_turn_keeps_the_prompt(cli: Cli, repl: Tty) -> None:
    from tests.fakeserver import Error

    cli.server.enqueue(Error(429, "You exceeded your current quota"), Reply(answer="recovered"))
    say(repl, "first")
    repl.wait_for("quota")
    say(repl, "/retry")
    repl.wait_for("recovered")
    assert messages(cli, 1) == [{"role": "user", "content": "first"}]


def test_exit_command_and_history_file_mode(cli: Cli, repl: Tty) -> None:
    say(repl, "remember me")
    repl.send("/exit" + ENTER)
    assert repl.wait_exit() == 0
    history = cli.home / "data" / "qwenchat" / "history"
    assert "remember me" in history.read_text()
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    assert stat.S_IMODE(history.parent.stat().st_mode) == 0o700


def test_help_docs_and_registry_agree() -> None:
    _, action = commands.dispatch(actions.ChatState(Conversation(), "m"), "/help")
    assert isinstance(action, actions.Say)
    doc = CHAT_DOC.read_text(encoding="utf-8")
    table = doc.split("<!-- commands:start -->")[1].split("<!-- commands:end -->")[0]
    for entry in commands.REGISTRY.values():
        assert entry.usage in action.text
        assert f"`{entry.usage}`".replace("|", "\\|") in table, entry.usage
    rows = [line for line in table.splitlines() if line.startswith("| `/")]
    assert len(rows) == len(commands.REGISTRY)


def test_piped_text_is_the_first_turn_then_the_chat_goes_on(
    cli: Cli, tty_env: dict[str, str]
) -> None:
    cli.server.enqueue(Reply(answer="summary of notes"), Reply(answer="follow-up answer"))
    session = Tty(env=tty_env, shell=f"printf 'my notes' | {sys.executable} -m qwenchat")
    try:
        session.wait_for("summary of notes")
        session.wait_for(PROMPT)
        say(session, "and then?")
        session.wait_for("follow-up answer")
        assert messages(cli, 1) == [
            {"role": "user", "content": "my notes"},
            {"role": "assistant", "content": "summary of notes"},
            {"role": "user", "content": "and then?"},
        ]
        session.send(CTRL_D)
        assert session.wait_exit() == 0
    finally:
        session.close()


def test_piped_start_without_a_terminal_answers_once(cli: Cli) -> None:
    result = cli.subprocess(input=b"just once")
    assert result.exit_code == 0
    assert result.stdout == "echo: just once\n"


def test_tab_completes_commands_and_model_names(cli: Cli, repl: Tty) -> None:
    repl.send("/model qwen-ma\t")
    repl.pump(0.5)
    repl.send(ENTER)  # the first Enter takes the completion
    repl.pump(0.3)
    say(repl, "")
    repl.wait_for("model: qwen-max")


def test_edit_sends_what_the_editor_saved(cli: Cli, tty_env: dict[str, str]) -> None:
    tty_env["EDITOR"] = 'sh -c \'printf "written in the editor" > "$1"\' editor'
    session = Tty(env=tty_env)
    try:
        session.wait_for(PROMPT)
        say(session, "/edit")
        session.wait_for("echo: written in the editor")
        assert messages(cli, 0)[-1]["content"] == "written in the editor"
    finally:
        session.close()


def test_copy_history_usage_and_thinking(cli: Cli, tty_env: dict[str, str], tmp_path: Path) -> None:
    clipboard, tty_env["PATH"] = fake_clipboard(tmp_path)
    cli.server.enqueue(Reply(reasoning="deep reasoning here", answer="the answer text"))
    session = Tty(env=tty_env)
    try:
        session.wait_for(PROMPT)
        say(session, "question")
        say(session, "/copy")
        session.wait_for("copied 15 characters")
        assert clipboard.read_text() == "the answer text"
        say(session, "/history")
        session.wait_for("1. you: question")
        say(session, "/usage")
        session.wait_for("1 turn ·")
        say(session, "/thinking")
        assert session.text().count("deep reasoning here") == 2
    finally:
        session.close()


def test_profile_switches_server_model_and_key(cli: Cli, tty_env: dict[str, str]) -> None:
    from tests.fakeserver import FakeServer

    local_key = "sk-test-local-repl-3e3e"
    with FakeServer(api_key=local_key) as local:
        local.models = ["qwen3:8b", "house-special"]
        config = cli.home / "config" / "qwenchat" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            f'[profiles.local]\nbase_url = "{local.base_url}"\nmodel = "qwen3:8b"\n'
            'api_key_env = "LOCAL_KEY"\n',
            encoding="utf-8",
        )
        session = Tty(env={**tty_env, "LOCAL_KEY": local_key})
        try:
            session.wait_for(PROMPT)
            say(session, "before")
            say(session, "/profile local")
            session.wait_for("profile local:")
            say(session, "after")
            session.send("/model hou\t")  # only the local server lists it
            session.wait_for("/model house-special")
        finally:
            session.close()
        assert cli.server.chat_requests[0].body["messages"][-1]["content"] == "before"
        request = local.chat_requests[0]
        assert request.body["model"] == "qwen3:8b"
        assert request.body["messages"][-1]["content"] == "after"
        assert request.headers["authorization"] == f"Bearer {local_key}"


def test_models_lists_the_catalogue_and_the_servers_models(cli: Cli, repl: Tty) -> None:
    cli.server.models = ["served-only-qwen"]
    say(repl, "/models all")
    repl.wait_for("served-only-qwen")
    assert "current: qwen-plus" in repl.text()
