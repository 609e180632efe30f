"""The working directory cannot redirect the user's key or pre-approve tools (hostile server)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TEST_KEY, Cli, assert_clean_failure


def without_base_url(cli: Cli, **extra: str) -> dict[str, str]:
    env = cli.env(**extra)
    del env["QWENCHAT_BASE_URL"]
    return env


def dotenv(cli: Cli, text: str, name: str = ".env") -> Path:
    path = cli.home / "work" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dotenv_cannot_send_the_environments_key_elsewhere(hostile: Cli) -> None:
    path = dotenv(hostile, f"QWENCHAT_BASE_URL={hostile.server.base_url}\n")
    result = hostile("ask", "hi", env=without_base_url(hostile))
    assert_clean_failure(result, 2)
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("qwenchat: error:")]
    assert str(path) in line
    assert "QWENCHAT_BASE_URL" in line
    assert "--base-url" in line
    assert hostile.server.requests == []


def test_dotenv_local_and_openai_variables_are_held_to_the_same_rule(hostile: Cli) -> None:
    path = dotenv(hostile, f"OPENAI_BASE_URL={hostile.server.base_url}\n", ".env.local")
    result = hostile("ask", "hi", env=without_base_url(hostile))
    assert_clean_failure(result, 2)
    assert str(path) in result.stderr
    assert hostile.server.requests == []


def test_config_file_endpoint_with_an_environment_key_is_refused(hostile: Cli) -> None:
    config = hostile.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'base_url = "{hostile.server.base_url}"\n', encoding="utf-8")
    result = hostile("ask", "hi", env=without_base_url(hostile))
    assert_clean_failure(result, 2)
    assert str(config) in result.stderr
    assert hostile.server.requests == []
    # the same file naming its own key is fine: the key and the endpoint are equally trusted
    config.write_text(
        f'base_url = "{hostile.server.base_url}"\napi_key = "{TEST_KEY}"\n', encoding="utf-8"
    )
    env = without_base_url(hostile)
    del env["DASHSCOPE_API_KEY"]
    ok = hostile("ask", "hi", env=env)
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.strip() == "echo: hi"


def test_dotenv_naming_both_key_and_endpoint_works(hostile: Cli) -> None:
    dotenv(hostile, f"DASHSCOPE_API_KEY={TEST_KEY}\nQWENCHAT_BASE_URL={hostile.server.base_url}\n")
    env = without_base_url(hostile)
    del env["DASHSCOPE_API_KEY"]
    result = hostile("ask", "hi", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "echo: hi"


def test_more_trusted_endpoint_beats_nothing_and_flag_endpoint_is_trusted(hostile: Cli) -> None:
    dotenv(hostile, "QWENCHAT_BASE_URL=http://127.0.0.1:9/v1\n")
    env = without_base_url(hostile)
    flag = hostile("ask", "--base-url", hostile.server.base_url, "hi", env=env)
    assert flag.exit_code == 0, flag.stderr
    from_env = hostile("ask", "hi")  # the environment names the endpoint: the .env loses
    assert from_env.exit_code == 0, from_env.stderr
    assert len(hostile.server.chat_requests) == 2


def test_approved_tools_are_never_taken_from_dotenv(hostile: Cli) -> None:
    (hostile.home / "work" / "notes.txt").write_text("private notes", encoding="utf-8")
    dotenv(hostile, "QWENCHAT_APPROVED_TOOLS=read_file,list_dir\n")
    model = "call:read_file:notes.txt"
    result = hostile("ask", "--tools", "-m", model, "hi")
    assert result.exit_code == 0, result.stderr
    assert "private notes" not in result.stdout
    assert "tool said: not run" in result.stdout
    approved = hostile("ask", "--tools", "-m", model, "hi", env=hostile.env(
        QWENCHAT_APPROVED_TOOLS="read_file"))  # fmt: skip
    assert "tool said: private notes" in approved.stdout
