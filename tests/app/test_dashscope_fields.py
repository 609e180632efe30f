"""The request fields DashScope expects now, asserted in the bodies the test server receives.

DashScope hosts are reached through the test server acting as a plain-HTTP proxy
(tests/dashscope_host.py), so qwenchat believes it talks to DashScope.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from qwenchat.core.attachments import MAX_DATA_URI_BYTES, data_uri_size
from tests.conftest import Cli, assert_clean_failure
from tests.dashscope_host import BEIJING, via_proxy
from tests.fakeserver import Reply
from tests.images import png


def test_max_tokens_is_max_completion_tokens_on_dashscope(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="ok"))
    result = cli("ask", "--max-tokens", "7", "hi", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    request = cli.server.chat_requests[0]
    assert request.path.startswith(BEIJING)  # the proxy saw DashScope's absolute URL
    assert request.body["max_completion_tokens"] == 7
    assert "max_tokens" not in request.body


def test_a_local_server_keeps_max_tokens(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="ok"))
    result = cli("ask", "--max-tokens", "7", "hi")
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["max_tokens"] == 7
    assert "max_completion_tokens" not in body


def test_config_max_tokens_of_a_role_travels_as_max_completion_tokens(cli: Cli) -> None:
    config = cli.home / "config" / "qwenchat"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[roles.short]\nmax_tokens = 9\n", encoding="utf-8")
    cli.server.enqueue(Reply(answer="ok"))
    result = cli("ask", "--role", "short", "hi", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    assert cli.server.chat_requests[0].body["max_completion_tokens"] == 9


def test_doctor_ping_uses_max_completion_tokens(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="pong"))
    result = cli("doctor", env=via_proxy(cli))
    pings = cli.server.chat_requests
    assert pings, result.stdout
    assert pings[0].body["max_completion_tokens"] == 1
    assert "max_tokens" not in pings[0].body


@pytest.mark.parametrize("model", ["qwen3.6-plus", "qwen3-8b", "some-new-model"])
def test_json_mode_turns_thinking_off_for_models_that_may_think_unasked(
    cli: Cli, model: str
) -> None:
    cli.server.enqueue(Reply(answer='{"a": 1}'))
    result = cli("ask", "-m", model, "--json-mode", "give json", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["enable_thinking"] is False
    assert body["response_format"] == {"type": "json_object"}


def test_json_mode_leaves_a_model_that_does_not_think_by_default_alone(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer='{"a": 1}'))
    result = cli("ask", "-m", "qwen-plus", "--json-mode", "give json", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    assert "enable_thinking" not in cli.server.chat_requests[0].body


def test_json_mode_with_think_is_refused_before_sending(cli: Cli) -> None:
    result = cli("ask", "-m", "qwen3.6-plus", "--json-mode", "--think", "x", env=via_proxy(cli))
    assert_clean_failure(result, 2)
    assert "--json-mode does not work in thinking mode" in result.stderr
    assert cli.server.chat_requests == []


@pytest.mark.parametrize(("seed", "ok"), [(0, True), (2**31 - 1, True), (2**31, False)])
def test_seed_range_is_dashscopes(cli: Cli, seed: int, ok: bool) -> None:
    result = cli("ask", "--seed", str(seed), "hi")
    if ok:
        assert result.exit_code == 0, result.stderr
        assert cli.server.chat_requests[0].body["seed"] == seed
    else:
        assert_clean_failure(result, 2)
        assert "--seed must be in [0, 2147483647]" in result.stderr
        assert cli.server.chat_requests == []


def _image_of(path: Path, size: int) -> None:
    with path.open("wb") as file:
        file.write(png())
        file.truncate(size)


def test_an_image_over_10_mb_after_base64_is_refused(cli: Cli) -> None:
    size = 8 * 1024 * 1024  # under 10 MiB as a file, over 10 MB once base64-encoded
    assert data_uri_size(size, "image/png") > MAX_DATA_URI_BYTES
    _image_of(cli.home / "work" / "big.png", size)
    result = cli("ask", "-m", "qwen-vl-max", "-a", "big.png", "look")
    assert_clean_failure(result, 2)
    assert "at most 10 MB after base64 encoding (about 7.5 MB of file)" in result.stderr
    assert cli.server.requests == []


def _padded_png(size: int) -> bytes:
    """A complete PNG of `size` bytes: a private chunk of padding before its IEND chunk."""
    image = png()
    pad = size - len(image) - 12
    chunk = struct.pack(">I", pad) + b"qcPd" + b"\0" * pad
    return image[:-12] + chunk + zlib.crc32(chunk[4:]).to_bytes(4, "big") + image[-12:]


def test_an_image_just_under_the_encoded_limit_is_sent(cli: Cli) -> None:
    size = 7 * 1024 * 1024
    assert data_uri_size(size, "image/png") <= MAX_DATA_URI_BYTES
    (cli.home / "work" / "ok.png").write_bytes(_padded_png(size))
    cli.server.enqueue(Reply(answer="seen"))
    result = cli("ask", "-m", "qwen-vl-max", "-a", "ok.png", "look")
    assert result.exit_code == 0, result.stderr
    part = cli.server.chat_requests[0].body["messages"][0]["content"][0]
    assert len(part["image_url"]["url"]) <= MAX_DATA_URI_BYTES


TOOL_CALL = [
    {"id": "call_1", "function": {"name": "calculator", "arguments": '{"expression": "2+2"}'}}
]


def test_reasoning_goes_back_with_the_tool_results(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(reasoning="I should add.", tool_calls=TOOL_CALL, finish_reason="tool_calls"),
        Reply(reasoning="done", answer="4"),
    )
    result = cli("ask", "-m", "qwen3.6-plus", "--tools", "--yes-tools", "what is 2+2",
                 env=via_proxy(cli))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    second = cli.server.chat_requests[1].body["messages"]
    asked = next(m for m in second if m["role"] == "assistant")
    assert asked["tool_calls"][0]["id"] == "call_1"
    assert asked["reasoning_content"] == "I should add."
    assert any(m["role"] == "tool" for m in second)


def _config(cli: Cli, text: str) -> None:
    config = cli.home / "config" / "qwenchat"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(text, encoding="utf-8")


def test_preserve_thinking_sends_earlier_reasoning_when_turned_on(cli: Cli) -> None:
    _config(cli, '[models."qwen3.6-plus"]\npreserve_thinking = true\n')
    cli.server.enqueue(Reply(reasoning="first thoughts", answer="one"), Reply(answer="two"))
    first = cli("ask", "-m", "qwen3.6-plus", "first", env=via_proxy(cli))
    assert first.exit_code == 0, first.stderr
    second = cli("ask", "-m", "qwen3.6-plus", "-c", "second", env=via_proxy(cli))
    assert second.exit_code == 0, second.stderr
    body = cli.server.chat_requests[1].body
    assert body["preserve_thinking"] is True
    earlier = [m for m in body["messages"] if m["role"] == "assistant"]
    assert earlier == [
        {"role": "assistant", "content": "one", "reasoning_content": "first thoughts"}
    ]


def test_without_preserve_thinking_earlier_reasoning_stays_home(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="first thoughts", answer="one"), Reply(answer="two"))
    cli("ask", "-m", "qwen3.6-plus", "first", env=via_proxy(cli))
    second = cli("ask", "-m", "qwen3.6-plus", "-c", "second", env=via_proxy(cli))
    assert second.exit_code == 0, second.stderr
    body = cli.server.chat_requests[1].body
    assert "preserve_thinking" not in body
    assert "reasoning_content" not in json.dumps(body["messages"])


def test_a_batch_lines_max_tokens_is_max_completion_tokens_on_dashscope(cli: Cli) -> None:
    path = cli.home / "work" / "in.jsonl"
    path.write_text('{"id": "a", "prompt": "hi", "max_tokens": 5}\n', encoding="utf-8")
    result = cli("batch", str(path), "-m", "qwen-turbo", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["max_completion_tokens"] == 5
    assert "max_tokens" not in body
