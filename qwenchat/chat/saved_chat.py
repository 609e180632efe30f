"""The chat's conversation in the store: `SavedChat` mirrors it turn by turn, and the session
commands (/sessions, /resume, /rename, /fork) run against it.

`SavedChat.sync` is called after every change to the chat's state. It compares the
conversation's turns with the ones already saved (by identity): turns that went
away (/undo, /retry, /compress) are marked inactive, new ones are appended, each
in its own transaction, so what is on disk is what the user sees.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qwenchat.chat.recap import recap
from qwenchat.core.conversation import Conversation, Turn
from qwenchat.core.errors import UsageError
from qwenchat.core.plural import plural
from qwenchat.core.settings import Settings
from qwenchat.store.database import Store, StoreError, Summary
from qwenchat.store.history import Finished, chosen, save_turn
from qwenchat.store.locks import Held, hold

if TYPE_CHECKING:  # the chat's types, for annotations only
    from qwenchat.chat.actions import ChatState, StoreAction

SESSIONS_PAGE = 20


def listing(summaries: list[Summary], current: int | None = None, *, every: bool = False) -> str:
    """The conversations, newest first: the newest SESSIONS_PAGE unless `every`."""
    if not summaries:
        return "no saved conversations yet"
    lines = []
    shown = summaries if every else summaries[:SESSIONS_PAGE]
    for s in shown:
        mark = "*" if s.id == current else " "
        name = f" [{s.name}]" if s.name else ""
        lines.append(
            f"{mark} #{s.id}{name} {s.title or '(untitled)'} · {plural(s.turns, 'turn')} · "
            f"{s.model or '-'} · {s.updated[:16].replace('T', ' ')}"
        )
    if len(shown) < len(summaries):
        lines.append(
            f"… {plural(len(summaries) - len(shown), 'older conversation')} (/sessions all)"
        )
    return "\n".join(lines)


@dataclass
class _Saved:
    turn: Turn
    row: int


class SavedChat:
    """Mirrors one chat's conversation into the store; a no-op without a store."""

    def __init__(self, store: Store | None, settings: Settings, warn: Callable[[str], None]):
        self.store = store
        self.settings = settings
        self.warn = warn
        self.conversation_id: int | None = None
        self.pending_name: str | None = None
        self._saved: list[_Saved] = []
        self._held: Held | None = None
        self._title: str | None = None  # kept through the next sync (`keep_title`)

    def keep_title(self) -> None:
        """The next sync replaces turns (/compress) but the conversation keeps its title."""
        if self.store is not None and self.conversation_id is not None:
            with contextlib.suppress(StoreError, UsageError):
                self._title = self.store.resolve(str(self.conversation_id)).title

    def sync(self, state: ChatState) -> ChatState:
        """Write what changed since the last sync; the state knows its conversation id."""
        if self.store is None or self.store.read_only:  # the user was told when it opened
            return state
        if state.conversation_id != self.conversation_id:  # /clear started a new conversation
            self.conversation_id, self._saved, self.pending_name = state.conversation_id, [], None
        turns = state.conversation.turns
        same = 0
        while same < min(len(turns), len(self._saved)) and turns[same] is self._saved[same].turn:
            same += 1
        try:
            self.store.deactivate([s.row for s in self._saved[same:]])
            del self._saved[same:]
            for index, turn in enumerate(turns[same:], same):
                if self.conversation_id is None:
                    self.conversation_id = self.store.create(source="chat", name=self.pending_name)
                    self.pending_name = None
                    self._own(self.conversation_id)
                before = replace(state.conversation, turns=turns[:index])
                finished = Finished(turn, before, state.think)
                saved = save_turn(self.store, self.conversation_id, finished, self.settings)
                self._saved.append(_Saved(turn, saved.row))
                if saved.budget:
                    self.warn(saved.budget)
            if self._title is not None and self.conversation_id is not None:
                self.store.retitle(self.conversation_id, self._title)
            self._title = None
        except StoreError as exc:
            self.warn(f"{exc.message}; this conversation is no longer saved")
            self.store = None
        return replace(state, conversation_id=self.conversation_id)

    def start(
        self, state: ChatState, *, continue_last: bool, session: str | None
    ) -> tuple[ChatState, str | None]:
        """Open the conversation asked for on the command line; (state, what to tell the user)."""
        if self.store is None or not (continue_last or session):
            return state, None
        if session is not None and self.store.find_name(session) is None:
            self.store.check_name(session)
            self.pending_name = session
            return state, f"new session {session!r}"
        found = self.store.resolve(session) if session else self.store.latest()
        if found is None:
            return state, "no saved conversation yet: starting a new one"
        return self._load(state, found, keep_flags=True)

    def carry_out(self, state: ChatState, action: StoreAction) -> tuple[ChatState, str]:
        """Run a session command against the store; (new state, what to tell the user)."""
        if self.store is None:
            return state, "conversations are not being saved (the store could not be opened)"
        try:
            from qwenchat.chat.actions import Fork, Rename, Resume, Sessions

            match action:
                case Sessions(every):
                    shown = listing(self.store.summaries(), self.conversation_id, every=every)
                    return state, shown
                case Resume(ref):
                    return self._load(state, self.store.resolve(ref), keep_flags=False)
                case Rename(name):
                    return state, self._rename(name)
                case Fork():
                    return self._fork(state)
        except (StoreError, UsageError) as exc:
            return state, exc.message
        raise AssertionError(action)  # pragma: no cover - the match is exhaustive

    def _own(self, conversation_id: int) -> bool:
        """Hold this conversation's lock (releasing the last one); False: another chat has it."""
        held = hold(self.settings.data_dir, conversation_id)
        if held is None:
            return False
        if self._held is not None:
            self._held.release()
        self._held = held
        return True

    def _load(self, state: ChatState, found: Summary, *, keep_flags: bool) -> tuple[ChatState, str]:
        assert self.store is not None
        if not self.store.read_only and not self._own(found.id):
            copy = self.store.resolve(str(self.store.fork(found.id)))
            state, told = self._load(state, copy, keep_flags=keep_flags)
            return state, (
                f"#{found.id} is open in another chat: continuing in a fork, #{copy.id} "
                f"(so the two do not interleave)\n{told}"
            )
        records = self.store.records(found.id)
        stored = Conversation(
            system=records[-1].system if records else None,
            turns=tuple(r.turn for r in records),
        )
        system, model = stored.system, found.model or state.model
        if keep_flags:
            system = chosen(self.settings, "system", stored.system)
            model = chosen(self.settings, "model", found.model) or state.model
        self.conversation_id, self.pending_name = found.id, None
        self._saved = [_Saved(t, r.id) for t, r in zip(stored.turns, records, strict=True)]
        state = replace(
            state,
            conversation=replace(stored, system=system),
            model=model,
            conversation_id=found.id,
        )
        return state, recap(found, stored.turns)

    def _rename(self, name: str) -> str:
        assert self.store is not None
        if self.conversation_id is None:
            self.store.check_name(name)
            self.pending_name = name
            return f"this conversation will be saved as {name!r}"
        self.store.rename(self.conversation_id, name)
        return f"renamed #{self.conversation_id} to {name!r}"

    def _fork(self, state: ChatState) -> tuple[ChatState, str]:
        assert self.store is not None
        if self.conversation_id is None:
            return state, "nothing to fork yet"
        parent = self.conversation_id
        copy = self.store.fork(parent)
        self._own(copy)
        stored = self.store.conversation(copy)
        self.conversation_id = copy
        self._saved = [
            _Saved(t, r.id) for t, r in zip(stored.turns, self.store.records(copy), strict=True)
        ]
        conversation = replace(stored, system=state.conversation.system)
        state = replace(state, conversation=conversation, conversation_id=copy)
        return state, f"forked #{parent} into #{copy}; you are now in #{copy}"
