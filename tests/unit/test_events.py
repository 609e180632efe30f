"""Chunk parsing and reply building (pure)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwenchat.core.errors import StreamError
from qwenchat.core.events import (
    AnswerDelta,
    Done,
    Finish,
    ReasoningDelta,
    ToolCallDelta,
    Usage,
    iter_sse_data,
    parse_chunk,
    parse_completion,
)
from qwenchat.core.reply import ReplyBuilder
from tests.fakeserver import Reply, stream_frames


def chunk(delta: dict[str, object], finish: str | None = None) -> dict[str, object]:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_role_chunk_gives_nothing() -> None:
    assert parse_chunk(chunk({"role": "assistant", "content": ""})) == []


def test_usage_chunk_with_empty_choices() -> None:
    events = parse_chunk(
        {
            "choices": [],
            "usage": {
                "prompt_tokens": 3,
                "completion_tokens": 5,
                "total_tokens": 8,
                "completion_tokens_details": {"reasoning_tokens": 2},
            },
        }
    )
    assert events == [Usage(3, 5, 2, 8)]


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_both_reasoning_fields(field: str) -> None:
    assert parse_chunk(chunk({"content": None, field: "hm"})) == [ReasoningDelta("hm")]


def test_finish_reason_and_content_in_one_chunk() -> None:
    assert parse_chunk(chunk({"content": "x"}, "stop")) == [AnswerDelta("x"), Finish("stop")]


def test_error_object_mid_stream_raises() -> None:
    with pytest.raises(StreamError, match="DataInspectionFailed"):
        parse_chunk({"error": {"message": "inappropriate content", "code": "DataInspectionFailed"}})


def test_tool_call_fragments_are_assembled() -> None:
    builder = ReplyBuilder()
    pieces = [
        {"index": 0, "id": "call_1", "function": {"name": "get_time", "arguments": ""}},
        {"index": 1, "id": "call_2", "function": {"name": "weather", "arguments": ""}},
        {"index": 0, "function": {"arguments": '{"tz":'}},
        {"index": 1, "function": {"arguments": '{"city": "Hangzhou"}'}},
        {"index": 0, "function": {"arguments": ' "UTC"}'}},
    ]
    for piece in pieces:
        for event in parse_chunk(chunk({"tool_calls": [piece]})):
            assert isinstance(event, ToolCallDelta)
            builder.feed(event)
    reply = builder.build()
    assert [(c.id, c.name, json.loads(c.arguments)) for c in reply.tool_calls] == [
        ("call_1", "get_time", {"tz": "UTC"}),
        ("call_2", "weather", {"city": "Hangzhou"}),
    ]


def test_sse_decoding_skips_comments_and_joins_multiline_data() -> None:
    lines = [": ping", "", 'data: {"a":', "data: 1}", "", "event: x", "data:[DONE]", ""]
    assert list(iter_sse_data(lines)) == ['{"a":\n1}', "[DONE]"]


def test_non_streamed_body() -> None:
    body = {
        "choices": [
            {
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "hi", "reasoning_content": "r"},
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    assert parse_completion(body) == [
        ReasoningDelta("r"), AnswerDelta("hi"), Finish("stop"), Usage(1, 2, None, 3), Done()
    ]  # fmt: skip


def fold(frames: list[str]) -> ReplyBuilder:
    builder = ReplyBuilder()
    lines = "".join(frames).split("\n")
    for data in iter_sse_data(lines):
        if data == "[DONE]":
            builder.feed(Done())
            continue
        for event in parse_chunk(json.loads(data)):
            builder.feed(event)
    return builder


@given(
    reasoning=st.text(max_size=200),
    answer=st.text(min_size=1, max_size=200),
    size=st.integers(min_value=1, max_value=12),
)
def test_any_chunking_rebuilds_reasoning_and_answer_exactly(
    reasoning: str, answer: str, size: int
) -> None:
    body = {"messages": [{"role": "user", "content": "q"}], "stream_options": {"include_usage": 1}}
    frames, _ = stream_frames(Reply(answer=answer, reasoning=reasoning, chunk_size=size), body)
    reply = fold(frames).build()
    assert reply.reasoning == reasoning
    assert reply.answer == answer
    assert reply.complete
    assert reply.usage is not None
