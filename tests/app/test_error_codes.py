"""DashScope's error codes told apart: the code decides first, the message second."""

from __future__ import annotations

import json

import pytest

from qwenchat.core import errors
from qwenchat.net.errors import RULES, Failure, rule_for, translate
from tests.conftest import Cli, assert_clean_failure
from tests.fakeserver import Error, Frames, Raw

ARREARS_TEXT = "Access denied, please make sure your account is in good standing."
INTL = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
CN = "https://dashscope.aliyuncs.com/compatible-mode/v1"


@pytest.mark.parametrize("status", [400, 429])
def test_arrearage_says_top_up_and_is_never_retried(cli: Cli, status: int) -> None:
    cli.server.enqueue(Error(status, ARREARS_TEXT, code="Arrearage", type="Arrearage"))
    result = cli("ask", "--retries", "2", "hi")
    assert_clean_failure(result, 1)
    assert "the account is overdue" in result.stderr
    assert "top up" in result.stderr
    assert "rate limit" not in result.stderr
    assert "retrying" not in result.stderr
    assert len(cli.server.chat_requests) == 1


def test_quota_code_with_a_neutral_message_is_a_token_rate_limit(cli: Cli) -> None:
    cli.server.enqueue(
        Error(429, "Request was denied.", code="insufficient_quota", headers={"Retry-After": "0"})
    )
    result = cli("ask", "--retries", "2", "hi")
    assert result.exit_code == 0, result.stderr
    assert "rate limited (429, tokens per minute); retrying" in result.stderr
    assert result.stdout == "echo: hi\n"
    assert len(cli.server.chat_requests) == 2


def test_free_tier_quota_code_is_quota(cli: Cli) -> None:
    cli.server.enqueue(
        Error(403, "Free allocated quota exceeded.", code="AllocationQuota.FreeTierOnly")
    )
    result = cli("ask", "--retries", "2", "hi")
    assert_clean_failure(result, 1)
    assert "the free quota is used up" in result.stderr
    assert "Free quota only" in result.stderr
    assert "authentication" not in result.stderr
    assert len(cli.server.chat_requests) == 1


def test_rate_quota_code_is_a_rate_limit_and_retried(cli: Cli) -> None:
    cli.server.enqueue(
        Error(429, "Requests rate limit exceeded", code="Throttling.RateQuota",
              headers={"Retry-After": "0"}),
        Error(429, "Requests rate limit exceeded", code="Throttling.RateQuota",
              headers={"Retry-After": "0"}),
    )  # fmt: skip
    result = cli("ask", "--retries", "2", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "echo: hi\n"
    assert len(cli.server.chat_requests) == 3


@pytest.mark.parametrize("code", ["DataInspectionFailed", "data_inspection_failed"])
def test_moderation_in_a_400(cli: Cli, code: str) -> None:
    cli.server.enqueue(Error(400, "Input data may contain inappropriate content.", code=code))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "content moderation" in result.stderr
    assert "rephrase" in result.stderr


@pytest.mark.parametrize("code", ["DataInspectionFailed", "data_inspection_failed"])
def test_moderation_mid_stream(cli: Cli, code: str) -> None:
    error = {"message": "Output data may contain inappropriate content.", "code": code}
    chunk = {"choices": [{"index": 0, "delta": {"content": "Part"}, "finish_reason": None}]}
    cli.server.enqueue(
        Frames([f"data: {json.dumps(chunk)}\n\n", f"data: {json.dumps({'error': error})}\n\n"])
    )
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert result.stdout.startswith("Part")
    assert "rephrase" in result.stderr


def test_unpurchased_model_is_not_a_key_problem(cli: Cli) -> None:
    cli.server.enqueue(
        Error(403, "Access to model denied. Please make sure you are eligible for using the "
              "model.", code="AccessDenied.Unpurchased")
    )  # fmt: skip
    result = cli("ask", "-m", "qwen3-max", "hi")
    assert_clean_failure(result, 1)
    assert "'qwen3-max' is not activated" in result.stderr
    assert "DASHSCOPE_API_KEY" not in result.stderr
    assert "authentication" not in result.stderr


def test_404_model_not_found_is_an_unknown_model(cli: Cli) -> None:
    cli.server.enqueue(Error(404, "The model `qwen-nope` does not exist.", code="model_not_found"))
    result = cli("ask", "-m", "qwen-nope", "hi")
    assert_clean_failure(result, 1)
    assert "unknown model 'qwen-nope'" in result.stderr


@pytest.mark.parametrize(
    "response", [Error(404, "Not Found"), Raw(404, b"404 page not found", "text/plain")]
)
def test_404_for_a_wrong_path_is_not_an_unknown_model(cli: Cli, response: Error | Raw) -> None:
    cli.server.enqueue(response)
    result = cli("ask", "-m", "qwen-plus", "hi")
    assert_clean_failure(result, 1)
    assert "unknown model" not in result.stderr
    assert "no such endpoint" in result.stderr
    assert "--base-url" in result.stderr


@pytest.mark.parametrize(
    ("url", "named", "other"),
    [(INTL, "Singapore", "--region cn"), (CN, "China (Beijing)", "--region intl")],
)
def test_401_names_the_region_of_the_url_used(url: str, named: str, other: str) -> None:
    error = translate(
        Failure(401, "Incorrect API key provided.", "invalid_api_key"), model="m", url=url
    )
    assert isinstance(error, errors.AuthError)
    assert error.hint is not None
    assert f"({named}): try {other}" in error.hint


def test_401_from_a_local_server_has_no_region_advice() -> None:
    error = translate(Failure(401, "bad key"), model="m", url="http://127.0.0.1:8000/v1")
    assert error.hint is not None
    assert "--region" not in error.hint


@pytest.mark.parametrize(
    ("status", "code", "message", "kind", "retry"),
    [
        (429, "Arrearage", ARREARS_TEXT, errors.QuotaError, False),
        (400, None, ARREARS_TEXT, errors.QuotaError, False),
        (429, "Throttling.AllocationQuota", "Free allocated quota exceeded.", errors.QuotaError,
         False),
        (429, None, "You exceeded your current quota", errors.QuotaError, False),
        (429, "Throttling", "Requests rate limit exceeded", errors.RateLimitError, True),
        (429, None, "slow down", errors.RateLimitError, True),
        (403, "AccessDenied.Unpurchased", "denied", errors.ModelAccessError, False),
        (403, "AccessDenied", "Access denied.", errors.ModelAccessError, False),
        (400, "data_inspection_failed", "x", errors.ModerationError, False),
        (404, "ModelNotFound", "Model can not be found.", errors.ModelNotFoundError, False),
        (404, None, "Not Found", errors.ApiError, False),
        (503, "ModelUnavailable", "overloaded", errors.ApiError, True),
        (400, "InvalidParameter", "Range of input length should be [1, 30720]", errors.ApiError,
         False),
    ],
)  # fmt: skip
def test_the_table(
    status: int, code: str | None, message: str, kind: type[errors.ApiError], retry: bool
) -> None:
    error = translate(Failure(status, message, code), model="m", url=CN)
    assert type(error) is kind
    assert error.retryable is retry
    assert rule_for(Failure(status, message, code)) in RULES
