"""Qwen's request rules beyond the basics: budgets, JSON mode, choices, search, overrides."""

from __future__ import annotations

import pytest

from qwenchat.core.catalogue import catalogue_from
from qwenchat.core.errors import UsageError
from qwenchat.core.request import RequestOptions, build_request, validate

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("model", "options", "stream", "thinking"),
    [
        # thinking-only: always streamed, never told to stop thinking
        ("qwq-plus", RequestOptions(stream=False), True, None),
        ("qwq-plus", RequestOptions(stream=False, think=True), True, None),
        # hybrid, off by default: a non-streamed request says so explicitly
        ("qwen-turbo", RequestOptions(stream=False), False, False),
        ("qwen-turbo", RequestOptions(stream=True), True, None),
        # hybrid, on by default: streamed unless thinking is turned off
        ("qwen3-32b", RequestOptions(stream=True), True, None),
        ("qwen3-32b", RequestOptions(stream=False, think=False), False, False),
        ("qwen3-32b", RequestOptions(think=True), True, True),
        # no thinking: nothing sent
        ("qwen-max", RequestOptions(), True, None),
        ("qwen2.5-7b-instruct", RequestOptions(stream=False), False, None),
        # unknown models: nothing assumed
        ("some-local-model", RequestOptions(stream=False), False, None),
    ],
)
def test_thinking_per_model_kind(
    model: str, options: RequestOptions, stream: bool, thinking: bool | None
) -> None:
    body = build_request(model, MESSAGES, options).body
    assert body["stream"] is stream
    assert body.get("enable_thinking") is thinking


@pytest.mark.parametrize(
    ("model", "thinking"), [("qwen-plus", True), ("qwen3-8b", True), ("qwq-plus", None)]
)
def test_thinking_budget_turns_thinking_on(model: str, thinking: bool | None) -> None:
    plan = build_request(model, MESSAGES, RequestOptions(thinking_budget=500, stream=False))
    assert plan.body["thinking_budget"] == 500
    assert plan.body.get("enable_thinking") is thinking
    assert plan.body["stream"] is True


def test_thinking_budget_with_no_think_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--thinking-budget"):
        build_request("qwen3-8b", MESSAGES, RequestOptions(thinking_budget=10, think=False))


def test_thinking_budget_on_a_model_without_thinking_warns() -> None:
    plan = build_request("qwen-max", MESSAGES, RequestOptions(thinking_budget=10))
    assert "thinking_budget" not in plan.body
    assert plan.warnings == ("qwen-max has no thinking mode; --thinking-budget not sent",)


def test_json_mode_sets_response_format_and_turns_default_thinking_off() -> None:
    body = build_request("qwen3-8b", MESSAGES, RequestOptions(json_mode=True)).body
    assert body["response_format"] == {"type": "json_object"}
    assert body["enable_thinking"] is False


@pytest.mark.parametrize(
    ("model", "options", "message"),
    [
        ("qwq-plus", RequestOptions(json_mode=True), "does not support --json-mode"),
        ("qwen-plus", RequestOptions(json_mode=True, think=True), "thinking mode"),
        ("qwen-max", RequestOptions(n=2), "-n 2"),
        ("qwen3-8b", RequestOptions(n=3), "qwen-plus takes -n"),
    ],
)
def test_options_a_model_cannot_honour(model: str, options: RequestOptions, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build_request(model, MESSAGES, options)


def test_n_and_search() -> None:
    body = build_request("qwen-plus", MESSAGES, RequestOptions(n=3, search=True)).body
    assert body["n"] == 3
    assert body["enable_search"] is True
    plain = build_request("qwen-plus", MESSAGES, RequestOptions(n=1)).body
    assert "n" not in plain
    assert "enable_search" not in plain
    # an unknown model may well take n (a local vLLM does)
    assert build_request("local", MESSAGES, RequestOptions(n=2)).body["n"] == 2


def test_config_overrides_change_the_rules() -> None:
    catalogue = catalogue_from(
        {"house*": {"thinking": "only", "stream_only": True, "ignores": ["top_p"]}}
    )
    plan = build_request(
        "house-v1", MESSAGES, RequestOptions(stream=False, top_p=0.5), catalogue=catalogue
    )
    assert plan.body["stream"] is True
    assert "top_p" not in plan.body
    assert plan.warnings == ("house-v1 ignores --top-p; not sent",)


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        (RequestOptions(n=0), "-n"),
        (RequestOptions(n=5), "-n"),
        (RequestOptions(thinking_budget=0), "--thinking-budget"),
        (RequestOptions(presence_penalty=-2.01), "--presence-penalty"),
        (RequestOptions(temperature=1.999, top_p=0.0), "--top-p"),
    ],
)
def test_validation_names_the_flag(options: RequestOptions, flag: str) -> None:
    with pytest.raises(UsageError, match=f"^{flag} must be"):
        validate(options)


def test_validation_accepts_the_edges() -> None:
    validate(RequestOptions(n=1, thinking_budget=1, temperature=1.999))
    validate(RequestOptions(n=4, presence_penalty=2, stop=("a", "b")))
