"""One result line of the output JSONL, and the running totals for the summary (pure).

A record is `{"id", "prompt", "answer", "reasoning", "usage", "finish_reason", "error"}`;
`prompt` is the line's last user message (null when a batch fetched by id alone does not know
it); `error` is null or `{"message", "status", "code"}`. Both engines write exactly this shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qwenchat.core.errors import ApiError, QwenchatError
from qwenchat.core.events import Usage
from qwenchat.core.reply import Reply
from qwenchat.core.sanitize import escape_c1, sanitize

USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "reasoning_tokens", "total_tokens")


@dataclass(frozen=True)
class Record:
    """The outcome of one request of the batch."""

    id: str
    answer: str | None = None
    reasoning: str | None = None
    usage: Mapping[str, int | None] | None = None
    finish_reason: str | None = None
    error: Mapping[str, Any] | None = None
    model: str | None = None  # the model that answered, when the result says (not written out)
    prompt: str | None = None  # what was asked (the last user message)

    @property
    def ok(self) -> bool:
        return self.error is None

    def tokens(self, name: str) -> int:
        value = (self.usage or {}).get(name)
        return value if isinstance(value, int) else 0

    def to_line(self) -> str:
        obj = {
            "id": self.id, "prompt": self.prompt, "answer": self.answer,
            "reasoning": self.reasoning,
            "usage": dict(self.usage) if self.usage is not None else None,
            "finish_reason": self.finish_reason,
            "error": dict(self.error) if self.error is not None else None,
        }  # fmt: skip
        line = escape_c1(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        if not line.isascii() and not _encodable(line):  # a lone surrogate: escape it
            line = json.dumps(obj, separators=(",", ":"))
        return line + "\n"


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def from_reply(item_id: str, reply: Reply, error: QwenchatError | None = None) -> Record:
    """The record of a reply; an error keeps whatever part of the answer arrived."""
    return Record(
        id=item_id,
        answer=reply.answer if reply.answer or error is None else None,
        reasoning=reply.reasoning or None,
        usage=usage_dict(reply.usage),
        finish_reason=reply.finish_reason,
        error=error_dict(error) if error is not None else None,
    )


def usage_dict(usage: Usage | None) -> dict[str, int | None] | None:
    if usage is None:
        return None
    return {name: getattr(usage, name) for name in USAGE_FIELDS}


def error_dict(error: QwenchatError) -> dict[str, Any]:
    status = error.status if isinstance(error, ApiError) else None
    code = error.code if isinstance(error, ApiError) else None
    return {"message": error.message, "status": status, "code": code}


def failure(
    item_id: str, message: str, *, status: int | None = None, code: str | None = None
) -> Record:
    return Record(id=item_id, error={"message": sanitize(message), "status": status, "code": code})


def parse_record(line: str) -> Record | None:
    """A record read back from an output file; None when the line is not one."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or "error" not in obj:
        return None
    usage, error = obj.get("usage"), obj.get("error")
    return Record(
        id=obj["id"],
        answer=obj.get("answer"),
        reasoning=obj.get("reasoning"),
        usage=usage if isinstance(usage, dict) else None,
        finish_reason=obj.get("finish_reason"),
        error=error if isinstance(error, dict) or error is None else {"message": str(error)},
        prompt=prompt if isinstance(prompt := obj.get("prompt"), str) else None,
    )


class Tally:
    """Requests, failures and tokens of the records seen so far."""

    def __init__(self) -> None:
        self.requests = 0
        self.failed = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.reasoning_tokens = 0

    def add(self, record: Record) -> None:
        self.requests += 1
        self.failed += 0 if record.ok else 1
        self.prompt_tokens += record.tokens("prompt_tokens")
        self.completion_tokens += record.tokens("completion_tokens")
        self.reasoning_tokens += record.tokens("reasoning_tokens")

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def summary(self, *, seconds: float, skipped: int = 0) -> str:
        """One line: `batch: 200 requests · 2 failed · 12,345 tokens in · 6,789 out · 4.2 s`."""
        parts = [f"{self.requests:,} request{'s' if self.requests != 1 else ''}"]
        parts.append(f"{self.failed:,} failed")
        parts.append(f"{self.prompt_tokens:,} tokens in")
        out = f"{self.completion_tokens:,} out"
        if self.reasoning_tokens:
            out += f" ({self.reasoning_tokens:,} reasoning)"
        parts.append(out)
        if skipped:
            parts.append(f"{skipped:,} already done")
        parts.append(f"{seconds:.1f} s")
        return "batch: " + " · ".join(parts)
