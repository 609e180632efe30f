"""`--json`: one JSON object on stdout once the reply is complete."""

from __future__ import annotations

import dataclasses
import json

from qwenchat.core.conversation import Outcome
from qwenchat.core.errors import ApiError, QwenchatError
from qwenchat.core.events import Event
from qwenchat.core.reply import Reply, Timing
from qwenchat.core.sanitize import escape_c1
from qwenchat.render.output import Output


class JsonRenderer:
    """Collects nothing itself: the reply builder already holds the text."""

    def __init__(self, output: Output, *, model: str) -> None:
        self._output = output
        self._model = model

    def notice(self, text: str) -> None:
        self._output.notice(text)

    def waiting(self) -> None:
        """Nothing to show while waiting: the output may be a pipe."""

    def event(self, event: Event) -> None:
        pass

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        if outcome == "error":  # the command prints the error document (`error_document`)
            return
        document: dict[str, object] = {
            "model": self._model,
            "answer": reply.answer,
            "reasoning": reply.reasoning,
            "finish_reason": reply.finish_reason,
            "usage": dataclasses.asdict(reply.usage) if reply.usage else None,
            "cost": reply.cost.to_json() if reply.cost else None,
            "outcome": outcome,
            "time_to_first_token": _ms(timing.first_token),
            "total_time": _ms(timing.total),
        }
        if reply.more_choices:
            document["choices"] = [reply.answer, *reply.more_choices]
        self._output.out(dumps(document) + "\n", flush=True)


def dumps(document: object) -> str:
    return escape_c1(json.dumps(document, ensure_ascii=False))


def error_document(exc: QwenchatError) -> str:
    """`{"error": {"message", "code", "status", "request_id"}}`: a failed `ask --json`."""
    api = exc if isinstance(exc, ApiError) else None
    return dumps({
        "error": {
            "message": exc.message,
            "code": api.code if api else None,
            "status": api.status if api else None,
            "request_id": api.request_id if api else None,
        }
    })  # fmt: skip


def _ms(seconds: float | None) -> float | None:
    """Seconds, rounded to the millisecond."""
    return None if seconds is None else round(seconds, 3)
