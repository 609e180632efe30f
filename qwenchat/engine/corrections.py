"""The self-correcting source: learned facts applied before a request goes out, and a refusal
caused by a field qwenchat chose fixed, resent once and remembered (`core.corrections`).

It wraps the client, below the answer cache (whose keys see the body as built). Facts are
read from the store for the request's model at this endpoint; a fact is kept only once the
corrected request was answered, so a wrong guess is never remembered. Only a failure before
the first event is corrected; each reason at most once per request.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, TypeVar

from qwenchat.core import errors
from qwenchat.core.corrections import Fix, Learned, announcement, apply_all, diagnose
from qwenchat.core.events import Event
from qwenchat.engine.turn import EventSource
from qwenchat.store.database import Store, StoreError, db_path
from qwenchat.store.learned_facts import facts_for, remember

Notice = Callable[[str], None]
T = TypeVar("T")


class CorrectingSource:
    """`source` with this endpoint's learned facts applied, and refusals corrected once."""

    def __init__(
        self, source: EventSource, base_url: str, data_dir: Path, store: Store | None = None
    ) -> None:
        self.source = source
        self.base_url = base_url
        self.data_dir = data_dir
        self.store = store

    def stream(self, body: dict[str, Any], *, notify: Notice | None = None) -> Iterator[Event]:
        return self._stream(body, notify or _ignore)

    def _stream(self, body: dict[str, Any], notify: Notice) -> Generator[Event, None, None]:
        model = str(body.get("model", ""))
        body = apply_all(self._facts(model), body)
        tried: set[str] = set()
        pending: tuple[Fix, str] | None = None
        while True:
            events = self.source.stream(body, notify=notify)
            started = False
            try:
                for event in events:
                    if not started and pending is not None:
                        self._remember(model, *pending, notify)
                    started = True
                    yield event
                return
            except errors.ApiError as exc:
                fix = None if started else diagnose(exc.status, exc.message, body)
                if fix is None or fix.fact in tried:
                    raise
                tried.add(fix.fact)
                said = _server_words(exc.message)
                notify(announcement(fix, model, said))
                body, pending = fix.apply(body), (fix, said)
            finally:
                close = getattr(events, "close", None)
                if close is not None:
                    close()

    def _facts(self, model: str) -> tuple[Learned, ...]:
        if self.store is None and not db_path(self.data_dir).is_file():
            return ()  # nothing learned yet, and no file to open for it
        try:
            return self._with_store(lambda store: facts_for(store, model, self.base_url))
        except StoreError:
            return ()

    def _remember(self, model: str, fix: Fix, said: str, notify: Notice) -> None:
        try:
            self._with_store(lambda store: remember(store, model, self.base_url, fix.fact, said))
        except StoreError as exc:
            notify(f"warning: the fact could not be remembered: {exc.message}")

    def _with_store(self, use: Callable[[Store], T]) -> T:
        if self.store is not None:
            return use(self.store)
        with Store(db_path(self.data_dir)) as store:
            return use(store)


def _server_words(message: str) -> str:
    """The server's part of an error line (`what: words (status, code)`)."""
    words = message.split(": ", 1)[-1]
    return words.rsplit(" (", 1)[0] if words.endswith(")") else words


def _ignore(_: str) -> None:
    """Corrections announced to nobody."""
