"""Arbitrary input for the parts that read what a server sends: they never raise anything but
a StreamError, and nothing that reaches the terminal carries an escape character."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from qwenchat.core.errors import StreamError
from qwenchat.core.events import AnswerDelta, ReasoningDelta, iter_sse_data, parse_chunk
from qwenchat.core.events import parse_completion as parse_body
from qwenchat.core.sanitize import Sanitizer, sanitize
from qwenchat.net.client import _json_object

KEYS = st.sampled_from(
    [
        "choices", "delta", "message", "content", "reasoning_content", "reasoning", "index",
        "finish_reason", "usage", "tool_calls", "function", "name", "arguments", "id",
        "prompt_tokens", "completion_tokens", "completion_tokens_details", "error", "x",
    ]
)  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)
CONTROL_TEXT = st.text(
    alphabet=st.sampled_from(list("ab\n\x1b\x07\x9b\x9d[]();:0123456789mPH\\\x00\x7f\u2028")),
    max_size=60,
)


@given(st.dictionaries(KEYS, JSON, max_size=6))
@settings(max_examples=400)
def test_chunk_parser_takes_any_json_object(chunk: dict[str, Any]) -> None:
    try:
        events = parse_chunk(chunk)
    except StreamError:
        assert chunk.get("error")
        return
    for event in events:
        if isinstance(event, (AnswerDelta, ReasoningDelta)):
            assert isinstance(event.text, str)
            assert event.text


@given(st.dictionaries(KEYS, JSON, max_size=6))
def test_body_parser_takes_any_json_object(body: dict[str, Any]) -> None:
    with contextlib.suppress(StreamError):
        parse_body(body)


@given(st.text(max_size=200))
def test_any_data_line_is_a_chunk_or_a_stream_error(data: str) -> None:
    try:
        chunk = _json_object(data, "chunk")
    except StreamError as exc:
        message = str(exc)
    else:
        assert isinstance(chunk, dict)
        return
    assert "\x1b" not in message


@given(st.lists(st.text(max_size=40), max_size=20))
def test_sse_decoder_takes_any_lines(lines: list[str]) -> None:
    payloads = list(iter_sse_data(lines))
    assert len(payloads) <= sum(line.startswith("data:") for line in lines)


@given(st.lists(CONTROL_TEXT, max_size=12))
@settings(max_examples=300)
def test_streamed_text_never_carries_an_escape(chunks: list[str]) -> None:
    clean = Sanitizer()
    out = "".join(clean.feed(c) for c in chunks) + clean.flush()
    assert "\x1b" not in out
    assert "\x9b" not in out
    assert "\x1b" not in sanitize("".join(chunks))


# Hostile values a parser must survive: nesting bombs, lone surrogates, integers past 64 bits.
HOSTILE_SCALARS = (
    st.sampled_from(["\ud800", "a\udc00b", "\ud83d"]) | st.integers(min_value=2**63 - 2)
    | st.integers(max_value=-(2**63)) | st.just(int("9" * 4000))
)  # fmt: skip
HOSTILE_JSON = st.recursive(
    SCALARS | HOSTILE_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)


@given(st.dictionaries(KEYS, HOSTILE_JSON, max_size=6))
@settings(max_examples=300)
def test_parsers_take_surrogates_and_huge_integers(chunk: dict[str, Any]) -> None:
    for parse in (parse_chunk, parse_body):
        try:
            events = parse(chunk)
        except StreamError:
            continue
        for event in events:
            text = getattr(event, "text", None)
            if isinstance(text, str):
                text.encode("utf-8")  # no lone surrogate survives
            for name in ("prompt_tokens", "completion_tokens", "total_tokens", "index"):
                value = getattr(event, name, None)
                assert value is None or 0 <= value < 2**63


@given(st.integers(min_value=1, max_value=200_000), st.sampled_from("[{"))
@settings(max_examples=20, deadline=None)
def test_any_nesting_depth_is_a_chunk_or_a_stream_error(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    inner = '{"a":' if opener == "{" else "["
    data = inner * depth + "1" * (opener == "{") + closer * depth
    with contextlib.suppress(StreamError):
        _json_object(data, "chunk")


@given(st.lists(st.binary(max_size=30), max_size=20))
def test_sse_lines_split_at_newline_only(chunks: list[bytes]) -> None:
    from qwenchat.net.reading import Watch, lines

    joined = b"".join(chunks)
    got = list(lines(chunks, Watch(60.0, None)))
    expected = joined.split(b"\n")
    if expected and expected[-1] == b"":
        expected.pop()
    decoded = [(e[:-1] if e.endswith(b"\r") else e).decode("utf-8", "replace") for e in expected]
    assert got == decoded
