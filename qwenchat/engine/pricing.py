"""Costs on the way out: a renderer wrapper that prices each reply before it is shown.

Built-in prices apply on DashScope endpoints (by region); a `[models."…".price]` table from
config.toml applies anywhere. Elsewhere, with no price configured, nothing is said about cost.
When the server reports no usage, the cost is estimated from tokens counted here.
"""

from __future__ import annotations

from dataclasses import replace

from qwenchat.core.conversation import Outcome
from qwenchat.core.cost import usage_cost
from qwenchat.core.events import Event
from qwenchat.core.reply import Reply, Timing
from qwenchat.core.settings import Settings
from qwenchat.core.spend import estimated_usage
from qwenchat.render.base import Renderer


class PricedRenderer:
    """Passes everything through; the reply it finishes with carries its cost."""

    def __init__(
        self, inner: Renderer, settings: Settings, model: str, prompt_tokens: int | None = None
    ) -> None:
        self._inner = inner
        self._settings = settings
        self._model = model
        self._prompt_tokens = prompt_tokens  # counted here, for a reply without usage

    def notice(self, text: str) -> None:
        self._inner.notice(text)

    def waiting(self) -> None:
        self._inner.waiting()

    def event(self, event: Event) -> None:
        self._inner.event(event)

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        guess = estimated_usage(self._prompt_tokens, reply.answer, reply.reasoning)
        cost = usage_cost(self._settings, self._model, reply.usage, reply.reasoning, estimate=guess)
        self._inner.finish(replace(reply, cost=cost), timing, outcome)
