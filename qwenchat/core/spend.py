"""A conversation's tokens and cost, per model (pure): the chat's toolbar and `/usage`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from qwenchat.core.context_fit import calibration, estimate, text_tokens
from qwenchat.core.conversation import Conversation, Turn
from qwenchat.core.cost import Pricing, money, usage_cost
from qwenchat.core.events import Usage
from qwenchat.core.plural import plural
from qwenchat.core.reply import Reply
from qwenchat.core.settings import Settings


def prompt_estimate(history: Conversation, user: str) -> int:
    """The input tokens of a request adding `user` to `history`, counted here (calibrated)."""
    return estimate(history.to_wire(user), calibration(history))


def pricer(settings: Settings, model: str, prompt_tokens: int | None) -> Callable[[Reply], Reply]:
    """What prices a reply before it is shown: its cost from the usage the server sent, or
    estimated from tokens counted here (`prompt_tokens`) when it sent none."""

    def price(reply: Reply) -> Reply:
        if not reply.arrived:  # never reached the server, or refused: nothing to say
            return replace(reply, cost=None)
        guess = estimated_usage(prompt_tokens, reply.answer, reply.reasoning)
        cost = usage_cost(settings, model, reply.usage, reply.reasoning, estimate=guess)
        return replace(reply, cost=cost)

    return price


def estimated_usage(prompt_tokens: int | None, answer: str, reasoning: str) -> Usage | None:
    """Usage counted here, for a reply the server sent no usage for."""
    if prompt_tokens is None:
        return None
    return Usage(prompt_tokens=prompt_tokens, completion_tokens=text_tokens(answer + reasoning))


@dataclass(frozen=True)
class UsageRow:
    """Totals for one group (or for everything)."""

    key: str
    turns: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    unpriced: int = 0  # turns whose cost is unknown
    costs: dict[str, float] = field(default_factory=dict)  # currency → amount


@dataclass
class Spend:
    """Tokens and money; amounts by currency, and how many turns had no known cost."""

    turns: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    costs: dict[str, float] = field(default_factory=dict)
    unpriced: int = 0
    included: int = 0  # turns paid by a plan's subscription

    def add(self, turn: Turn, pricing: Pricing | None, model: str) -> None:
        usage = turn.usage
        self.turns += 1
        self.prompt_tokens += (usage.prompt_tokens or 0) if usage else 0
        self.completion_tokens += (usage.completion_tokens or 0) if usage else 0
        cost = (
            pricing.cost(turn.model or model, usage, turn.reasoning, arrived=turn.arrived)
            if pricing
            else None
        )
        if cost is not None and cost.amount is not None and cost.currency:
            self.costs[cost.currency] = self.costs.get(cost.currency, 0.0) + cost.amount
        elif cost is not None and cost.included:
            self.included += 1
        elif cost is not None:
            self.unpriced += 1

    def money(self) -> str:
        """`¥0.0123`, `¥0.01 + $0.02`, or "" when nothing is known about cost."""
        text = " + ".join(money(a, c) for c, a in sorted(self.costs.items()))
        if self.unpriced:
            text += f" (+{self.unpriced} of unknown cost)" if text else "cost unknown"
        if self.included and not text:
            return "included in your plan"
        return text


def by_model(turns: Iterable[Turn], pricing: Pricing | None, model: str) -> dict[str, Spend]:
    found: dict[str, Spend] = {}
    for turn in turns:
        found.setdefault(turn.model or model, Spend()).add(turn, pricing, model)
    return found


def total(turns: Iterable[Turn], pricing: Pricing | None, model: str) -> Spend:
    spend = Spend()
    for turn in turns:
        spend.add(turn, pricing, model)
    return spend


def usage_report(turns: tuple[Turn, ...], pricing: Pricing | None, model: str) -> str:
    """`/usage`: one line per model, then the total."""
    if not turns:
        return "no turns yet"
    lines = []
    for name, spend in by_model(turns, pricing, model).items():
        lines.append(_line(name, spend))
    if len(lines) > 1:
        lines.append(_line("total", total(turns, pricing, model)))
    return "\n".join(lines)


def _line(name: str, spend: Spend) -> str:
    cost = spend.money()
    return (
        f"{name}: {plural(spend.turns, 'turn')} · {spend.prompt_tokens:,} input tokens · "
        f"{spend.completion_tokens:,} output tokens" + (f" · {cost}" if cost else "")
    )
