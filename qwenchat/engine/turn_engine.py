"""The turn engine: the one way `ask`, the chat and `/compress` answer a user message.

`conduct` takes the question and carries the whole turn: the attachments checked (once), Qwen-
Long's documents uploaded or found again, the price of the reply estimated, the chain of event
sources built — the client, the answer cache (with a store), the context fit of the model's
window from the settings' catalogue — and the turn run, with the tool loop when there is a tool
session. Everything the user sees goes to the `Front` the caller passes in; the engine chooses
no renderer and writes nothing itself. Saving the finished turn is `store.history.save_turn`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from qwenchat.core.attachments import check_for_model
from qwenchat.core.context_fit import context_window, input_limit
from qwenchat.core.reply import Reply
from qwenchat.core.settings import Settings
from qwenchat.core.spend import pricer, prompt_estimate
from qwenchat.engine.corrections import CorrectingSource
from qwenchat.engine.documents import with_documents
from qwenchat.engine.source_chain import CachingSource, FittedSource
from qwenchat.engine.turn import Asked, EventSource, Question, TurnResult, TurnView, run_turn
from qwenchat.store.database import Store
from qwenchat.store.history import Finished
from qwenchat.tools.session import ToolSession

Price = Callable[[Reply], Reply]


class Front(Protocol):
    """Where a conducted turn shows itself: remarks before the reply, then the reply's view."""

    def notice(self, text: str) -> None:
        """A remark for the user before the reply starts (a document uploaded, …)."""

    def view(self, price: Price) -> TurnView:
        """The view of this turn; `price` gives each finished reply its cost."""


@dataclass(frozen=True)
class Means:
    """What a turn is answered with: the client, the store and conversation (for documents and
    the answer cache), the tools."""

    client: EventSource
    store: Store | None = None
    conversation_id: int | None = None
    cache: bool = False  # key every request against the store (it must be given)
    reuse: bool = False  # ... and answer from it when it can
    reuse_thinking: bool = False  # ... thinking-mode answers too
    tools: ToolSession | None = None
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class Answered:
    """The turn, the question as it was sent, and how the answer cache saw its (last) request."""

    result: TurnResult
    question: Question
    request_key: str | None = None
    cached: bool = False

    def finished(self) -> Finished:
        """The turn as the store saves it (`store.history.save_turn`)."""
        return Finished(
            self.result.turn, self.question.conversation, self.question.options.think,
            self.request_key, self.cached,
        )  # fmt: skip


def conduct(settings: Settings, question: Question, means: Means, front: Front) -> Answered:
    """Answer `question` with `settings.model`, trimmed to its window.

    Attachments the model cannot take are refused here, before anything is sent or uploaded.
    """
    check(settings, question)
    conversation = with_documents(
        settings, question.conversation, question.attachments, store=means.store,
        conversation_id=means.conversation_id, notice=front.notice,
    )  # fmt: skip
    sent = Question(conversation, question.text, question.options, question.attachments)
    price = pricer(settings, settings.model, prompt_estimate(conversation, question.text))
    return answer(settings, sent, means, front.view(price))


def answer(settings: Settings, question: Question, means: Means, view: TurnView) -> Answered:
    """The turn itself: the chain of sources, then one turn (or the tool loop) through it."""
    catalogue = settings.catalogue
    client = CorrectingSource(means.client, settings.base_url, settings.data_dir, means.store)
    caching = None
    if means.cache and means.store is not None:
        caching = CachingSource(
            client, means.store, catalogue=catalogue,
            reuse=means.reuse or means.reuse_thinking, reuse_thinking=means.reuse_thinking,
            notice=view.notice,
        )  # fmt: skip
    fitted = FittedSource.for_turn(
        caching or client,
        question.conversation,
        info=catalogue.lookup(settings.model),
        window=settings.context_window,
        max_tokens=question.options.max_tokens,
        notice=view.notice,
    )
    asked = Asked(question, settings.model, catalogue, means.clock)
    if means.tools is None:
        result = run_turn(fitted, asked, view)
    else:
        from qwenchat.engine.tool_loop import run_tool_turn

        result = run_tool_turn(fitted, asked, view, means.tools)
    if caching is None:
        return Answered(result, question)
    return Answered(result, question, caching.key, caching.hit is not None)


def check(settings: Settings, question: Question) -> None:
    """The model must see every image of the request: this turn's and those the history resends."""
    conversation = question.conversation
    sent = tuple(a for t in conversation.turns for a in t.attachments) + question.attachments
    info = settings.catalogue.lookup(settings.model)
    window = context_window(info, settings.context_window)
    limit = input_limit(window, question.options.max_tokens)
    check_for_model(sent, settings.model, info.vision, limit)
