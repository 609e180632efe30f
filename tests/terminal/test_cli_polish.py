"""Everyday command-line polish: help, option clashes, --api-key, pipes, --json errors, warnings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import TEST_KEY, Cli, assert_clean_failure, write_config
from tests.fakeserver import Error, Reply


@pytest.mark.parametrize("group", ["sessions", "batch"])
def test_a_group_alone_prints_its_help(cli: Cli, group: str) -> None:
    result = cli.subprocess(group)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: qwenchat {group}")
    assert "error" not in result.stderr


@pytest.mark.parametrize("args", [("-c", "--session", "x"), ("ask", "-c", "--session", "x", "hi")])
def test_continue_and_session_together_is_a_usage_error(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert_clean_failure(result, 2)
    assert "--session" in result.stderr
    assert cli.server.chat_requests == []


@pytest.mark.parametrize("group", [(), ("sessions",), ("batch",)], ids=str)
def test_command_listings_are_not_cut_off(cli: Cli, group: tuple[str, ...]) -> None:
    text = cli(*group, "--help").stdout
    listing = text[text.index("Commands:") :]
    assert "..." not in listing
    assert "…" not in listing


@pytest.mark.parametrize("before", [True, False])
def test_api_key_flag_is_used_and_warns_once(cli: Cli, before: bool) -> None:
    env = cli.env()
    del env["DASHSCOPE_API_KEY"]
    key = ("--api-key", TEST_KEY, "--base-url", cli.server.base_url)
    args = (*key, "ask", "hi") if before else ("ask", "hi", *key)
    result = cli(*args, env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "echo: hi"
    assert result.stderr.count("shell history") == 1
    assert TEST_KEY not in result.stderr


def test_ask_into_head_exits_quietly_and_keeps_the_turn(cli: Cli) -> None:
    long = "\n".join(f"line {n} " + "x" * 60 for n in range(4000))
    cli.server.enqueue(Reply(answer=long))
    command = f"{sys.executable} -m qwenchat ask hello | head -1; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(
        command, shell=True, executable="/bin/bash", env=cli.env(), capture_output=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == "line 0 " + "x" * 60 + "\n"
    assert done.stderr == b""
    listed = cli("sessions", "list")
    assert "hello" in listed.stdout


def test_ask_json_failure_is_a_json_error_on_stdout(cli: Cli) -> None:
    cli.server.enqueue(Error(400, "bad thing", code="InvalidParameter"))
    result = cli("ask", "--json", "hi")
    assert_clean_failure(result, 1)
    error = json.loads(result.stdout)["error"]
    assert error["status"] == 400
    assert error["code"] == "InvalidParameter"
    assert "bad thing" in error["message"]
    assert error["request_id"]


def test_ask_json_usage_failure_too(cli: Cli) -> None:
    result = cli("ask", "--json", "--temperature", "9", "hi")
    assert_clean_failure(result, 2)
    assert json.loads(result.stdout)["error"]["status"] is None


def test_ask_json_timings_are_in_milliseconds(cli: Cli) -> None:
    document = json.loads(cli("ask", "--json", "hi").stdout)
    for name in ("time_to_first_token", "total_time"):
        assert document[name] == round(document[name], 3)


def test_models_says_when_the_servers_list_failed(cli: Cli) -> None:
    result = cli("models", "--json", "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 0, result.stderr
    assert "model list could not be fetched" in result.stderr
    assert json.loads(result.stdout)


def test_a_misspelled_config_key_is_named_with_the_nearest(cli: Cli) -> None:
    write_config(
        cli.home,
        'modle = "qwen-max"\n[profiles.p]\nbase_ulr = "x"\n[roles.r]\nsytem = "be brief"\n',
    )
    result = cli("ask", "hi")
    assert result.exit_code == 0, result.stderr
    assert "unknown key 'modle' (did you mean 'model'?)" in result.stderr
    assert "[profiles.p] unknown key 'base_ulr' (did you mean 'base_url'?)" in result.stderr
    assert "[roles.r] unknown key 'sytem' (did you mean 'system'?)" in result.stderr
    assert result.stderr.count("modle") == 1


def test_config_warnings_are_pure() -> None:
    from qwenchat.core.config_keys import config_warnings

    assert config_warnings({"model": "m", "roles": {"a": {"system": "s"}}}, "c") == []
    (line,) = config_warnings({"zzzz": 1}, "c")
    assert "did you mean" not in line
