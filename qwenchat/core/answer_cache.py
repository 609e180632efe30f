"""The answer cache (pure): the key of a request, and a stored turn replayed as events.

Two requests are the same when their model, messages and parameters are; whether
the reply streams does not change what the model is asked, so it is not part of
the key. Thinking-mode requests are not reused unless the user asks for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from qwenchat.core.conversation import Turn
from qwenchat.core.events import AnswerDelta, Done, Event, Finish, ReasoningDelta
from qwenchat.core.model_info import ModelInfo

TRANSPORT_FIELDS = frozenset({"stream", "stream_options"})


LONG_STRING = 64 * 1024  # an image's data URL: keyed by its own digest, not copied into JSON


def request_key(body: Mapping[str, Any]) -> str:
    """A stable digest of what the model is asked."""
    asked = {k: _short(v) for k, v in body.items() if k not in TRANSPORT_FIELDS}
    canonical = json.dumps(asked, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _short(value: Any) -> Any:
    """The value with every very long string (an attached image) replaced by its SHA-256."""
    if isinstance(value, str) and len(value) > LONG_STRING:
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value]
    return value


def thinks(body: Mapping[str, Any], info: ModelInfo) -> bool:
    """Whether the request runs in thinking mode (`info`: the catalogue entry of its model)."""
    kwargs = body.get("chat_template_kwargs")
    explicit = body.get("enable_thinking", (kwargs or {}).get("enable_thinking"))
    if isinstance(explicit, bool):
        return explicit
    return info.thinking == "only" or (info.thinking == "hybrid" and info.thinking_default)


def replay(turn: Turn) -> Iterator[Event]:
    """The events that rebuild `turn`'s reply (usage is not replayed: nothing was spent)."""
    if turn.reasoning:
        yield ReasoningDelta(turn.reasoning)
    if turn.answer:
        yield AnswerDelta(turn.answer)
    yield Finish(turn.finish_reason or "stop")
    yield Done()
