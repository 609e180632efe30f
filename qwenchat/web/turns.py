"""The page's one way to answer: a question from the page through the same turn engine and the
same store as `ask` and the chat.

This is the only module of `web/` that calls the engine, and it calls it as `ask` does: the
engine's conductor (`turn_engine.conduct`) checks the attachments, uploads Qwen-Long's
documents, prices and answers; `store.history.save_turn` saves the finished turn and says the
monthly budget line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from qwenchat.core.attachments import Attachment
from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import QwenchatError, UsageError
from qwenchat.core.reply import Reply
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
        saved = _save(store, question.conversation_id, answered, settings, view)
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
    from qwenchat.engine.turn import Question
    from qwenchat.engine.turn_engine import Means, conduct
    from qwenchat.net.client import ChatClient

    asked = Question(history, question.text, options, question.attachments)
    client = ChatClient(settings)
    try:
        means = Means(client, store, question.conversation_id, cache=True)
        return conduct(settings, asked, means, _PageFront(view))
    finally:
        client.close()


class _PageFront:
    """The conductor's front for the page: remarks and the reply both go to the stream."""

    def __init__(self, view: SseView) -> None:
        self._view = view

    def notice(self, text: str) -> None:
        self._view.notice(text)

    def view(self, price: Callable[[Reply], Reply]) -> SseView:
        self._view.price = price
        return self._view


def _say_tools_are_off(answered: Answered, view: SseView) -> None:
    """A model that asked for tools: the page offers none, so nothing ran."""
    names = sorted({call.name or "?" for call in answered.result.reply.tool_calls})
    if names:
        view.notice(
            f"the model asked to run {', '.join(names)}, but tools are off in the page, "
            "so nothing ran"
        )


def _save(
    store: Store, conversation_id: int | None, answered: Answered, settings: Settings, view: SseView
) -> int | None:
    """Commit the turn (a stopped one as cut short); one that failed before any text is not."""
    from qwenchat.store.history import save_turn

    turn = answered.result.turn
    if turn.outcome == "error" and not (turn.answer or turn.reasoning):
        return conversation_id
    try:
        if conversation_id is None:
            conversation_id = store.create(source=SOURCE)
        saved = save_turn(store, conversation_id, answered.finished(), settings)
    except StoreError as exc:
        view.notice(f"warning: {exc.message}; this answer is not saved")
        return conversation_id
    if saved.budget:
        view.notice(saved.budget)
    return conversation_id
