"""`qwenchat usage` as a table (plain aligned text, no Rich: it starts fast) or as JSON."""

from __future__ import annotations

import json

from qwenchat.core.cost import money
from qwenchat.core.spend import UsageRow

NONE = "—"
HEADERS = ("turns", "input", "output", "cached", "cost")


def cost_cell(row: UsageRow) -> str:
    """`¥1.2345`, `¥1.20 + $0.40`, `—` when no turn had a price; unpriced turns said apart."""
    parts = [money(amount, currency) for currency, amount in sorted(row.costs.items())]
    text = " + ".join(parts) or NONE
    if parts and row.unpriced:
        text += f" (+{row.unpriced} unpriced)"
    return text


def _cells(row: UsageRow) -> tuple[str, ...]:
    return (
        row.key, f"{row.turns:,}", f"{row.prompt_tokens:,}", f"{row.completion_tokens:,}",
        f"{row.cached_tokens:,}", cost_cell(row),
    )  # fmt: skip


def as_table(rows: list[UsageRow], totals: UsageRow, by: str) -> str:
    if not rows:
        return "no saved turns in this period\n"
    table = [(by, *HEADERS), *(_cells(r) for r in rows), _cells(totals)]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join((first, *rest)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(table[0]), rule, *(line(c) for c in table[1:-1]), rule, line(table[-1])]
    return "\n".join(body) + "\n"


def _data(row: UsageRow) -> dict[str, object]:
    return {
        "key": row.key, "turns": row.turns, "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens, "cached_tokens": row.cached_tokens,
        "unpriced_turns": row.unpriced,
        "cost": [{"amount": round(a, 6), "currency": c} for c, a in sorted(row.costs.items())],
    }  # fmt: skip


def as_json(rows: list[UsageRow], totals: UsageRow, by: str, since: str, until: str) -> str:
    document = {
        "by": by, "since": since or None, "until": until or None,
        "rows": [_data(r) for r in rows], "total": _data(totals),
    }  # fmt: skip
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
