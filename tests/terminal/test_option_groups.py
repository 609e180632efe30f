"""The option groups: the endpoint and sampling flags, declared once, taken by every command,
before the command's name or after it."""

from __future__ import annotations

import pytest

from tests.conftest import Cli

ENDPOINT_FLAGS = ("--region", "--base-url", "--profile", "--api-key", "--timeout", "--debug")
SAMPLING_FLAGS = (
    "--model", "--system", "--temperature", "--top-p", "--max-tokens", "--seed", "--think",
)  # fmt: skip

# every command that reads the settings, and whether it sends prompts
COMMANDS = [
    (("chat",), True),
    (("ask",), True),
    (("batch", "run"), True),
    (("config",), False),
    (("doctor",), False),
    (("models",), False),
    (("usage",), False),
    (("roles",), False),
    (("files", "list"), False),
    (("files", "rm"), False),
    (("batch", "status"), False),
    (("batch", "results"), False),
    (("batch", "cancel"), False),
    (("batch", "list"), False),
]


@pytest.mark.parametrize(("command", "prompts"), COMMANDS, ids=[" ".join(c) for c, _ in COMMANDS])
def test_every_command_takes_the_endpoint_group(
    cli: Cli, command: tuple[str, ...], prompts: bool
) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.stderr
    for flag in ENDPOINT_FLAGS:
        assert flag in result.stdout, (command, flag)
    if prompts:
        for flag in SAMPLING_FLAGS:
            assert flag in result.stdout, (command, flag)


@pytest.mark.parametrize("command", ["list", "show", "export", "rm"])
def test_sessions_commands_take_debug_after_their_name(cli: Cli, command: str) -> None:
    result = cli("sessions", command, "--help")
    assert "--debug" in result.stdout


def test_debug_after_the_command_logs_the_requests(cli: Cli) -> None:
    result = cli.subprocess("ask", "hi", "--debug")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "echo: hi\n"
    assert f"debug: → #1 POST {cli.server.base_url}/chat/completions" in result.stderr


def test_sampling_flags_before_ask_reach_the_server(cli: Cli) -> None:
    result = cli("--temperature", "0.3", "--seed", "7", "--max-tokens", "9", "ask", "hi")
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert (body["temperature"], body["seed"], body["max_tokens"]) == (0.3, 7, 9)


def test_a_flag_after_the_command_wins_over_the_same_flag_before_it(cli: Cli) -> None:
    cli("--temperature", "0.3", "ask", "--temperature", "0.6", "hi")
    assert cli.server.chat_requests[0].body["temperature"] == 0.6


def test_the_chat_sends_its_sampling_flags(cli: Cli) -> None:
    # no terminal to chat on: the piped text is answered once, with the chat's flags
    result = cli("--top-p", "0.5", "--seed", "11", input="hello\n")
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert (body["top_p"], body["seed"]) == (0.5, 11)


def test_batch_takes_the_sampling_flags_before_and_after(cli: Cli) -> None:
    path = cli.home / "work" / "prompts.txt"
    path.write_text("one\n")
    result = cli("--seed", "5", "batch", str(path), "--top-p", "0.4", "-m", "qwen-turbo")
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert (body["seed"], body["top_p"], body["model"]) == (5, 0.4, "qwen-turbo")
