"""Costs on the way out: a renderer wrapper that prices each reply before it is shown.

Built-in prices apply on DashScope endpoints (by region); a `[models."…".price]` table from
config.toml applies anywhere. Elsewhere, with no price configured, nothing is said about cost.
"""

from __future__ import annotations

from dataclasses import replace

from qwenchat.core.conversation import Outcome
from qwenchat.core.cost import usage_cost
from qwenchat.core.events import Event
from qwenchat.core.reply import Reply, Timing
from qwenchat.core.settings import Settings
from qwenchat.render.base import Renderer


class PricedRenderer:
    """Passes everything through; the reply it finishes with carries its cost."""

    def __init__(self, inner: Renderer, settings: Settings, model: str) -> None:
        self._inner = inner
        self._settings = settings
        self._model = model

    def notice(self, text: str) -> None:
        self._inner.notice(text)

    def waiting(self) -> None:
        self._inner.waiting()

    def event(self, event: Event) -> None:
        self._inner.event(event)

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        cost = usage_cost(self._settings, self._model, reply.usage, reply.reasoning)
        self._inner.finish(replace(reply, cost=cost), timing, outcome)
