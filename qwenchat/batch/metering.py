"""What a batch run cost: a sink wrapper that prices each finished record and keeps the sums.

The local route sends ordinary requests (real-time prices); the Batch service charges half
(`remote`). Each record is priced on its own (its own tier) for the model that answered it, and
the run is saved in the conversation store as one row per model, which `qwenchat usage`
includes. A remote batch is saved once: fetching its results again adds nothing. A store that
cannot be written costs a warning, never the results.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from qwenchat.batch.outfile import Sink
from qwenchat.batch.plan import Job
from qwenchat.core.batch_records import USAGE_FIELDS, Record
from qwenchat.core.cost import Cost, Pricing, crossed, money, turn_cost
from qwenchat.core.events import Usage
from qwenchat.core.settings import Settings


@dataclass
class _Sum:
    requests: int = 0
    prompt: int = 0
    completion: int = 0
    cost: float = 0.0
    currency: str | None = None
    unpriced: int = 0


class MeteredSink:
    """Passes records on to `inner`; on close, saves the run's usage per model."""

    def __init__(
        self,
        inner: Sink,
        settings: Settings,
        jobs: Iterable[Job],
        *,
        name: str,
        remote: bool,
        warn: Callable[[str], None],
    ) -> None:
        self._inner, self._settings, self._name, self._remote = inner, settings, name, remote
        self._warn = warn
        self._pricing = Pricing.of(settings)
        # only the lines that name another model are remembered: a long input is not held
        self._models = {
            job.id: str(job.body["model"])
            for job in jobs
            if job.body.get("model") and job.body["model"] != settings.model
        }
        self._sums: dict[str, _Sum] = {}

    def write(self, record: Record) -> None:
        self._inner.write(record)
        if record.usage is None:  # nothing was used, or the server did not say
            return
        model = record.model or self._models.get(record.id) or self._settings.model
        usage = Usage(*(record.usage.get(name) for name in USAGE_FIELDS))
        price = self._pricing.price(model)
        cost = turn_cost(price, usage, thinking=bool(record.reasoning), batch=self._remote)
        found = self._sums.setdefault(model, _Sum())
        found.requests += 1
        found.prompt += usage.prompt_tokens or 0
        found.completion += usage.completion_tokens or 0
        if cost.amount is None:
            found.unpriced += 1
        else:
            found.cost += cost.amount
            found.currency = cost.currency

    def close(self, *, complete: bool) -> None:
        self._inner.close(complete=complete)
        if self._sums:
            self._save()

    def _save(self) -> None:
        from qwenchat.store.database import StoreError
        from qwenchat.store.history import open_store
        from qwenchat.store.usage import BatchUsage, budget_line, save_batch_usage

        region = self._pricing.region
        rows = [
            BatchUsage(self._name, "remote" if self._remote else "local", model, region,
                       s.requests, s.prompt, s.completion,
                       s.cost if s.currency else None, s.currency, s.unpriced)
            for model, s in self._sums.items()
        ]  # fmt: skip
        try:
            with open_store(self._settings) as store:
                save_batch_usage(store, rows, once=self._remote)
                for row in rows:
                    line = budget_line(store, self._settings, Cost(row.cost, row.currency))
                    if line:
                        self._warn(line)
        except StoreError as exc:
            self._warn(f"warning: {exc.message}; this batch's usage is not saved")


def budget_before(settings: Settings, jobs: Collection[Job], *, remote: bool) -> str | None:
    """The budget line before a batch starts, when its cost (estimated from its input) would
    take this month's spend past 80 % or 100 % of `monthly_budget`."""
    if settings.monthly_budget is None:
        return None
    from qwenchat.core.context_fit import estimate
    from qwenchat.store.database import StoreError
    from qwenchat.store.history import open_store
    from qwenchat.store.usage import month_spend, month_start

    pricing, amount, currency = Pricing.of(settings), 0.0, None
    for job in jobs:
        price = pricing.price(str(job.body.get("model") or settings.model))
        if price is not None:
            usage = Usage(
                prompt_tokens=estimate(job.body.get("messages") or []), completion_tokens=0
            )
            amount += turn_cost(price, usage, batch=remote).amount or 0.0
            currency = price.currency
    if currency is None:
        return None
    try:
        with open_store(settings) as store:
            spent = month_spend(store, currency, month_start())
    except StoreError:
        return None
    words = crossed(spent, spent + amount, settings.monthly_budget)
    if words is None:
        return None
    return (
        f"this batch, about {money(amount, currency)} for {len(jobs):,} prompts (from their "
        f"input size), takes this month's spend from {money(spent, currency)} past {words} "
        f"monthly budget of {money(settings.monthly_budget, currency)}"
    )
