"""The fake DashScope server, exercised through the real ``openai`` SDK (never mocked)."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletionMessageFunctionToolCall

from tests.fakeserver import (
    DONE_FRAME,
    Error,
    FakeServer,
    Frames,
    Hang,
    Raw,
    Reply,
    chunk_frame,
    usage_frame,
)

MESSAGES: Any = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "你好，介绍一下你自己"},
]


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


@pytest.fixture
def client(fake: FakeServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0) as c:
        yield c


def stream(client: openai.OpenAI, model: str = "qwen-plus", **kw: Any) -> list[Any]:
    chunks = client.chat.completions.create(
        model=model, messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **kw
    )
    return list(chunks)


def test_streamed_reply_with_reasoning(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Reply(answer="我是通义千问。", reasoning="用户问我是谁", chunk_size=2))
    chunks = stream(client, model="qwq-plus")

    first, *middle, finish, last = chunks
    assert first.choices[0].delta.role == "assistant"
    assert first.choices[0].delta.content == ""
    reasoning = [c for c in middle if c.choices[0].delta.content is None]
    content = [c for c in middle if c.choices[0].delta.content is not None]
    assert middle == reasoning + content  # all reasoning first, then all content
    assert [c.choices[0].delta.model_extra["reasoning_content"] for c in reasoning] == [
        "用户",
        "问我",
        "是谁",
    ]
    assert "".join(c.choices[0].delta.content for c in content) == "我是通义千问。"
    assert all(c.choices[0].finish_reason is None for c in middle)
    assert finish.choices[0].finish_reason == "stop"
    assert finish.choices[0].delta.content == ""
    assert last.choices == []
    assert last.usage.completion_tokens_details.reasoning_tokens > 0
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
    assert {c.id for c in chunks} == {first.id}
    assert first.id.startswith("chatcmpl-")
    assert {c.model for c in chunks} == {"qwq-plus"}
    assert all(c.usage is None for c in chunks[:-1])


def test_stream_without_include_usage_has_no_usage_chunk(
    fake: FakeServer, client: openai.OpenAI
) -> None:
    fake.enqueue(Reply(answer="abc", reasoning_field="reasoning", reasoning="hm"))
    chunks = list(client.chat.completions.create(model="qwen3-32b", messages=MESSAGES, stream=True))
    assert all(c.choices for c in chunks)
    assert chunks[1].choices[0].delta.model_extra == {"reasoning": "hm"}
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_non_streamed_reply(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Reply(answer="42", reasoning="think", usage={"prompt_tokens": 1}, model="m-x"))
    completion = client.chat.completions.create(model="qwen-plus", messages=MESSAGES)
    choice = completion.choices[0]
    assert choice.message.content == "42"
    assert getattr(choice.message, "reasoning_content", None) == "think"
    assert choice.finish_reason == "stop"
    assert completion.model == "m-x"
    assert completion.object == "chat.completion"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 1


def test_empty_queue_echoes_last_user_message(fake: FakeServer, client: openai.OpenAI) -> None:
    chunks = stream(client)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: 你好，介绍一下你自己"


def test_queue_is_fifo_and_reset_clears(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Reply(answer="one"), Reply(answer="two"), Reply(answer="three"))
    answers = [
        client.chat.completions.create(model="qwen-plus", messages=MESSAGES)
        .choices[0]
        .message.content
        for _ in range(2)
    ]
    assert answers == ["one", "two"]
    assert fake.pending == 1
    fake.reset()
    assert fake.pending == 0
    assert fake.requests == []


def test_error_raises_authentication_error(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Error(401, "Incorrect API key provided. ", code="invalid_api_key"))
    with pytest.raises(openai.AuthenticationError, match="Incorrect API key") as info:
        stream(client)
    assert info.value.status_code == 401
    assert info.value.code == "invalid_api_key"
    assert info.value.request_id is not None
    assert info.value.request_id.startswith("req-")


def test_rate_limit_error_carries_headers(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Error(429, "Requests rate limit exceeded", headers={"Retry-After": "3"}))
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="qwen-plus", messages=MESSAGES)
    assert info.value.response.headers["retry-after"] == "3"


def test_api_key_mismatch_gives_401() -> None:
    with FakeServer(api_key="sk-right") as server:
        wrong = openai.OpenAI(base_url=server.base_url, api_key="sk-wrong", max_retries=0)
        with wrong, pytest.raises(openai.AuthenticationError, match="Incorrect API key"):
            wrong.chat.completions.create(model="qwen-plus", messages=MESSAGES)
        with openai.OpenAI(base_url=server.base_url, api_key="sk-right", max_retries=0) as right:
            reply = right.chat.completions.create(model="qwen-plus", messages=MESSAGES)
        assert reply.choices[0].message.content == "echo: 你好，介绍一下你自己"
        assert len(server.chat_requests) == 2


def test_requests_are_recorded(fake: FakeServer, client: openai.OpenAI) -> None:
    client.models.list()
    stream(client, temperature=0.5, extra_body={"enable_thinking": True})
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/v1/models"),
        ("POST", "/v1/chat/completions"),
    ]
    (chat,) = fake.chat_requests
    assert chat.headers["authorization"] == "Bearer sk-test"
    assert chat.headers["content-type"] == "application/json"
    assert chat.body["model"] == "qwen-plus"
    assert chat.body["messages"] == MESSAGES
    assert chat.body["stream"] is True
    assert chat.body["stream_options"] == {"include_usage": True}
    assert chat.body["enable_thinking"] is True
    assert json.loads(chat.raw) == chat.body


def test_models_list_and_unknown_path(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.models = ["qwen-max", "qwen3-8b"]
    assert [m.id for m in client.models.list()] == ["qwen-max", "qwen3-8b"]
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(fake.base_url + "/nope", timeout=5)
    assert info.value.code == 404
    assert json.loads(info.value.read())["error"]["code"] == "not_found"


def test_cut_stream_raises_api_connection_error(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Reply(answer="abcdefghijkl", chunk_size=2, cut_after=3))
    received: list[str] = []

    def consume() -> None:
        chunks = client.chat.completions.create(model="qwen-plus", messages=MESSAGES, stream=True)
        received.extend(chunk.choices[0].delta.content or "" for chunk in chunks)

    with pytest.raises(openai.APIConnectionError) as info:
        consume()
    # everything before the cut was delivered, then the incomplete chunked body is an error
    assert received == ["", "ab", "cd", "ef"]
    assert isinstance(info.value.__cause__, httpx2.RemoteProtocolError)
    assert not isinstance(info.value, openai.APITimeoutError)


def test_cut_non_streamed_body_raises(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Reply(answer="x" * 100, cut_after=0))
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="qwen-plus", messages=MESSAGES)


def test_stream_without_done_ends_quietly(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Reply(answer="hi", done=False, finish_reason="length"))
    chunks = stream(client)
    assert chunks[-2].choices[0].finish_reason == "length"
    assert chunks[-1].choices == []


def test_streamed_tool_calls(fake: FakeServer, client: openai.OpenAI) -> None:
    args = {"city": "杭州", "unit": "celsius"}
    call = {"id": "call_1", "function": {"name": "get_weather", "arguments": args}}
    fake.enqueue(Reply(tool_calls=[call], chunk_size=5))
    chunks = stream(client)
    fragments = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    head, *rest = fragments
    assert (head.index, head.id, head.type) == (0, "call_1", "function")
    assert head.function.name == "get_weather"
    assert head.function.arguments == ""
    assert len(rest) > 1
    assert json.loads("".join(f.function.arguments for f in rest)) == args
    assert chunks[-2].choices[0].finish_reason == "tool_calls"

    fake.enqueue(Reply(tool_calls=[call]))
    choice = client.chat.completions.create(model="qwen-plus", messages=MESSAGES).choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (tool_call,) = choice.message.tool_calls or []
    assert isinstance(tool_call, ChatCompletionMessageFunctionToolCall)
    assert (tool_call.id, tool_call.function.name) == ("call_1", "get_weather")
    assert json.loads(tool_call.function.arguments) == args


def test_frames_and_raw_bodies(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(
        Frames([chunk_frame({"content": "a"}), ": ping\n\n", usage_frame({"total_tokens": 3})]),
        Frames([chunk_frame({"content": "a"}), "data: {bad json\n\n", DONE_FRAME]),
        Raw(502, b"<html>Bad Gateway</html>", "text/html"),
    )
    first, usage = stream(client)
    assert first.choices[0].delta.content == "a"
    assert usage.usage.total_tokens == 3
    # the SDK surfaces a malformed event as a bare JSONDecodeError, not an openai error
    with pytest.raises(json.JSONDecodeError):
        stream(client)
    with pytest.raises(openai.InternalServerError) as info:
        stream(client)
    assert info.value.status_code == 502


def test_hang_causes_read_timeout(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Hang(10))
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="qwen-plus", messages=MESSAGES, timeout=0.3)
    assert time.monotonic() - started < 5
    assert len(fake.chat_requests) == 1  # recorded before the (non-)answer


def test_stop_is_prompt_during_hang_and_slow_stream() -> None:
    server = FakeServer().start()
    server.enqueue(Hang(30), Reply(answer="x" * 100, chunk_size=1, delay=1.0))
    c = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
    errors: list[BaseException] = []

    def call(streamed: bool) -> None:
        try:
            result = c.chat.completions.create(
                model="qwen-plus", messages=MESSAGES, stream=streamed
            )
            if streamed:
                list(result)
        except openai.APIError as err:
            errors.append(err)

    threads = [threading.Thread(target=call, args=(s,), daemon=True) for s in (False, True)]
    for n, t in enumerate(threads, 1):  # one at a time: the Hang first, then the slow stream
        t.start()
        while len(server.chat_requests) < n:
            time.sleep(0.01)
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    for t in threads:
        t.join(timeout=5)
    c.close()
    assert time.monotonic() - started < 2
    assert len(errors) == 2
    assert all(isinstance(e, openai.APIConnectionError) for e in errors)


def test_delayed_stream_arrives_in_pieces(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Reply(answer="abcd", chunk_size=1, delay=0.05, first_delay=0.1))
    stamps = []
    started = time.monotonic()
    chunks = client.chat.completions.create(
        model="qwen-plus", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    for _ in chunks:
        stamps.append(time.monotonic() - started)
    assert len(stamps) == 7  # role, 4 pieces, finish, usage
    assert stamps[0] >= 0.1  # first_delay
    assert stamps[-1] - stamps[0] >= 0.15  # three delays between the four pieces at least


def test_twenty_thousand_chunks_served_fast(fake: FakeServer) -> None:
    fake.enqueue(Reply(answer="字" * 20_000, chunk_size=1))
    body = json.dumps({"model": "qwen-plus", "messages": MESSAGES, "stream": True})
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    started = time.monotonic()
    conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
    data = conn.getresponse().read()
    elapsed = time.monotonic() - started
    events = data.decode().split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    pieces = [c["choices"][0]["delta"]["content"] for c in chunks[1:-1]]
    assert len(pieces) == 20_000
    assert set(pieces) == {"字"}
    assert elapsed < 1.0


def test_twenty_thousand_chunks_through_the_sdk(fake: FakeServer, client: openai.OpenAI) -> None:
    fake.enqueue(Reply(answer="x" * 20_000, chunk_size=1))
    count = sum(1 for c in stream(client) if c.choices and c.choices[0].delta.content == "x")
    assert count == 20_000


def test_runs_as_a_script() -> None:
    script = Path(__file__).resolve().parents[1] / "fakeserver.py"
    args = [sys.executable, str(script), "--port", "0", "--answer-chars", "1000", "--chunks", "10"]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            ready = proc.stdout.readline().split()
            assert ready[0] == "READY"
            assert ready[1].startswith("http://127.0.0.1:")
            with openai.OpenAI(base_url=ready[1], api_key="sk-test", max_retries=0) as c:
                chunks = stream(c)
            text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
            assert len(text) == 1000
            assert len(chunks) == 10 + 3  # role + 10 pieces + finish + usage
        finally:
            proc.terminate()
