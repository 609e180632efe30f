"""Roles: `[roles.NAME]`, `--role` on ask, chat and batch, `/role`, `qwenchat roles`, and the
built-in `shell` role, which never runs a command without a `r` typed at a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qwenchat.chat import actions, slash
from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import ConfigError
from qwenchat.core.roles import Role, available, roles_from
from tests.conftest import Cli, assert_clean_failure, write_config
from tests.fakeserver import Reply
from tests.tty import ENTER, Tty

ROLES = """
[roles.poet]
system = "Answer in verse."
model = "qwen-max"
temperature = 1.2
"""


def test_roles_lists_the_builtin_and_the_configured(cli: Cli) -> None:
    write_config(cli.home, ROLES)
    result = cli("roles")
    assert result.exit_code == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["shell", "poet"]
    assert "qwen-max  Answer in verse." in result.stdout


@pytest.mark.parametrize("before", [True, False])
def test_ask_role_sets_system_model_and_sampling(cli: Cli, before: bool) -> None:
    write_config(cli.home, ROLES)
    args = ("--role", "poet", "ask", "hi") if before else ("ask", "--role", "poet", "hi")
    assert cli(*args).exit_code == 0
    (request,) = cli.server.chat_requests
    assert request.body["model"] == "qwen-max"
    assert request.body["temperature"] == 1.2
    assert request.body["messages"][0] == {"role": "system", "content": "Answer in verse."}


def test_flags_win_over_the_role(cli: Cli) -> None:
    write_config(cli.home, ROLES)
    cli("ask", "--role", "poet", "-m", "qwen-turbo", "--temperature", "0.1", "-s", "prose", "hi")
    (request,) = cli.server.chat_requests
    assert request.body["model"] == "qwen-turbo"
    assert request.body["temperature"] == 0.1
    assert request.body["messages"][0]["content"] == "prose"


def test_batch_role(cli: Cli) -> None:
    write_config(cli.home, ROLES)
    path = cli.home / "work" / "in.txt"
    path.write_text("one\n")
    result = cli("batch", str(path), "--role", "poet")
    assert result.exit_code == 0, result.stderr
    (request,) = cli.server.chat_requests
    assert request.body["model"] == "qwen-max"
    assert request.body["messages"][0]["content"] == "Answer in verse."


def test_unknown_role_is_a_usage_error(cli: Cli) -> None:
    result = cli("ask", "--role", "nobody", "hi")
    assert_clean_failure(result, 2)
    assert "shell" in result.stderr  # the roles there are
    assert cli.server.chat_requests == []


def test_a_role_of_the_wrong_type_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="temperature"):
        roles_from({"x": {"temperature": "hot"}}, Role("shell"), "config.toml")


def test_slash_role_switches_system_and_model() -> None:
    roles = available({"poet": {"system": "Verse.", "model": "qwen-max"}}, "c", {}, "Linux")
    state = actions.ChatState(Conversation(system=None), "qwen-plus", roles=roles)
    state, action = slash.dispatch(state, "/role poet")
    assert state.conversation.system == "Verse."
    assert state.model == "qwen-max"
    assert isinstance(action, actions.Say)
    _, listed = slash.dispatch(state, "/role")
    assert isinstance(listed, actions.Say)
    assert "shell, poet" in listed.text


def test_shell_role_asks_for_one_command_for_this_system() -> None:
    shell = available({}, "c", {"SHELL": "/usr/bin/fish"}, "Darwin")["shell"]
    assert "Darwin" in (shell.system or "")
    assert "fish" in (shell.system or "")


def test_shell_role_without_a_terminal_only_prints(cli: Cli) -> None:
    marker = cli.home / "work" / "ran.txt"
    cli.server.enqueue(Reply(answer=f"touch {marker}"))
    result = cli("ask", "--role", "shell", "make a file", input="r\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"touch {marker}"
    assert not marker.exists()
    system = cli.server.chat_requests[0].body["messages"][0]["content"]
    assert "one shell command" in system


def shell_tty(cli: Cli, marker: Path) -> Tty:
    cli.server.enqueue(Reply(answer=f"touch {marker}"))
    return Tty("ask", "--role", "shell", "make a file", env=cli.env())


def test_shell_role_runs_only_after_r(cli: Cli) -> None:
    marker = cli.home / "work" / "ran.txt"
    tty = shell_tty(cli, marker)
    tty.wait_for("[r]un")
    tty.pump(0.3)
    assert not marker.exists()  # shown, offered, not run
    tty.send("r" + ENTER)
    assert tty.wait_exit() == 0
    assert marker.exists()


def test_shell_role_cancel_and_explain_run_nothing(cli: Cli) -> None:
    marker = cli.home / "work" / "ran.txt"
    tty = shell_tty(cli, marker)
    tty.wait_for("[r]un")
    cli.server.enqueue(Reply(answer="It creates an empty file."))
    tty.send("e" + ENTER)
    tty.wait_for("It creates an empty file.")
    tty.wait_for("[r]un", after=1)
    tty.send("c" + ENTER)
    tty.wait_for("cancelled: nothing was run")
    assert tty.wait_exit() == 0
    assert not marker.exists()
    explain = cli.server.chat_requests[1].body["messages"]
    assert json.dumps(str(marker))[1:-1] in explain[-1]["content"]


def test_chat_role_sets_system_and_model(cli: Cli) -> None:
    write_config(cli.home, ROLES)
    result = cli.subprocess("--role", "poet", input=b"hi")
    assert result.exit_code == 0, result.stderr
    (request,) = cli.server.chat_requests
    assert request.body["model"] == "qwen-max"
    assert request.body["messages"][0] == {"role": "system", "content": "Answer in verse."}
