"""Conversations kept in the store, for `ask` and the chat: opening the store, a turn's record
with its circumstances, and the history `ask -c` / `ask --session` continue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from qwenchat.core.conversation import Conversation, Turn
from qwenchat.core.cost import usage_cost
from qwenchat.core.redact import redact
from qwenchat.core.settings import Settings
from qwenchat.core.spend import estimated_usage, prompt_estimate
from qwenchat.store.database import Store, StoreError, Summary, TurnRecord, db_path
from qwenchat.store.usage import budget_line


def open_store(settings: Settings, *, warn: Callable[[str], None] | None = None) -> Store:
    """The store; where it cannot be opened for writing (a read-only data directory, a full
    disk), it is opened read-only: what is saved can still be read, and `warn` is told."""
    path = db_path(settings.data_dir)
    try:
        return Store(path)
    except StoreError as exc:
        if not path.is_file():
            raise
        store = Store(path, read_only=True)
        if warn is not None:
            warn(f"warning: {exc.message}; opened read-only, nothing new is saved")
        return store


def record_for(
    turn: Turn,
    settings: Settings,
    *,
    system: str | None,
    think: bool | None,
    request_key: str | None = None,
    cached: bool = False,
    history: Conversation | None = None,
) -> TurnRecord:
    """A turn with its circumstances: the endpoint and region, never the key; its cost now.

    With the `history` it was asked after, a turn without usage gets an estimated cost.
    """
    guess = None
    if turn.usage is None and history is not None and turn.arrived:
        guess = estimated_usage(prompt_estimate(history, turn.user), turn.answer, turn.reasoning)
    cost = usage_cost(settings, turn.model or settings.model, turn.usage, turn.reasoning,
                      cached=cached, estimate=guess, arrived=turn.arrived)  # fmt: skip
    return TurnRecord(
        turn=turn,
        # a key expanded into the URL (`${DASHSCOPE_API_KEY}` in a path) never reaches the file
        base_url=redact(settings.stored_base_url, settings.api_key),
        region=settings.region if settings.is_dashscope else None,
        system=system,
        think=think,
        request_key=request_key,
        cached=cached,
        cost=cost,
    )


@dataclass(frozen=True)
class Finished:
    """A finished turn with what it was asked after (`history`) and how it was asked."""

    turn: Turn
    history: Conversation
    think: bool | None = None
    request_key: str | None = None  # the answer cache's key for its (last) request
    cached: bool = False  # answered from the cache


@dataclass(frozen=True)
class Saved:
    """Where a turn was saved, and the monthly budget line when its cost crossed 80 % or 100 %."""

    row: int
    budget: str | None = None


def save_turn(store: Store, conversation_id: int, finished: Finished, settings: Settings) -> Saved:
    """Append `finished` to the conversation in one transaction; raises StoreError."""
    record = record_for(
        finished.turn, settings, system=finished.history.system, think=finished.think,
        request_key=finished.request_key, cached=finished.cached, history=finished.history,
    )  # fmt: skip
    row = store.append(conversation_id, record)
    return Saved(row, budget_line(store, settings, record.cost))


def chosen(settings: Settings, name: str, stored: str | None) -> str | None:
    """A setting given explicitly (flag, environment, file) wins over the stored value."""
    if settings.source(name).layer != "default" or stored is None:
        return getattr(settings, name)  # type: ignore[no-any-return]
    return stored


def history_for_ask(
    store: Store,
    settings: Settings,
    *,
    continue_last: bool,
    session: str | None,
    notice: Callable[[str], None] | None = None,
) -> tuple[int | None, Conversation, str]:
    """(conversation id or None for a new one, the history, the model) for `qwenchat ask`.

    A conversation a chat has open (`store.locks`) is not written to: the answer goes to a
    fork of it, as a second chat's would, and `notice` says so.
    """
    found: Summary | None = None
    if session is not None:
        known = store.find_name(session)
        found = store.resolve(session) if known is not None else None
        if found is None:
            new = store.create(source="ask", name=session)
            return new, Conversation(system=settings.system), settings.model
    elif continue_last:
        found = store.latest()
    if found is None:
        return None, Conversation(system=settings.system), settings.model
    if not store.read_only and open_elsewhere(settings, found.id):
        copy = store.fork(found.id)
        if notice is not None:
            notice(f"#{found.id} is open in a chat: this answer goes to a fork, #{copy} "
                   "(so the two do not interleave)")  # fmt: skip
        found = store.resolve(str(copy))
    stored = store.conversation(found.id)
    system = chosen(settings, "system", stored.system)
    model = chosen(settings, "model", found.model) or settings.model
    return found.id, replace(stored, system=system), model


def open_elsewhere(settings: Settings, conversation_id: int) -> bool:
    """Whether a running chat holds this conversation (its lock is taken)."""
    from qwenchat.store.locks import hold

    held = hold(settings.data_dir, conversation_id)
    if held is None:
        return True
    held.release()
    return False
