"""Today's line-up end to end: each rule asserted on the body the test server received."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.answer_cache import thinks
from qwenchat.core.catalogue import DEFAULT_CATALOGUE
from tests.conftest import Cli, Result, assert_clean_failure, write_config
from tests.fakeserver import Reply

THINKING_FIELDS = ("enable_thinking", "chat_template_kwargs", "thinking_budget")


def body_of(cli: Cli) -> dict[str, object]:
    assert len(cli.server.chat_requests) == 1
    body = cli.server.chat_requests[0].body
    assert isinstance(body, dict)
    return body


def warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "warning:" in line]


@pytest.mark.parametrize(
    "model",
    ["qwen3-235b-a22b-instruct-2507", "qwen3-30b-a3b-instruct-2507", "qwen3-next-80b-a3b-instruct",
     "qwen3-coder-plus", "qwen3-coder-flash", "qwen3-max-2025-09-23", "deepseek-v3"],
)  # fmt: skip
def test_models_without_thinking_honour_no_stream_and_get_no_thinking_fields(
    cli: Cli, model: str
) -> None:
    result = cli("ask", "-m", model, "--no-stream", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "echo: hi\n"
    body = body_of(cli)
    assert body["stream"] is False
    assert not any(name in body for name in THINKING_FIELDS)
    assert warnings(result) == []


@pytest.mark.parametrize(
    "model",
    ["qwen3-235b-a22b-thinking-2507", "qwen3-30b-a3b-thinking-2507", "qwen3-next-80b-a3b-thinking",
     "qwq-plus", "qvq-max", "deepseek-r1"],
)  # fmt: skip
def test_always_thinking_models_get_no_false_switch_and_say_so_once(cli: Cli, model: str) -> None:
    cli.server.enqueue(Reply(reasoning="hmm", answer="ok"))
    result = cli("ask", "-m", model, "--no-think", "--no-stream", "hi")
    assert result.exit_code == 0, result.stderr
    body = body_of(cli)
    assert body["stream"] is True
    assert "enable_thinking" not in body
    assert "chat_template_kwargs" not in body
    assert warnings(result) == [
        f"qwenchat: warning: {model} always thinks; --no-think has no effect"
    ]


@pytest.mark.parametrize(
    "model", ["qwen3-235b-a22b-thinking-2507", "qwen3-next-80b-a3b-thinking", "deepseek-r1",
              "qvq-max", "qwq-32b"]
)  # fmt: skip
def test_always_thinking_models_refuse_json_mode(cli: Cli, model: str) -> None:
    result = cli("ask", "-m", model, "--json-mode", "hi")
    assert_clean_failure(result, 2)
    assert f"{model} does not support --json-mode" in result.stderr
    assert cli.server.chat_requests == []


@pytest.mark.parametrize(
    "model", ["qwen-max", "qwen3-max-2025-09-23", "qwen-plus-2025-01-25", "deepseek-v3"]
)
def test_think_on_a_model_without_thinking_warns_and_is_not_sent(cli: Cli, model: str) -> None:
    result = cli("ask", "-m", model, "--think", "--no-stream", "hi")
    assert result.exit_code == 0, result.stderr
    body = body_of(cli)
    assert body["stream"] is False
    assert not any(name in body for name in THINKING_FIELDS)
    assert warnings(result) == [
        f"qwenchat: warning: {model} has no thinking mode; --think not sent"
    ]


def test_think_on_an_unknown_model_is_sent(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="ok"))
    result = cli("ask", "-m", "my-local-model", "--think", "hi")
    assert result.exit_code == 0, result.stderr
    assert body_of(cli)["enable_thinking"] is True
    assert warnings(result) == []


def test_thinking_budget_on_deepseek_r1_is_not_sent(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="ok"))
    result = cli("ask", "-m", "deepseek-r1", "--thinking-budget", "100", "hi")
    assert result.exit_code == 0, result.stderr
    assert "thinking_budget" not in body_of(cli)
    assert warnings(result) == [
        "qwenchat: warning: deepseek-r1 always thinks but takes no thinking budget; "
        "--thinking-budget not sent"
    ]


def test_snapshots_before_hybrid_thinking_are_not_thinkers(cli: Cli) -> None:
    result = cli("ask", "-m", "qwen-turbo-2024-11-01", "--no-stream", "hi")
    assert result.exit_code == 0, result.stderr
    body = body_of(cli)
    assert body["stream"] is False
    assert "enable_thinking" not in body


# --- where the thinking switch goes -------------------------------------------------------


def test_a_local_server_gets_both_switches_by_default(cli: Cli) -> None:
    cli("ask", "-m", "qwen3-8b", "--no-think", "--no-stream", "hi")
    body = body_of(cli)
    assert body["enable_thinking"] is False
    assert body["chat_template_kwargs"] == {"enable_thinking": False}


def test_thinking_param_from_the_environment(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="ok"))
    cli("ask", "-m", "qwen-plus", "--think", "hi",
        env=cli.env(QWENCHAT_THINKING_PARAM="chat_template_kwargs"))  # fmt: skip
    body = body_of(cli)
    assert "enable_thinking" not in body
    assert body["chat_template_kwargs"] == {"enable_thinking": True}


def test_thinking_param_per_model_beats_the_setting(cli: Cli) -> None:
    write_config(
        cli.home,
        'thinking_param = "chat_template_kwargs"\n'
        '[models."qwen3-8b"]\nthinking_param = "top-level"\n',
    )
    cli("ask", "-m", "qwen3-8b", "--no-think", "--no-stream", "hi")
    body = body_of(cli)
    assert body["enable_thinking"] is False
    assert "chat_template_kwargs" not in body


def test_thinking_param_from_a_profile(cli: Cli) -> None:
    write_config(
        cli.home,
        f'[profiles.vllm]\nbase_url = "{cli.server.base_url}"\nthinking_param = "top-level"\n',
    )
    env = cli.env()
    del env["QWENCHAT_BASE_URL"]
    cli("ask", "--profile", "vllm", "-m", "qwen3-8b", "--no-think", "--no-stream", "hi", env=env)
    body = body_of(cli)
    assert body["enable_thinking"] is False
    assert "chat_template_kwargs" not in body


def test_bad_thinking_param_is_a_config_error(cli: Cli) -> None:
    result = cli("ask", "hi", env=cli.env(QWENCHAT_THINKING_PARAM="inline"))
    assert_clean_failure(result, 2)
    assert "thinking_param" in result.stderr
    assert cli.server.chat_requests == []


def test_dashscope_gets_the_top_level_switch_only(tmp_path: Path) -> None:
    for region in ("cn", "intl"):
        settings = load_settings({"region": region}, {"HOME": str(tmp_path)}, tmp_path)
        assert settings.catalogue.thinking_param == "top-level"
    local = load_settings(
        {"base_url": "http://127.0.0.1:8000/v1"}, {"HOME": str(tmp_path)}, tmp_path
    )
    assert local.catalogue.thinking_param == "both"


# --- -n with tools, QwQ and a system prompt -----------------------------------------------


def test_n_is_not_sent_with_tools(cli: Cli) -> None:
    result = cli("ask", "-m", "qwen-plus", "-n", "2", "--tools", "--yes-tools", "hi")
    assert result.exit_code == 0, result.stderr
    body = body_of(cli)
    assert "n" not in body
    assert body["tools"]
    assert warnings(result) == [
        "qwenchat: warning: -n 2 not sent: with tools the server returns one choice"
    ]


def test_qwq_with_a_system_prompt_gets_one_note(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="ok"))
    result = cli("ask", "-m", "qwq-plus", "-s", "Be brief.", "hi")
    assert result.exit_code == 0, result.stderr
    body = body_of(cli)
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}  # type: ignore[index]
    notes = [line for line in result.stderr.splitlines() if "advises against" in line]
    assert len(notes) == 1
    assert warnings(result) == []


def test_qwq_without_a_system_prompt_gets_no_note(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="ok"))
    result = cli("ask", "-m", "qwq-plus", "hi")
    assert "advises against" not in result.stderr


def test_the_answer_cache_reads_the_switch_wherever_it_went() -> None:
    off = {"model": "qwen3-32b", "chat_template_kwargs": {"enable_thinking": False}}
    on = {"model": "qwen-plus", "chat_template_kwargs": {"enable_thinking": True}}
    assert not thinks(off, DEFAULT_CATALOGUE.lookup("qwen3-32b"))
    assert thinks(on, DEFAULT_CATALOGUE.lookup("qwen-plus"))
