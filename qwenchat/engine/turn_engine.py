"""The turn engine: the one way `ask`, the chat and `/compress` answer a user message.

It builds the chain of event sources — the client, the answer cache (with a store), the context
budget of the model's window from the settings' catalogue — and runs the turn, with the tool
loop when there is a tool session. Everything the user sees goes to the one `TurnView` the
caller passes in; the engine chooses no renderer and writes nothing itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from qwenchat.core.attachments import Attachment, check_for_model
from qwenchat.core.context_fit import context_window, input_limit
from qwenchat.core.conversation import Conversation
from qwenchat.core.request import RequestOptions
from qwenchat.core.settings import Settings
from qwenchat.engine.source_chain import CachingSource, FittedSource
from qwenchat.engine.turn import EventSource, TurnResult, TurnView, run_turn
from qwenchat.store.database import Store
from qwenchat.tools.session import ToolSession


@dataclass(frozen=True)
class CacheUse:
    """Key every request against `store`; with `reuse`, answer from it when it can."""

    store: Store
    reuse: bool = False
    reuse_thinking: bool = False  # thinking-mode answers too


@dataclass(frozen=True)
class Answered:
    """The turn, and how the answer cache saw its (last) request."""

    result: TurnResult
    request_key: str | None = None
    cached: bool = False


def answer(
    settings: Settings,
    conversation: Conversation,
    user: str,
    options: RequestOptions,
    client: EventSource,
    view: TurnView,
    *,
    cache: CacheUse | None = None,
    tools: ToolSession | None = None,
    clock: Callable[[], float] = time.monotonic,
    attachments: tuple[Attachment, ...] = (),
) -> Answered:
    """Answer `user` after `conversation` with `settings.model`, trimmed to its window.

    Attachments the model cannot take are refused here, before anything is sent.
    """
    catalogue = settings.catalogue
    check(settings, conversation, attachments, options)
    caching = None
    if cache is not None:
        caching = CachingSource(
            client, cache.store, catalogue=catalogue, reuse=cache.reuse or cache.reuse_thinking,
            reuse_thinking=cache.reuse_thinking, notice=view.notice,
        )  # fmt: skip
    fitted = FittedSource.for_turn(
        caching or client,
        conversation,
        info=catalogue.lookup(settings.model),
        window=settings.context_window,
        max_tokens=options.max_tokens,
        notice=view.notice,
    )
    if tools is None:
        result = run_turn(
            fitted, conversation, user, model=settings.model, options=options, view=view,
            catalogue=catalogue, clock=clock, attachments=attachments,
        )  # fmt: skip
    else:
        from qwenchat.engine.tool_loop import run_tool_turn

        result = run_tool_turn(
            fitted, conversation, user, model=settings.model, options=options, view=view,
            tools=tools, catalogue=catalogue, clock=clock, attachments=attachments,
        )  # fmt: skip
    if caching is None:
        return Answered(result)
    return Answered(result, caching.key, caching.hit is not None)


def check(
    settings: Settings,
    conversation: Conversation,
    attachments: tuple[Attachment, ...],
    options: RequestOptions,
) -> None:
    """The model must see every image of the request: this turn's and those the history resends."""
    sent = tuple(a for t in conversation.turns for a in t.attachments) + attachments
    info = settings.catalogue.lookup(settings.model)
    window = context_window(info, settings.context_window)
    check_for_model(sent, settings.model, info.vision, input_limit(window, options.max_tokens))


def with_checked_documents(
    settings: Settings,
    conversation: Conversation,
    attachments: tuple[Attachment, ...],
    options: RequestOptions,
    *,
    store: Store | None,
    conversation_id: int | None,
    notice: Callable[[str], None],
) -> Conversation:
    """The request's attachments checked first (nothing is uploaded for a request that would be
    refused), then Qwen-Long's documents uploaded or found again."""
    from qwenchat.engine.documents import with_documents

    check(settings, conversation, attachments, options)
    return with_documents(
        settings, conversation, attachments, store=store, conversation_id=conversation_id,
        notice=notice,
    )  # fmt: skip
