"""The events of a streamed reply, and the pure translation of wire chunks into them.

A chunk is the JSON object of one SSE `data:` line (or a whole non-streamed
body). Nothing here imports the openai SDK: the client hands plain dicts over.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from qwenchat.core.errors import StreamError


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the model's reasoning (`reasoning_content` or `reasoning`)."""

    text: str


@dataclass(frozen=True, slots=True)
class AnswerDelta:
    """A piece of the answer (`content`)."""

    text: str


@dataclass(frozen=True, slots=True)
class AnswerWasReasoning:
    """A lone `</think>` arrived: the answer text so far was the model's reasoning."""


@dataclass(frozen=True, slots=True)
class OtherChoice:
    """A piece of another choice's answer (`n` > 1); choice 0 arrives as AnswerDelta."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of a tool call: `index` ties fragments of one call together."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts; any may be unknown (None) when the server does not say."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None  # of prompt_tokens, served from the context cache


@dataclass(frozen=True, slots=True)
class Finish:
    """A choice's `finish_reason`: stop, length, tool_calls, content_filter…"""

    reason: str


@dataclass(frozen=True, slots=True)
class Done:
    """The server said the stream is over (`data: [DONE]`, or a complete body)."""


Event = (
    ReasoningDelta | AnswerDelta | AnswerWasReasoning | OtherChoice | ToolCallDelta | Usage
    | Finish | Done
)  # fmt: skip


class EventStream(Protocol):
    """A reply's events, read one by one; `close()` ends the request early (idempotent)."""

    def __iter__(self) -> Iterator[Event]: ...

    def __next__(self) -> Event: ...

    def close(self) -> None: ...


REASONING_FIELDS = ("reasoning_content", "reasoning")
MODERATION_CODES = ("datainspectionfailed", "data_inspection_failed")  # both spellings
MODERATION_HINT = "DashScope's content moderation stopped it; rephrase the message"


def iter_sse_data(lines: Iterable[str]) -> Iterator[str]:
    """Yield the payload of each SSE event; comment lines (`: ping`) are skipped."""
    data: list[str] = []
    for line in lines:
        if line.startswith("data:"):
            payload = line[5:]
            data.append(payload[1:] if payload.startswith(" ") else payload)
        elif not line and data:
            yield "\n".join(data)
            data = []
        # `event:`, `id:`, `retry:` and `:` comments carry nothing qwenchat needs
    if data:
        yield "\n".join(data)


def parse_chunk(chunk: Mapping[str, Any]) -> list[Event]:
    """Translate one `chat.completion.chunk` object into events."""
    error = chunk.get("error")
    if error:
        raise StreamError(
            f"the server reported an error mid-reply: {_error_text(error)}",
            hint=MODERATION_HINT if _moderated(error) else None,
        )
    events: list[Event] = []
    for choice in _mappings(chunk.get("choices")):
        delta = _mapping(choice.get("delta"))
        if choice.get("index", 0):
            _other_choice(choice.get("index"), delta, events)
            continue
        _delta_events(delta, events)
        reason = choice.get("finish_reason")
        if reason:
            events.append(Finish(finish_reason(reason)))
    usage = _mapping(chunk.get("usage"))
    if usage:
        events.append(parse_usage(usage))
    return events


def parse_completion(body: Mapping[str, Any]) -> list[Event]:
    """Translate a non-streamed `chat.completion` body into the same events."""
    if body.get("error"):
        raise StreamError(f"the server reported an error: {_error_text(body['error'])}")
    choices = body.get("choices")
    if not isinstance(choices, list):
        raise StreamError("the server's reply has no choices")
    events: list[Event] = []
    for choice in _mappings(choices[:1]):
        _delta_events(_mapping(choice.get("message")), events)
        if choice.get("finish_reason"):
            events.append(Finish(finish_reason(choice["finish_reason"])))
    for number, choice in enumerate(_mappings(choices[1:]), 1):
        _other_choice(choice.get("index", number), _mapping(choice.get("message")), events)
    usage = _mapping(body.get("usage"))
    if usage:
        events.append(parse_usage(usage))
    events.append(Done())
    return events


def parse_usage(usage: Mapping[str, Any]) -> Usage:
    details = _mapping(usage.get("completion_tokens_details"))
    prompt_details = _mapping(usage.get("prompt_tokens_details"))
    return Usage(
        prompt_tokens=_int(usage.get("prompt_tokens")),
        completion_tokens=_int(usage.get("completion_tokens")),
        reasoning_tokens=_int(details.get("reasoning_tokens") if details else None),
        total_tokens=_int(usage.get("total_tokens")),
        cached_tokens=_int(prompt_details.get("cached_tokens") if prompt_details else None),
    )


def _delta_events(delta: Mapping[str, Any], events: list[Event]) -> None:
    for name in REASONING_FIELDS:
        reasoning = delta.get(name)
        if reasoning and isinstance(reasoning, str):
            events.append(ReasoningDelta(whole(reasoning)))
            break
    content = delta.get("content")
    if content and isinstance(content, str):
        events.append(AnswerDelta(whole(content)))
    for position, call in enumerate(_mappings(delta.get("tool_calls"))):
        function = _mapping(call.get("function"))
        index = _int(call.get("index"))
        arguments = function.get("arguments")
        events.append(
            ToolCallDelta(
                # a complete (non-streamed) message lists its calls without an index
                index=position if index is None else index,
                id=_text(call.get("id")),
                name=_text(function.get("name")),
                arguments=(
                    json.dumps(arguments)
                    if isinstance(arguments, (dict, list))
                    else _text(arguments) or ""
                ),
            )
        )


def _other_choice(index: Any, delta: Mapping[str, Any], events: list[Event]) -> None:
    """Only the answer text of choices after the first is kept (their reasoning is not)."""
    content = delta.get("content")
    number = _int(index)
    if number and content and isinstance(content, str):
        events.append(OtherChoice(number, whole(content)))


def _moderated(error: Any) -> bool:
    return any(code in str(error).lower() for code in MODERATION_CODES)


def _error_text(error: Any) -> str:
    if isinstance(error, Mapping):
        message = str(error.get("message") or "").strip() or "unknown error"
        code = error.get("code")
        return f"{message} ({code})" if code else message
    return str(error)


def _mapping(value: Any) -> Mapping[str, Any]:
    """A server may send any JSON where an object belongs; anything else counts as empty."""
    return value if isinstance(value, Mapping) else {}


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return whole(value) if isinstance(value, str) and value else None


def whole(text: str) -> str:
    """`text` with lone surrogates (`"\\ud800"` in JSON: not Unicode) made U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def finish_reason(value: Any) -> str:
    """A `finish_reason` as text that can be shown and saved: any JSON a server sends there,
    lone surrogates made U+FFFD, at most MAX_REASON characters."""
    text = whole(value) if isinstance(value, str) else f"({type(value).__name__})"
    return text[:MAX_REASON]


MAX_REASON = 64


def _int(value: Any) -> int | None:
    """An integer that fits 64 bits; anything else (a count above 2**63, a bool) is unknown."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < INT_LIMIT:
        return value
    return None


INT_LIMIT = 2**63
_SURROGATE = re.compile("[\ud800-\udfff]")
