"""Event sources that wrap the client: the context fit and the answer cache.

Both take a request body and yield events, like `ChatClient.stream`, so
`turn.run_turn` does not know they are there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from qwenchat.core import answer_cache as cache
from qwenchat.core import context_fit as context
from qwenchat.core.catalogue import Catalogue
from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import ApiError
from qwenchat.core.events import Event
from qwenchat.core.model_info import ModelInfo
from qwenchat.engine.turn import EventSource
from qwenchat.store.database import Store, TurnRecord

Notice = Callable[[str], None]


class FittedSource:
    """Trims the history to the model's window; after a 400 input-range error, once more."""

    def __init__(self, source: EventSource, *, limit: int, ratio: float, notice: Notice) -> None:
        self.source = source
        self.limit = limit
        self.ratio = ratio
        self.notice = notice

    @classmethod
    def for_turn(
        cls,
        source: EventSource,
        conversation: Conversation,
        *,
        info: ModelInfo,
        window: int | None,
        max_tokens: int | None,
        notice: Notice,
    ) -> FittedSource:
        """The budget of `info`'s window (or `window`, the configured one) for this history."""
        limit = context.input_limit(context.context_window(info, window), max_tokens)
        return cls(source, limit=limit, ratio=context.calibration(conversation), notice=notice)

    def stream(self, body: dict[str, Any], *, notify: Notice | None = None) -> Iterator[Event]:
        """Send the fitted history; each input-range 400 trims more, while there is more."""
        messages, dropped = context.fit(body["messages"], limit=self.limit, ratio=self.ratio)
        if dropped:
            self.notice(
                f"history too long for the context window ({self.limit:,} input tokens): "
                f"left out {context.left_out(dropped)}"
            )
        while True:
            started = False
            try:
                for event in _closing(
                    self.source.stream({**body, "messages": messages}, notify=notify)
                ):
                    started = True
                    yield event
                return
            except ApiError as exc:
                limit = context.range_limit(exc.message) if exc.status == 400 else None
                if started or limit is None:
                    raise
                messages, more = context.refit(messages, limit=limit, ratio=self.ratio)
                if not more:
                    exc.hint = context.too_long_hint(messages, limit, self.ratio)
                    raise
            dropped += more
            self.notice(
                f"the server accepts at most {limit:,} input tokens: "
                f"retrying without {context.left_out(dropped)}"
            )


class CachingSource:
    """Keys every request; with `reuse`, answers from the store when it was answered before.

    Thinking-mode requests are reused only with `reuse_thinking` as well.
    """

    def __init__(
        self,
        source: EventSource,
        store: Store,
        *,
        catalogue: Catalogue,
        reuse: bool,
        reuse_thinking: bool,
        notice: Notice,
    ) -> None:
        self.source = source
        self.catalogue = catalogue
        self.store = store
        self.reuse = reuse
        self.reuse_thinking = reuse_thinking
        self.notice = notice
        self.key: str | None = None
        self.hit: TurnRecord | None = None

    def stream(self, body: dict[str, Any], *, notify: Notice | None = None) -> Iterator[Event]:
        self.key = cache.request_key(body)
        if self.reuse and (self.reuse_thinking or not self._thinks(body)):
            self.hit = self.store.cached(self.key)
        if self.hit is None:
            yield from _closing(self.source.stream(body, notify=notify))
            return
        self.notice(f"cached answer from {self.hit.time[:19].replace('T', ' ')} UTC (no API call)")
        yield from cache.replay(self.hit.turn)

    def _thinks(self, body: dict[str, Any]) -> bool:
        return cache.thinks(body, self.catalogue.lookup(str(body.get("model", ""))))


def _closing(events: Iterator[Event]) -> Iterator[Event]:
    """Pass events through, closing the inner stream when the outer one is closed early."""
    try:
        yield from events
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
