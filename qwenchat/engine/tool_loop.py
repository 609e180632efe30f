"""The tool loop: request → tool calls → consent → run → `tool` messages → request again.

Each round is one `turn.run_turn` with the tools offered and the turn's earlier rounds
in the history; the loop ends when the model answers without tool calls, or after
`rounds` rounds of tool calls (the calls of the round after that are not run, and the turn
ends with an error saying so). The calls themselves are run by `tools.session`. If the server
refuses to stream a request with tools, the request is sent again without streaming (thinking
off), said once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields, replace
from typing import Any

from qwenchat.core import errors
from qwenchat.core.conversation import Outcome, ToolResult, ToolStep
from qwenchat.core.events import Event, Usage
from qwenchat.core.model_info import ModelInfo
from qwenchat.core.reply import ToolCall
from qwenchat.engine.turn import Asked, EventSource, TurnResult, TurnView, run_turn
from qwenchat.tools.session import ToolSession, run_calls

LIMIT = "not run: the limit of {rounds} for one question was reached"
FALLBACK_NOTICE = (
    "the server refused to stream a request with tools; asking without streaming (thinking off)"
)


class ToolRoundLimit(errors.QwenchatError):
    """The model kept asking for tools past the round limit (exit 1)."""


def run_tool_turn(
    client: EventSource, asked: Asked, view: TurnView, tools: ToolSession
) -> TurnResult:
    """One user message, answered after as many tool rounds as the model needs (capped)."""
    source = StreamFallback(client, info=asked.catalogue.lookup(asked.model), notice=view.notice)
    schemas = tools.toolset.schemas()
    steps: list[ToolStep] = []
    rounds: list[TurnResult] = []
    for number in range(tools.rounds + 1):
        result = run_turn(source, asked, view, tools=schemas, steps=tuple(steps))
        rounds.append(result)
        calls = _with_ids(result.reply.tool_calls, number)
        if result.error is not None or not calls:
            return _combine(rounds, steps)
        if number == tools.rounds:
            rounds_text = f"{tools.rounds} tool round{'' if tools.rounds == 1 else 's'}"
            steps.append(_not_run(calls, result.reply.answer, LIMIT.format(rounds=rounds_text)))
            wanted = ", ".join(dict.fromkeys(c.name for c in calls))
            error = ToolRoundLimit(
                f"stopped after {rounds_text}; the model still asked for {wanted}",
                hint="raise --tool-rounds, or reply to say how to go on",
            )
            return _combine(rounds, steps, "incomplete", error)
        results, interrupted = run_calls(calls, tools, view)
        steps.append(
            ToolStep(calls, results, text=result.reply.answer, reasoning=result.reply.reasoning)
        )
        if interrupted:
            return _combine(rounds, steps, "interrupted", errors.Interrupted("interrupted"))
    raise AssertionError("the loop returns from its last round")


def _with_ids(calls: tuple[ToolCall, ...], number: int) -> tuple[ToolCall, ...]:
    """A server that sends no call id still needs one to pair the call with its result."""
    return tuple(c if c.id else replace(c, id=f"call_{number}_{i}") for i, c in enumerate(calls))


def _not_run(calls: tuple[ToolCall, ...], text: str, reason: str) -> ToolStep:
    return ToolStep(calls, tuple(ToolResult(c.id, reason, "not run") for c in calls), text)


def _combine(
    rounds: list[TurnResult],
    steps: list[ToolStep],
    outcome: Outcome | None = None,
    error: errors.QwenchatError | None = None,
) -> TurnResult:
    """The whole turn: every round's reasoning and usage, the final answer, all the steps."""
    last = rounds[-1]
    ended_in_step = outcome is not None  # the last round's text went into its step
    turn = replace(
        last.turn,
        answer="" if ended_in_step else last.turn.answer,
        reasoning="\n\n".join(r.reply.reasoning for r in rounds if r.reply.reasoning),
        usage=total_usage([r.reply.usage for r in rounds]),
        outcome=outcome or last.turn.outcome,
        steps=tuple(steps),
    )
    return TurnResult(turn=turn, reply=last.reply, error=error or last.error)


def total_usage(usages: Sequence[Usage | None]) -> Usage | None:
    """Token counts summed over rounds; a count no round reported stays unknown."""
    known = [u for u in usages if u is not None]
    if not known:
        return None
    totals: dict[str, int | None] = {}
    for field in fields(Usage):
        values = [getattr(u, field.name) for u in known]
        present = [v for v in values if v is not None]
        totals[field.name] = sum(present) if present else None
    return Usage(**totals)


class StreamFallback:
    """An event source that falls back to a non-streamed request when streaming with tools
    is refused (a 400 that mentions streaming), and keeps to it for the rest of the turn."""

    def __init__(
        self, client: EventSource, *, info: ModelInfo, notice: Callable[[str], None]
    ) -> None:
        self._client = client
        self._info = info
        self._notice = notice
        self._unstreamed = False

    def stream(
        self, body: dict[str, Any], *, notify: Callable[[str], None] | None = None
    ) -> Iterator[Event]:
        if self._unstreamed and body.get("stream"):
            body = unstreamed(body, self._info)
        events = self._client.stream(body, notify=notify)
        try:
            first = next(events, None)
        except errors.ApiError as exc:
            if not (refuses_streaming(exc, body) and self._info.thinking != "only"):
                raise
            self._unstreamed = True
            self._notice(FALLBACK_NOTICE)
            events = self._client.stream(unstreamed(body, self._info), notify=notify)
            first = next(events, None)
        try:
            if first is not None:
                yield first
                yield from events
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()


def refuses_streaming(exc: errors.ApiError, body: dict[str, Any]) -> bool:
    return bool(
        exc.status == 400
        and body.get("stream")
        and body.get("tools")
        and "stream" in exc.message.lower()
    )


def unstreamed(body: dict[str, Any], info: ModelInfo) -> dict[str, Any]:
    """The same request, not streamed, thinking off where the model lets it be turned off."""
    out = {k: v for k, v in body.items() if k != "stream_options"}
    out["stream"] = False
    if info.thinking == "hybrid" or "enable_thinking" in out:
        out["enable_thinking"] = False
    return out
