"""One round of a turn: history → request → event source → events fanned out to the builder and
the view.

The view is whatever the caller passed in (a `core.view.RoundView`); this module decides
nothing about how a reply looks and writes nothing itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from qwenchat.core import errors
from qwenchat.core.attachments import Attachment
from qwenchat.core.catalogue import Catalogue
from qwenchat.core.closed_output import OutputClosed
from qwenchat.core.conversation import Conversation, Outcome, ToolStep, Turn
from qwenchat.core.events import AnswerDelta, Event, ReasoningDelta
from qwenchat.core.inline_thinking import split_inline_thinking
from qwenchat.core.model_info import ModelInfo
from qwenchat.core.reply import Reply, ReplyBuilder, Timing
from qwenchat.core.request import RequestOptions, build_request
from qwenchat.core.view import RoundView
from qwenchat.tools.session import ToolView

Notice = Callable[[str], None]


class EventSource(Protocol):
    """What a turn needs from the network: a body in, events out."""

    def stream(self, body: dict[str, Any], *, notify: Notice | None = None) -> Iterator[Event]: ...


class TurnView(RoundView, ToolView, Protocol):
    """Where a whole turn goes: each round's reply, and the tool calls between rounds."""


@dataclass(frozen=True)
class Question:
    """What one turn asks: `text` (with its attachments) after `conversation`, with `options`."""

    conversation: Conversation
    text: str
    options: RequestOptions
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Asked:
    """A question put to `model` (its facts from `catalogue`), timed by `clock`."""

    question: Question
    model: str
    catalogue: Catalogue
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class TurnResult:
    """The finished turn, and the error that ended it, if any."""

    turn: Turn
    reply: Reply
    error: errors.QwenchatError | None = None


def model_events(
    source: EventSource, body: dict[str, Any], info: ModelInfo, *, notify: Notice | None = None
) -> Generator[Event, None, None]:
    """The source's events for `body`, with thinking sent inline (`<think>…</think>`) split out.

    Closing this closes the source's stream too.
    """
    events = source.stream(body, notify=notify)
    split = split_inline_thinking(events, starts_inside=info.thinking == "only")
    try:
        yield from split
    finally:
        split.close()
        close = getattr(events, "close", None)
        if close is not None:
            close()


def run_turn(
    client: EventSource,
    asked: Asked,
    view: RoundView,
    *,
    tools: Sequence[dict[str, Any]] = (),
    steps: tuple[ToolStep, ...] = (),
) -> TurnResult:
    """Send one user message with the history; the reply streams to `view`.

    Ctrl-C (KeyboardInterrupt) and errors end the turn cleanly: the partial reply is kept and
    finished as interrupted or incomplete. `tools` and `steps` (the tool rounds of this turn so
    far) are for the tool loop, which calls this per round.
    """
    question, model, catalogue, clock = asked.question, asked.model, asked.catalogue, asked.clock
    plan = build_request(
        model,
        question.conversation.to_wire(
            question.text,
            steps,
            question.attachments,
            preserve=bool(catalogue.lookup(model).preserve_thinking),
        ),
        question.options,
        tools=tools,
        catalogue=catalogue,
    )
    for warning in plan.warnings:
        view.notice(f"warning: {warning}")
    for note in plan.notes:
        view.notice(note)
    builder = ReplyBuilder()
    start = clock()
    view.waiting()
    events = model_events(client, plan.body, catalogue.lookup(model), notify=view.notice)
    try:
        first, outcome, error = _consume(events, builder, view, lambda: clock() - start)
    finally:
        events.close()
    reply = builder.build()
    if outcome == "ok" and not reply.complete:
        outcome = "incomplete"
        error = errors.StreamError(
            "the stream ended before the server finished the reply; it may be incomplete"
        )
    try:
        view.finish(reply, Timing(first_token=first, total=clock() - start), outcome)
        _remark(view, reply, outcome)
    except Exception as exc:  # a bug in showing the reply must not lose it
        error = error or errors.InternalError(exc)
        outcome = "error" if outcome == "ok" else outcome
    turn = Turn(
        user=question.text, answer=reply.answer, reasoning=reply.reasoning, model=model,
        finish_reason=reply.finish_reason, usage=reply.usage, outcome=outcome, steps=steps,
        attachments=question.attachments,
    )  # fmt: skip
    return TurnResult(turn=turn, reply=reply, error=error)


def _consume(
    events: Iterator[Event],
    builder: ReplyBuilder,
    view: RoundView,
    elapsed: Callable[[], float],
) -> tuple[float | None, Outcome, errors.QwenchatError | None]:
    """Feed every event to the builder and the view; (time to first text, outcome, error).

    Ctrl-C and errors end the stream here, so whatever arrived is kept.
    """
    first: float | None = None
    feed, show = builder.feed, view.event
    try:
        for event in events:
            if first is None and isinstance(event, (AnswerDelta, ReasoningDelta)):
                first = elapsed()
            feed(event)
            show(event)
    except KeyboardInterrupt:
        return first, "interrupted", errors.Interrupted("interrupted")
    except OutputClosed as exc:  # the reader went away: the answer is cut short there
        return first, "interrupted", exc
    except errors.QwenchatError as exc:
        return first, "error", exc
    except Exception as exc:  # a bug: the turn so far is kept, the boundary reports it
        return first, "error", errors.InternalError(exc)
    return first, "ok", None


def _remark(view: RoundView, reply: Reply, outcome: Outcome) -> None:
    """What a finished reply's shape says that the user should know."""
    if outcome != "ok":
        return
    if reply.finish_reason == "length":
        view.notice("the answer was cut short by the token limit (raise --max-tokens)")
    elif not (reply.answer.strip() or reply.tool_calls):
        view.notice("the model returned an empty answer")
