"""Spending reports over the saved turns: SQL aggregation by model, day, conversation or region.

Every request counts once: turns dropped by /undo or /retry were paid for and count; the
copies `fork` makes do not (`billed` = 0). A turn whose cost is unknown (saved before costs
were kept, or a model with no price) adds its tokens and counts as unpriced, never as 0.
Amounts in different currencies are never added together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal

from qwenchat.core.cost import Cost, budget_notice
from qwenchat.core.spend import UsageRow
from qwenchat.store.database import Store, now

if TYPE_CHECKING:
    from qwenchat.core.settings import Settings

GroupBy = Literal["model", "day", "conversation", "region"]
GROUPS: dict[str, str] = {
    "model": "t.model",
    "day": "substr(t.time, 1, 10)",
    "conversation": "t.conversation_id",  # then named from `conversations`, once per group
    "region": "COALESCE(t.region, 'other')",
}
BATCH_GROUPS: dict[str, str] = {
    "model": "model",
    "day": "substr(time, 1, 10)",
    "conversation": "'batch ' || name",
    "region": "COALESCE(region, 'other')",
}


@dataclass(frozen=True)
class BatchUsage:
    """What one batch run used with one model: its requests' tokens and summed cost."""

    name: str
    engine: str  # local or remote
    model: str
    region: str | None
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost: float | None
    currency: str | None
    unpriced: int = 0


def usage_report(
    store: Store, by: GroupBy, *, since: str | None = None, until: str | None = None
) -> list[UsageRow]:
    """One row per group, in key order; `since` and `until` are ISO times (UTC)."""
    # the covering index `turns_usage` answers this without reading the turns' text
    sql = (
        f"SELECT {GROUPS[by]} AS key, t.currency AS currency, COUNT(*) AS turns,"
        " TOTAL(t.prompt_tokens) AS prompt, TOTAL(t.completion_tokens) AS completion,"
        " TOTAL(t.cached_tokens) AS cached, SUM(t.cost) AS cost,"
        " COUNT(*) - COUNT(t.cost) AS unpriced"
        " FROM turns t WHERE t.billed AND t.time >= ? AND t.time < ?"
        " GROUP BY key, t.currency"
    )
    if by == "conversation":
        sql = (
            "SELECT '#' || g.key || ' ' || c.title AS key, g.currency, g.turns, g.prompt,"
            f" g.completion, g.cached, g.cost, g.unpriced FROM ({sql}) g"
            " JOIN conversations c ON c.id = g.key ORDER BY g.key"
        )
    else:
        sql += " ORDER BY key"
    found: dict[str, UsageRow] = {}
    args = (since or "", until or "9999")
    for row in [*store.rows(sql, args), *store.rows(_batch_sql(by), args)]:
        key = str(row["key"])
        add = UsageRow(
            key, row["turns"], int(row["prompt"]), int(row["completion"]), int(row["cached"]),
            row["unpriced"], {row["currency"]: row["cost"]} if row["cost"] is not None else {},
        )  # fmt: skip
        found[key] = combine(found[key], add) if key in found else add
    rows = list(found.values())
    return rows if by == "conversation" else sorted(rows, key=lambda r: r.key)


def _batch_sql(by: GroupBy) -> str:
    return (
        f"SELECT {BATCH_GROUPS[by]} AS key, currency, SUM(requests) AS turns,"
        " TOTAL(prompt_tokens) AS prompt, TOTAL(completion_tokens) AS completion, 0 AS cached,"
        " SUM(cost) AS cost, SUM(unpriced) AS unpriced FROM batch_usage"
        " WHERE time >= ? AND time < ? GROUP BY key, currency ORDER BY MIN(id)"
    )


def save_batch_usage(store: Store, rows: list[BatchUsage], *, once: bool = False) -> None:
    """Keep a batch run's usage; with `once`, not when that batch's usage is already kept."""
    stamp = now()
    with store._write() as db:  # the store's own transaction
        if once:
            names = {(r.name, r.engine) for r in rows}
            found = "SELECT 1 FROM batch_usage WHERE name = ? AND engine = ? LIMIT 1"
            if any(db.execute(found, name).fetchone() for name in names):
                return
        db.executemany(
            "INSERT INTO batch_usage (time, name, engine, model, region, requests, prompt_tokens,"
            " completion_tokens, cost, currency, unpriced) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(stamp, r.name, r.engine, r.model, r.region, r.requests, r.prompt_tokens,
              r.completion_tokens, r.cost, r.currency, r.unpriced) for r in rows],
        )  # fmt: skip


def combine(a: UsageRow, b: UsageRow, key: str | None = None) -> UsageRow:
    costs = dict(a.costs)
    for currency, amount in b.costs.items():
        costs[currency] = costs.get(currency, 0.0) + amount
    return UsageRow(
        a.key if key is None else key, a.turns + b.turns, a.prompt_tokens + b.prompt_tokens,
        a.completion_tokens + b.completion_tokens, a.cached_tokens + b.cached_tokens,
        a.unpriced + b.unpriced, costs,
    )  # fmt: skip


def total(rows: list[UsageRow]) -> UsageRow:
    result = UsageRow("total")
    for row in rows:
        result = combine(result, row, "total")
    return result


def month_start(now: datetime | None = None) -> str:
    """The first instant of this UTC month, as the store writes times."""
    moment = now or datetime.now(timezone.utc)
    utc = moment.astimezone(timezone.utc)
    first = utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.isoformat(timespec="milliseconds")


def month_spend(store: Store, currency: str, since: str) -> float:
    rows = store.rows(
        "SELECT (SELECT TOTAL(cost) FROM turns WHERE billed AND currency = ? AND time >= ?)"
        " + (SELECT TOTAL(cost) FROM batch_usage WHERE currency = ? AND time >= ?) AS spent",
        (currency, since, currency, since),
    )
    return float(rows[0]["spent"])


def budget_line(store: Store, settings: Settings, cost: Cost | None) -> str | None:
    """The 80 % / 100 % line, when the turn just saved (costing `cost`) crossed one."""
    budget = settings.monthly_budget
    if budget is None or cost is None or not cost.amount or cost.currency is None:
        return None
    after = month_spend(store, cost.currency, month_start())
    return budget_notice(after - cost.amount, after, budget, cost.currency)
