"""One turn: history → request → client → events fanned out to the builder and the renderer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from qwenchat.core import errors
from qwenchat.core.catalogue import DEFAULT_CATALOGUE, Catalogue
from qwenchat.core.conversation import Conversation, Outcome, ToolStep, Turn
from qwenchat.core.events import AnswerDelta, Event, ReasoningDelta
from qwenchat.core.inline_thinking import split_inline_thinking
from qwenchat.core.reply import Reply, ReplyBuilder, Timing
from qwenchat.core.request import RequestOptions, build_request
from qwenchat.render.base import Renderer


class EventSource(Protocol):
    """What a turn needs from the network: a body in, events out."""

    def stream(
        self, body: dict[str, Any], *, notify: Callable[[str], None] | None = None
    ) -> Iterator[Event]: ...


@dataclass(frozen=True)
class TurnResult:
    """The finished turn, and the error that ended it, if any."""

    turn: Turn
    reply: Reply
    error: errors.QwenchatError | None = None


def run_turn(
    client: EventSource,
    conversation: Conversation,
    user: str,
    *,
    model: str,
    options: RequestOptions,
    renderer: Renderer,
    clock: Callable[[], float] = time.monotonic,
    tools: Sequence[dict[str, Any]] = (),
    steps: tuple[ToolStep, ...] = (),
    catalogue: Catalogue = DEFAULT_CATALOGUE,
) -> TurnResult:
    """Send one user message with the history and render the reply as it streams.

    Ctrl-C (KeyboardInterrupt) and errors end the turn cleanly: the partial
    reply is kept and rendered as interrupted or incomplete. `tools` and `steps`
    (the tool rounds of this turn so far) are for `toolloop`, which calls this per round.
    Thinking sent inline in the answer (`<think>…</think>`) is split out before anything
    sees it.
    """
    plan = build_request(
        model, conversation.to_wire(user, steps), options, tools=tools, catalogue=catalogue
    )
    if plan.choices > 1:
        from qwenchat.render.choices import NumberedChoices

        renderer = NumberedChoices(renderer)
    for warning in plan.warnings:
        renderer.notice(f"warning: {warning}")
    for note in plan.notes:
        renderer.notice(note)
    builder = ReplyBuilder()
    start = clock()
    renderer.waiting()
    events = client.stream(plan.body, notify=renderer.notice)
    split = split_inline_thinking(events, starts_inside=catalogue.lookup(model).thinking == "only")
    try:
        first, outcome, error = _consume(split, builder, renderer, lambda: clock() - start)
    finally:
        split.close()
        _close(events)
    reply = builder.build()
    if outcome == "ok" and not reply.complete:
        outcome = "incomplete"
        error = errors.StreamError(
            "the stream ended before the server finished the reply; it may be incomplete"
        )
    renderer.finish(reply, Timing(first_token=first, total=clock() - start), outcome)
    _remark(renderer, reply, outcome)
    turn = Turn(
        user=user, answer=reply.answer, reasoning=reply.reasoning, model=model,
        finish_reason=reply.finish_reason, usage=reply.usage, outcome=outcome, steps=steps,
    )  # fmt: skip
    return TurnResult(turn=turn, reply=reply, error=error)


def _consume(
    events: Iterator[Event],
    builder: ReplyBuilder,
    renderer: Renderer,
    elapsed: Callable[[], float],
) -> tuple[float | None, Outcome, errors.QwenchatError | None]:
    """Feed every event to the builder and the renderer; (time to first text, outcome, error).

    Ctrl-C and errors end the stream here, so whatever arrived is kept.
    """
    first: float | None = None
    try:
        for event in events:
            if first is None and isinstance(event, (AnswerDelta, ReasoningDelta)):
                first = elapsed()
            builder.feed(event)
            renderer.event(event)
    except KeyboardInterrupt:
        return first, "interrupted", errors.Interrupted("interrupted")
    except errors.QwenchatError as exc:
        return first, "error", exc
    return first, "ok", None


def _remark(renderer: Renderer, reply: Reply, outcome: Outcome) -> None:
    """What a finished reply's shape says that the user should know."""
    if outcome != "ok":
        return
    if reply.finish_reason == "length":
        renderer.notice("the answer was cut short by the token limit (raise --max-tokens)")
    elif not (reply.answer.strip() or reply.tool_calls):
        renderer.notice("the model returned an empty answer")


def _close(events: Iterator[Event]) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()
