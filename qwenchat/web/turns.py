"""The page's one way to answer: a question from the page through the same turn engine and the
same store as `ask` and the chat.

This is the only module of `web/` that calls the engine. It does what `cli/ask_flow.py` does
for `ask`: the attachments checked (and Qwen-Long's documents uploaded) before anything is
sent, the reply priced, the turn saved with its circumstances, and the monthly budget line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qwenchat.core.attachments import Attachment
from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import QwenchatError, UsageError
from qwenchat.core.request import RequestOptions, validate
from qwenchat.core.settings import Settings
from qwenchat.engine.turn_engine import Answered
from qwenchat.store.database import Store, StoreError
from qwenchat.web.stream import SseView

SOURCE = "web"  # how the store lists a conversation started in the page


@dataclass(frozen=True)
class PageQuestion:
    """What the page sends: a message, its attachments, and the choices beside the input box."""

    conversation_id: int | None  # None: a new conversation, created when the turn is saved
    text: str
    model: str
    think: bool | None = None
    max_tokens: int | None = None
    system: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """Where the turn was saved (None: not saved), and the error that ended it, if any."""

    conversation_id: int | None
    error: QwenchatError | None


def ask(settings: Settings, store: Store, question: PageQuestion, view: SseView) -> Outcome:
    """Answer `question` in `view` and save the turn; raises QwenchatError before anything
    is sent (no key, a refused attachment, a conversation a terminal chat has open)."""
    from qwenchat.store.locks import hold

    settings = replace(settings, model=question.model, system=question.system or None)
    settings.require_key()
    options = RequestOptions(think=question.think, max_tokens=question.max_tokens)
    validate(options)
    held = None
    if question.conversation_id is not None:
        held = hold(settings.data_dir, question.conversation_id)
        if held is None:
            raise UsageError(
                "this conversation is open in a chat in the terminal; "
                "continue it there, or start a new one here"
            )
    try:
        history = _history(settings, store, question)
        answered = _answer(settings, store, question, history, options, view)
        _say_tools_are_off(answered, view)
        saved = _save(store, question.conversation_id, answered, history, settings, options, view)
    finally:
        if held is not None:
            held.release()
    return Outcome(saved, answered.result.error)


def _history(settings: Settings, store: Store, question: PageQuestion) -> Conversation:
    if question.conversation_id is None:
        return Conversation(system=settings.system)
    return store.conversation(question.conversation_id).with_system(settings.system)


def _answer(
    settings: Settings,
    store: Store,
    question: PageQuestion,
    history: Conversation,
    options: RequestOptions,
    view: SseView,
) -> Answered:
    from qwenchat.core.spend import pricer, prompt_estimate
    from qwenchat.engine.turn_engine import CacheUse, answer, with_checked_documents
    from qwenchat.net.client import ChatClient

    history = with_checked_documents(
        settings, history, question.attachments, options, store=store,
        conversation_id=question.conversation_id, notice=view.notice,
    )  # fmt: skip
    view.price = pricer(settings, settings.model, prompt_estimate(history, question.text))
    client = ChatClient(settings)
    try:
        return answer(
            settings, history, question.text, options, client, view, cache=CacheUse(store),
            attachments=question.attachments,
        )  # fmt: skip
    finally:
        client.close()


def _say_tools_are_off(answered: Answered, view: SseView) -> None:
    """A model that asked for tools: the page offers none, so nothing ran."""
    names = sorted({call.name or "?" for call in answered.result.reply.tool_calls})
    if names:
        view.notice(
            f"the model asked to run {', '.join(names)}, but tools are off in the page, "
            "so nothing ran"
        )


def _save(
    store: Store,
    conversation_id: int | None,
    answered: Answered,
    history: Conversation,
    settings: Settings,
    options: RequestOptions,
    view: SseView,
) -> int | None:
    """Commit the turn (a stopped one as cut short); one that failed before any text is not."""
    from qwenchat.store.history import record_for
    from qwenchat.store.usage import budget_line

    turn = answered.result.turn
    if turn.outcome == "error" and not (turn.answer or turn.reasoning):
        return conversation_id
    record = record_for(
        turn, settings, system=history.system, think=options.think,
        request_key=answered.request_key, cached=answered.cached, history=history,
    )  # fmt: skip
    try:
        if conversation_id is None:
            conversation_id = store.create(source=SOURCE)
        store.append(conversation_id, record)
    except StoreError as exc:
        view.notice(f"warning: {exc.message}; this answer is not saved")
        return conversation_id
    line = budget_line(store, settings, record.cost)
    if line:
        view.notice(line)
    return conversation_id
