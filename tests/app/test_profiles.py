"""Profiles, regions and base URL shapes: settings, `--profile`, `/profile`, `qwenchat models`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qwenchat.chat import actions
from qwenchat.chat import slash as commands
from qwenchat.cli.settings_files import load_settings
from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import ConfigError
from qwenchat.core.provenance import Source
from qwenchat.core.settings import REGION_URLS
from tests.conftest import TEST_KEY, Cli, assert_clean_failure, write_config
from tests.fakeserver import FakeServer, Reply

LOCAL_KEY = "sk-test-local-server-5d5d"


def environ(home: Path, **values: str) -> dict[str, str]:
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), **values}


PROFILES = """
model = "qwen-max"
[profiles.local]
base_url = "http://127.0.0.1:8000/v1"
model = "Qwen/Qwen3-8B"
api_key_env = "LOCAL_KEY"
[profiles.ollama]
base_url = "http://127.0.0.1:11434/v1"
model = "qwen3:8b"
[profiles.sg]
region = "intl"
"""


def test_profile_sits_between_flags_and_environment(tmp_path: Path) -> None:
    write_config(tmp_path, PROFILES)
    env = environ(tmp_path, DASHSCOPE_API_KEY=TEST_KEY, LOCAL_KEY=LOCAL_KEY, QWENCHAT_MODEL="e")
    settings = load_settings({"profile": "local"}, env, tmp_path)
    assert (settings.base_url, settings.model) == ("http://127.0.0.1:8000/v1", "Qwen/Qwen3-8B")
    assert settings.api_key == LOCAL_KEY
    assert settings.source("api_key") == Source("profile", "local", via="LOCAL_KEY")
    assert str(settings.source("api_key")) == "profile local (LOCAL_KEY)"
    assert settings.profiles == ("local", "ollama", "sg")
    flagged = load_settings({"profile": "local", "model": "qwen3-32b"}, env, tmp_path)
    assert flagged.model == "qwen3-32b"


def test_profile_from_the_environment_and_region_profiles(tmp_path: Path) -> None:
    write_config(tmp_path, PROFILES)
    env = environ(tmp_path, DASHSCOPE_API_KEY=TEST_KEY, QWENCHAT_PROFILE="sg")
    settings = load_settings({}, env, tmp_path)
    assert settings.profile == "sg"
    assert settings.base_url == REGION_URLS["intl"]
    assert settings.api_key == TEST_KEY  # a DashScope profile keeps the usual key


def test_local_profile_never_borrows_the_dashscope_key(tmp_path: Path) -> None:
    write_config(tmp_path, PROFILES)
    env = environ(tmp_path, DASHSCOPE_API_KEY=TEST_KEY)
    ollama = load_settings({"profile": "ollama"}, env, tmp_path)
    assert ollama.api_key == "EMPTY"
    local = load_settings({"profile": "local"}, env, tmp_path)
    assert local.api_key is None
    with pytest.raises(ConfigError, match="LOCAL_KEY"):
        local.require_key()


def test_unknown_profile(tmp_path: Path) -> None:
    write_config(tmp_path, PROFILES)
    with pytest.raises(ConfigError, match="unknown profile 'nope' \\(known: local, ollama, sg\\)"):
        load_settings({"profile": "nope"}, environ(tmp_path), tmp_path)


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        (
            "https://dashscope.aliyuncs.com/api/v1",
            "https://dashscope.aliyuncs.com/compatible-mode/v1",
        ),
        ("https://dashscope-intl.aliyuncs.com/api/v1/", "dashscope-intl.aliyuncs.com/compatible"),
        (
            "http://127.0.0.1:8000/v1/chat/completions",
            "give the base only: http://127.0.0.1:8000/v1",
        ),
        ("127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
    ],
)
def test_base_urls_that_cannot_work_are_rejected_with_a_hint(
    tmp_path: Path, url: str, hint: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"base_url": url}, environ(tmp_path), tmp_path)
    assert hint in (caught.value.hint or "")


def test_native_api_url_on_the_command_line(cli: Cli) -> None:
    result = cli("ask", "--base-url", "https://dashscope.aliyuncs.com/api/v1", "hi")
    assert_clean_failure(result, 2)
    assert "/compatible-mode/v1" in result.stderr


def test_profile_flag_drives_another_server_with_its_key(cli: Cli) -> None:
    with FakeServer(api_key=LOCAL_KEY) as local:
        local.enqueue(Reply(answer="from local"))
        write_config(
            cli.home,
            f'[profiles.local]\nbase_url = "{local.base_url}"\nmodel = "qwen3:8b"\n'
            'api_key_env = "LOCAL_KEY"\n',
        )
        result = cli("--profile", "local", "ask", "hi", env=cli.env(LOCAL_KEY=LOCAL_KEY))
        assert result.exit_code == 0, result.stderr
        assert result.stdout == "from local\n"
        request = local.chat_requests[0]
        assert request.headers["authorization"] == f"Bearer {LOCAL_KEY}"
        assert request.body["model"] == "qwen3:8b"
    assert cli.server.chat_requests == []


def test_unknown_profile_on_the_command_line(cli: Cli) -> None:
    result = cli("ask", "--profile", "missing", "hi")
    assert_clean_failure(result, 2)
    assert "unknown profile 'missing'" in result.stderr


def test_config_shows_the_profile(cli: Cli) -> None:
    write_config(cli.home, PROFILES)
    for args in (["config", "--profile", "ollama"], ["--profile", "ollama", "config"]):
        result = cli(*args)
        assert re.search(r"^profile +ollama ", result.stdout, re.M)
        assert "http://127.0.0.1:11434/v1  (profile ollama)" in result.stdout


def test_profile_slash_command() -> None:
    state = actions.ChatState(Conversation(), "qwen-plus", profiles=("local", "sg"))
    _, shown = commands.dispatch(state, "/profile")
    assert shown == actions.Say("profile: (none) · profiles: local, sg")
    _, switch = commands.dispatch(state, "/profile local")
    assert switch == actions.SwitchProfile("local")


def test_models_merges_the_server_list(cli: Cli) -> None:
    cli.server.models = ["qwen-plus", "qwen-plus-2025-04-28", "house-model"]
    result = cli("models")
    assert result.exit_code == 0
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert lines["qwen-plus"][1] == "both"
    assert lines["qwen-max"][1] == "catalogue"
    assert lines["qwen-plus-2025-04-28"][1:4] == ["server", "hybrid", "(off)"]
    assert lines["house-model"][1:3] == ["server", "?"]
    assert lines["qwq-plus"][2:4] == ["always", "only"]


def test_models_json(cli: Cli) -> None:
    cli.server.models = ["qwen3-32b"]
    rows = {row["name"]: row for row in json.loads(cli("models", "--json").stdout)}
    assert rows["qwen3-32b"]["listed_by"] == "both"
    assert rows["qwen3-32b"]["thinking"] == "hybrid"
    assert rows["qwen3-32b"]["thinking_sampling"] == {"temperature": 0.6, "top_p": 0.95}
    assert rows["qwen-plus"]["n"] is True
    assert rows["qwen-max"]["listed_by"] == "catalogue"


def test_models_falls_back_and_says_why(cli: Cli) -> None:
    result = cli("models", env=cli.env(DASHSCOPE_API_KEY="sk-test-not-accepted-0"))
    assert result.exit_code == 0
    (warning,) = result.stderr.splitlines()
    assert "model list could not be fetched (authentication failed" in warning
    assert "sk-test-not-accepted-0" not in warning
    assert "catalogue only" in result.stdout
    assert "qwen-plus" in result.stdout


def test_options_before_the_command_count_for_every_command(cli: Cli) -> None:
    result = cli("--model", "qwen-max", "--timeout", "7", "config")
    assert re.search(r"^model +qwen-max +\(flag --model\)", result.stdout, re.M)
    assert re.search(r"^timeout +7 s", result.stdout, re.M)
    cli("--model", "qwen-turbo", "ask", "hi")
    assert cli.server.chat_requests[-1].body["model"] == "qwen-turbo"


def test_a_command_flag_wins_over_the_same_option_before_the_command(cli: Cli) -> None:
    cli("--model", "qwen-turbo", "--think", "ask", "-m", "qwen-plus", "--no-think", "hi")
    body = cli.server.chat_requests[-1].body
    assert body["model"] == "qwen-plus"
    assert body["enable_thinking"] is False
    cli("--think", "--session", "notes", "ask", "hi again")
    assert cli.server.chat_requests[-1].body["enable_thinking"] is True
    listed = cli("sessions", "list").stdout
    assert "notes" in listed
