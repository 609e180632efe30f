"""Request building: Qwen's rules in one pure function."""

from __future__ import annotations

import pytest

from qwenchat.core.errors import UsageError
from qwenchat.core.request import RequestOptions, build_request, validate

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("model", "options", "stream", "thinking"),
    [
        ("qwen-plus", RequestOptions(), True, None),
        ("qwen-plus", RequestOptions(stream=False), False, False),
        ("qwen-max", RequestOptions(stream=False), False, None),
        ("qwq-plus", RequestOptions(stream=False), True, None),
        ("qwen3-8b", RequestOptions(stream=False), True, None),  # thinking on by default
        ("qwen3-8b", RequestOptions(stream=False, think=False), False, False),
        ("qwen-plus", RequestOptions(stream=False, think=True), True, True),
        ("qwen-turbo", RequestOptions(think=False), True, False),
    ],
)
def test_streaming_and_thinking_rules(
    model: str, options: RequestOptions, stream: bool, thinking: bool | None
) -> None:
    body = build_request(model, MESSAGES, options).body
    assert body["stream"] is stream
    assert body.get("enable_thinking") is thinking
    assert ("stream_options" in body) is stream


def test_qwq_ignored_parameters_warn() -> None:
    plan = build_request("qwq-32b", MESSAGES, RequestOptions(temperature=0.2, seed=3))
    assert "temperature" not in plan.body
    assert plan.body["seed"] == 3
    assert len(plan.warnings) == 1


def test_qwq_no_think_warns() -> None:
    plan = build_request("qwq-plus", MESSAGES, RequestOptions(think=False))
    assert "enable_thinking" not in plan.body
    assert any("always thinks" in w for w in plan.warnings)


def test_stop_list() -> None:
    body = build_request("qwen-plus", MESSAGES, RequestOptions(stop=("a", "b"))).body
    assert body["stop"] == ["a", "b"]


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        (RequestOptions(temperature=2.0), "--temperature"),
        (RequestOptions(temperature=-0.1), "--temperature"),
        (RequestOptions(top_p=0.0), "--top-p"),
        (RequestOptions(top_p=1.01), "--top-p"),
        (RequestOptions(presence_penalty=2.5), "--presence-penalty"),
        (RequestOptions(seed=-1), "--seed"),
        (RequestOptions(seed=2**31), "--seed"),
        (RequestOptions(max_tokens=0), "--max-tokens"),
        (RequestOptions(stop=("",)), "--stop"),
    ],
)
def test_validation_names_the_flag(options: RequestOptions, flag: str) -> None:
    with pytest.raises(UsageError, match=flag):
        validate(options)


def test_valid_edges_pass() -> None:
    validate(RequestOptions(temperature=0, top_p=1, presence_penalty=-2, seed=2**31 - 1))
