"""What a turn cost (pure): usage × the price table's tier, thinking, cache and batch rules.

The tier is chosen by the request's input tokens and both its prices apply. Output tokens
include the reasoning tokens (DashScope counts them in `completion_tokens`), priced at the
thinking-mode output price when the model thought. Cached input tokens
(`prompt_tokens_details.cached_tokens`) cost the tier's cached price. The Batch service
charges half, and gives no cache discount on top. Unknown price or unknown token counts:
an unknown cost (amount None), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qwenchat.core.endpoints import endpoint_of
from qwenchat.core.events import Usage
from qwenchat.core.prices import BATCH_FACTOR, SYMBOLS, Price, PriceTable, cached_rate

if TYPE_CHECKING:
    from qwenchat.core.settings import Settings

PER = 1_000_000


@dataclass(frozen=True)
class Cost:
    """An amount of money; `amount` None when unknown, `estimated` when tokens were counted here."""

    amount: float | None
    currency: str | None = None
    estimated: bool = False
    included: bool = False  # paid by a subscription (Coding Plan, Token Plan), not per token

    @property
    def known(self) -> bool:
        return self.amount is not None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "amount": self.amount, "currency": self.currency, "estimated": self.estimated
        }  # fmt: skip
        if self.included:
            data["included"] = True
        return data


UNKNOWN = Cost(None)
INCLUDED = Cost(None, included=True)


def turn_cost(
    price: Price | None,
    usage: Usage | None,
    *,
    thinking: bool = False,
    batch: bool = False,
    estimated: bool = False,
) -> Cost:
    """The cost of one request's usage at `price` (unknown without a price or token counts)."""
    if price is None or usage is None:
        return UNKNOWN
    prompt, completion = usage.prompt_tokens, usage.completion_tokens
    if prompt is None or completion is None:
        return UNKNOWN
    prompt, completion = max(prompt, 0), max(completion, 0)
    # some servers count reasoning apart from completion_tokens: it is output all the same
    completion = max(completion, usage.reasoning_tokens or 0)
    tier = price.tier(prompt)
    cached = 0 if batch else min(max(usage.cached_tokens or 0, 0), prompt)
    out_rate = tier.output
    if thinking and tier.output_thinking is not None:
        out_rate = tier.output_thinking
    total = (prompt - cached) * tier.input + cached * cached_rate(tier) + completion * out_rate
    if batch:
        total *= BATCH_FACTOR
    return Cost(total / PER, price.currency, estimated)


@dataclass(frozen=True)
class Pricing:
    """The prices that apply at one endpoint: built-in ones by DashScope region, config ones."""

    prices: PriceTable
    region: str | None  # the DashScope region; None for any other endpoint
    dashscope: bool = False
    included: bool = False  # a plan's host: usage is included in the subscription

    @classmethod
    def of(cls, settings: Settings) -> Pricing:
        region = settings.region if settings.is_dashscope else None
        included = endpoint_of(settings.base_url).included
        return cls(settings.prices, region, settings.is_dashscope, included)

    def price(self, model: str) -> Price | None:
        return self.prices.find(model, self.region)

    def cost(
        self,
        model: str,
        usage: Usage | None,
        reasoning: str = "",
        *,
        cached: bool = False,
        estimate: Usage | None = None,
        arrived: bool = True,
    ) -> Cost | None:
        """A turn's cost; None when there is nothing to say (no price, not DashScope).

        `estimate`: tokens counted here, used (and the cost marked estimated) when the server
        reported no usage. A reply of which nothing `arrived` cost nothing.
        """
        if self.included:
            return INCLUDED
        price = self.price(model)
        if price is None:
            return UNKNOWN if self.dashscope and arrived else None
        if cached or not arrived:  # answered from the local cache, or nothing came back
            return Cost(0.0, price.currency)
        if usage is None and estimate is not None:
            return turn_cost(price, estimate, thinking=bool(reasoning), estimated=True)
        return turn_cost(price, usage, thinking=thought(usage, reasoning))


def price_of(settings: Settings, model: str) -> Price | None:
    return Pricing.of(settings).price(model)


def usage_cost(
    settings: Settings,
    model: str,
    usage: Usage | None,
    reasoning: str,
    *,
    cached: bool = False,
    estimate: Usage | None = None,
    arrived: bool = True,
) -> Cost | None:
    """A turn's cost at the settings' endpoint; None when there is nothing to say."""
    return Pricing.of(settings).cost(
        model, usage, reasoning, cached=cached, estimate=estimate, arrived=arrived
    )


def thought(usage: Usage | None, reasoning: str) -> bool:
    """Whether a turn ran in thinking mode: it reasoned (text or counted reasoning tokens)."""
    return bool(reasoning) or bool(usage is not None and usage.reasoning_tokens)


def money(amount: float, currency: str | None) -> str:
    """`¥0.0042`, `$1.25`, `EUR 3.10`: two decimals from 1 up, four below."""
    digits = 2 if abs(amount) >= 1 else 4
    symbol = SYMBOLS.get(currency or "")
    text = f"{amount:,.{digits}f}"
    if symbol:
        return f"{symbol}{text}"
    return f"{currency} {text}" if currency else text


def cost_text(cost: Cost) -> str:
    """A cost for a usage line: the amount, `~` before an estimate, or `cost unknown`."""
    if cost.included:
        return "included in your plan"
    if cost.amount is None:
        return "cost unknown"
    return ("~" if cost.estimated else "") + money(cost.amount, cost.currency)


def crossed(before: float, after: float, budget: float) -> str | None:
    """ "the" or "80% of the" when going from `before` to `after` passes 100 % or 80 % of it."""
    for share, words in ((1.0, "the"), (0.8, "80% of the")):
        if before < budget * share <= after:
            return words
    return None


def budget_notice(before: float, after: float, budget: float, currency: str | None) -> str | None:
    """One line when this month's spend crosses 80 % or 100 % of the budget, else None."""
    words = crossed(before, after, budget)
    if words is None:
        return None
    spent, limit = money(after, currency), money(budget, currency)
    return f"this month's spend {spent} has passed {words} monthly budget of {limit}"
