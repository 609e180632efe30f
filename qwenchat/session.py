"""One turn: history → request → client → events fanned out to the builder and the renderer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from qwenchat import errors
from qwenchat.conversation import Conversation, Outcome, ToolStep, Turn
from qwenchat.events import AnswerDelta, Event, ReasoningDelta
from qwenchat.models import DEFAULT_CATALOGUE, Catalogue
from qwenchat.render.base import Renderer
from qwenchat.reply import Reply, ReplyBuilder, Timing
from qwenchat.request import RequestOptions, build_request
from qwenchat.thinktags import split_inline_thinking


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
    builder = ReplyBuilder()
    start = clock()
    first: float | None = None
    error: errors.QwenchatError | None = None
    outcome: Outcome = "ok"
    renderer.waiting()
    events = client.stream(plan.body, notify=renderer.notice)
    split = split_inline_thinking(events, starts_inside=catalogue.lookup(model).thinking == "only")
    try:
        for event in split:
            if first is None and isinstance(event, (AnswerDelta, ReasoningDelta)):
                first = clock() - start
            builder.feed(event)
            renderer.event(event)
    except KeyboardInterrupt:
        outcome, error = "interrupted", errors.Interrupted("interrupted")
    except errors.QwenchatError as exc:
        outcome, error = "error", exc
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
    if outcome == "ok" and reply.finish_reason == "length":
        renderer.notice("the answer was cut short by the token limit (raise --max-tokens)")
    elif outcome == "ok" and not (reply.answer.strip() or reply.tool_calls):
        renderer.notice("the model returned an empty answer")
    turn = Turn(
        user=user,
        answer=reply.answer,
        reasoning=reply.reasoning,
        model=model,
        finish_reason=reply.finish_reason,
        usage=reply.usage,
        outcome=outcome,
        steps=steps,
    )
    return TurnResult(turn=turn, reply=reply, error=error)


def _close(events: Iterator[Event]) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()
