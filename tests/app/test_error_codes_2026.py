"""The error codes Model Studio documents in 2026: each its own hint and retry decision.

Source: Model Studio's error-code page (docs.qwencloud.com/api-reference/preparation/
error-messages, mid-2026). Errors come from the test server; DashScope hosts through it as
a proxy (tests/dashscope_host.py).
"""

from __future__ import annotations

import pytest

from tests.conftest import Cli, assert_clean_failure
from tests.dashscope_host import CODING, SINGAPORE, WORKSPACE_SG, via_proxy
from tests.fakeserver import Error, Reply

NOW = {"Retry-After": "0"}


@pytest.mark.parametrize("code", ["Throttling.AllocationQuota", "insufficient_quota"])
def test_a_token_rate_limit_waits_and_retries_saying_so(cli: Cli, code: str) -> None:
    cli.server.enqueue(
        Error(429, "Requests throttling triggered.", code=code, headers=NOW), Reply(answer="ok")
    )
    result = cli("ask", "--retries", "2", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "ok\n"
    assert "rate limited (429, tokens per minute); retrying in 0.0 s" in result.stderr
    assert len(cli.server.chat_requests) == 2


@pytest.mark.parametrize(
    ("status", "code"), [(429, "Throttling.AllocationQuota"), (403, "AllocationQuota.FreeTierOnly")]
)
def test_the_free_quota_is_one_line_naming_the_switch_never_retried(
    cli: Cli, status: int, code: str
) -> None:
    cli.server.enqueue(Error(status, "Free allocated quota exceeded.", code=code))
    result = cli("ask", "--retries", "2", "hi")
    assert_clean_failure(result, 1)
    assert "the free quota is used up" in result.stderr
    assert '"Free quota only"' in result.stderr
    assert "retrying" not in result.stderr
    assert len(cli.server.chat_requests) == 1


def test_commodity_not_purchased_is_not_retried(cli: Cli) -> None:
    cli.server.enqueue(Error(429, "Commodity not purchased.", code="CommodityNotPurchased"))
    result = cli("ask", "--retries", "2", "-m", "qwen3.6-plus", "hi")
    assert_clean_failure(result, 1)
    assert "the workspace has not subscribed to model 'qwen3.6-plus'" in result.stderr
    assert "retrying" not in result.stderr
    assert len(cli.server.chat_requests) == 1


@pytest.mark.parametrize("code", ["Model.AccessDenied", "Workspace.AccessDenied"])
def test_workspace_permission_is_not_a_key_or_region_problem(cli: Cli, code: str) -> None:
    cli.server.enqueue(Error(403, "Model access denied.", code=code))
    result = cli("ask", "hi", env=via_proxy(cli, SINGAPORE))
    assert_clean_failure(result, 1)
    assert "this workspace has no permission for model" in result.stderr
    assert "the key and the region are fine" in result.stderr
    assert "DASHSCOPE_API_KEY" not in result.stderr
    assert "--region" not in result.stderr


def test_plain_access_denied_names_permission_or_free_quota(cli: Cli) -> None:
    cli.server.enqueue(Error(403, "Access denied.", code="AccessDenied"))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "access denied to model" in result.stderr
    assert "free quota is used up and it has no paid use" in result.stderr
    assert "--region" not in result.stderr


def test_model_not_supported_is_not_a_base_url_problem(cli: Cli) -> None:
    message = "Unsupported model `qwen-deep-research` for OpenAI compatibility mode"
    cli.server.enqueue(Error(404, message, code="model_not_supported"))
    result = cli("ask", "-m", "qwen-deep-research", "hi")
    assert_clean_failure(result, 1)
    assert "is not offered in OpenAI-compatible mode" in result.stderr
    assert "--base-url" not in result.stderr


def test_not_support_enable_thinking_has_its_hint(cli: Cli) -> None:
    # refused again after the switch was dropped: qwenchat did not cause it, the hint stays
    refusal = Error(400, "The model x does not support enable_thinking.",
                    code="InvalidParameter.NotSupportEnableThinking")  # fmt: skip
    cli.server.enqueue(refusal, refusal)
    result = cli("ask", "--no-think", "hi")
    assert_clean_failure(result, 1)
    assert len(cli.server.chat_requests) == 2
    assert "does not take enable_thinking" in result.stderr
    assert "drop --think/--no-think" in result.stderr


def test_json_mode_with_thinking_has_its_hint(cli: Cli) -> None:
    message = "Json mode response is not supported when enable_thinking is true"
    cli.server.enqueue(Error(400, message, code="InvalidParameter"))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "JSON mode does not work while the model thinks" in result.stderr
    assert "add --no-think to --json-mode" in result.stderr


def test_workspace_not_authorized_names_the_workspace(cli: Cli) -> None:
    cli.server.enqueue(Error(401, "NOT AUTHORIZED", code="Unauthorized"))
    result = cli("ask", "hi", env=via_proxy(cli, WORKSPACE_SG))
    assert_clean_failure(result, 1)
    assert "a workspace domain takes only keys of its own workspace" in result.stderr


def test_request_timeout_on_no_stream_suggests_streaming_and_is_not_retried(cli: Cli) -> None:
    cli.server.enqueue(Error(500, "Request timed out.", code="RequestTimeOut"))
    result = cli("ask", "--retries", "2", "--no-stream", "-m", "qwen-max", "hi")
    assert_clean_failure(result, 1)
    assert "drop --no-stream" in result.stderr
    assert len(cli.server.chat_requests) == 1


def test_request_timeout_while_streaming_is_retried(cli: Cli) -> None:
    cli.server.enqueue(
        Error(500, "Request timed out.", code="RequestTimeOut", headers=NOW), Reply(answer="ok")
    )
    result = cli("ask", "--retries", "2", "hi")
    assert result.exit_code == 0, result.stderr
    assert len(cli.server.chat_requests) == 2


def test_a_coding_plan_key_elsewhere_names_the_coding_endpoint(cli: Cli) -> None:
    cli.server.api_key = None  # the test server answers the 401 itself below
    cli.server.enqueue(Error(401, "Incorrect API key provided.", code="invalid_api_key"))
    env = via_proxy(cli, SINGAPORE, DASHSCOPE_API_KEY="sk-sp-fake-coding-plan-key-0000")
    result = cli("ask", "hi", env=env)
    assert_clean_failure(result, 1)
    assert "sk-sp- keys are Coding Plan keys" in result.stderr
    assert "https://coding-intl.dashscope.aliyuncs.com/v1" in result.stderr
    assert "sk-sp-fake-coding-plan-key-0000" not in result.stderr


def test_a_plain_key_on_the_coding_host_is_told_so(cli: Cli) -> None:
    cli.server.enqueue(Error(401, "Incorrect API key provided.", code="invalid_api_key"))
    result = cli("ask", "hi", env=via_proxy(cli, CODING))
    assert_clean_failure(result, 1)
    assert "the Coding Plan endpoint takes only its own sk-sp- keys" in result.stderr
