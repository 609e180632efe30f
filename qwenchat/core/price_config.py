"""`[models."NAME".price]` tables from config.toml: prices that override or add to the table.

    [models."qwen-plus".price]      # one price for every input length
    region = "cn"                   # optional: only on this DashScope region
    input = 0.8                     # per million tokens
    output = 2
    output_thinking = 8             # optional: when the model thought
    cached_input = 0.16             # optional: default 20 % of input

    [models."my-model*".price]      # tiers by input length instead of input/output
    currency = "EUR"                # required without a region
    tiers = [{up_to = 32768, input = 1, output = 4}, {input = 2, output = 8}]

A config price applies on any endpoint (a local server too) unless it names a region. A
mistake is a ConfigError naming the file, the key and, when it can be found, the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from qwenchat.core.errors import ConfigError
from qwenchat.core.prices import CURRENCIES, Price, PriceTable, Tier
from qwenchat.core.provenance import Source

# Sums of costs stay finite and readable: a million per million tokens is one per token.
MAX_PRICE = 1_000_000
# ISO 4217 codes of the currencies a price is likely to be in; any other code is a typo.
KNOWN_CURRENCIES = frozenset(
    {
        "AED", "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "IDR",
        "ILS", "INR", "JPY", "KRW", "MOP", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RUB",
        "SAR", "SEK", "SGD", "THB", "TRY", "TWD", "USD", "VND", "ZAR",
    }
)  # fmt: skip
TIER_KEYS = ("input", "output", "output_thinking", "cached_input")
PRICE_KEYS = frozenset({"currency", "region", "tiers", *TIER_KEYS})


class _Bad(Exception):
    def __init__(self, pattern: str, key: str, problem: str) -> None:
        super().__init__(problem)
        self.pattern, self.key, self.problem = pattern, key, problem


def prices_from(
    models: Mapping[str, Any],
    base: PriceTable,
    *,
    where: str,
    read_text: Callable[[], str] | None = None,
) -> PriceTable:
    """The table with the config file's price entries in front (in the file's order).

    `where` names the file in errors; `read_text` gives its text, read only to find the line.
    """
    entries: list[Price] = []
    try:
        for pattern, table in models.items():
            if isinstance(table, Mapping) and "price" in table:
                entries.append(_price(pattern, table["price"], where))
    except _Bad as bad:
        line = _line(read_text, bad.pattern, re.split(r"[.\[]", bad.key)[0])
        at = f" (line {line})" if line else ""
        raise ConfigError(
            f'config {where}: [models."{bad.pattern}".price] {bad.key}: {bad.problem}{at}'
        ) from None
    return base.with_entries(tuple(entries)) if entries else base


def _price(pattern: str, table: Any, where: str) -> Price:
    if not isinstance(table, Mapping):
        raise _Bad(pattern, "price", "must be a table of prices per million tokens")
    unknown = sorted(set(table) - PRICE_KEYS)
    if unknown:
        known = ", ".join(sorted(PRICE_KEYS))
        raise _Bad(pattern, unknown[0], f"unknown key (known: {known})")
    region = table.get("region")
    if region is not None and region not in CURRENCIES:
        raise _Bad(pattern, "region", f"must be one of {', '.join(CURRENCIES)}, got {region!r}")
    currency = table.get("currency", CURRENCIES.get(str(region)) if region else None)
    if not isinstance(currency, str) or currency.upper() not in KNOWN_CURRENCIES:
        problem = "must be a currency code such as CNY, USD or EUR"
        raise _Bad(pattern, "currency", f"{problem}, got {currency!r}")
    tiers = _tiers(pattern, table) if "tiers" in table else (_tier(pattern, table, "", None),)
    return Price(pattern, currency.upper(), tiers, region=region, tag="config", source=where)


def _tiers(pattern: str, table: Mapping[str, Any]) -> tuple[Tier, ...]:
    rows = table["tiers"]
    if set(table) & set(TIER_KEYS):
        raise _Bad(pattern, "tiers", "give either tiers or input/output, not both")
    if not isinstance(rows, list) or not rows:
        raise _Bad(pattern, "tiers", "must be a list of tables such as {up_to = 32768, input = 1}")
    tiers: list[Tier] = []
    for number, row in enumerate(rows, 1):
        key = f"tiers[{number}]"
        if not isinstance(row, Mapping):
            raise _Bad(pattern, key, "must be a table")
        up_to = row.get("up_to")
        last = number == len(rows)
        if up_to is not None and (not _is_int(up_to) or up_to < 1):
            raise _Bad(pattern, f"{key}.up_to", f"must be a positive whole number, got {up_to!r}")
        if up_to is None and not last:
            raise _Bad(pattern, f"{key}.up_to", "only the last tier may leave it out")
        if tiers and up_to is not None and up_to <= (tiers[-1].up_to or 0):
            raise _Bad(pattern, f"{key}.up_to", "tiers must go up in input length")
        tiers.append(_tier(pattern, row, f"{key}.", up_to))
    return tuple(tiers)


def _tier(pattern: str, table: Mapping[str, Any], prefix: str, up_to: int | None) -> Tier:
    extra = sorted(set(table) - set(TIER_KEYS) - {"up_to", "currency", "region"})
    if prefix and extra:
        known = ", ".join(("up_to", *TIER_KEYS))
        raise _Bad(pattern, prefix + extra[0], f"unknown key (known: {known})")
    for key in ("input", "output"):
        if key not in table:
            raise _Bad(pattern, prefix + key, "missing (a price per million tokens)")
    values = {key: _amount(pattern, prefix + key, table[key]) for key in TIER_KEYS if key in table}
    return Tier(up_to, **values)


def _amount(pattern: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(pattern, key, f"expected a number, got {value!r}")
    if value < 0 or value != value or value == float("inf"):
        raise _Bad(pattern, key, f"must be zero or more, got {value!r}")
    if value > MAX_PRICE:
        raise _Bad(pattern, key, f"must be at most {MAX_PRICE:,} per million tokens, got {value!r}")
    return float(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _line(read_text: Callable[[], str] | None, pattern: str, key: str) -> int | None:
    """The line of `key` in the pattern's price table (or of the table itself), if it is found."""
    if read_text is None:
        return None
    try:
        lines = read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    quoted = rf'(?:"{re.escape(pattern)}"|\'{re.escape(pattern)}\'|{re.escape(pattern)})'
    header = re.compile(rf"\s*\[\s*models\s*\.\s*{quoted}\s*\.\s*price\s*\]")
    owner = re.compile(rf"\s*\[\s*models\s*\.\s*{quoted}\s*\]")
    keyed = re.compile(rf"\s*{re.escape(key)}\s*=")
    inline = re.compile(r"\s*price\s*=")
    found, inside = None, ""
    for number, text in enumerate(lines, 1):
        if text.lstrip().startswith("["):
            inside = "price" if header.match(text) else ("model" if owner.match(text) else "")
            found = number if inside == "price" else found
            continue
        wanted = keyed if inside == "price" else (inline if inside == "model" else None)
        if wanted is not None and wanted.match(text):
            return number
    return found


def budget_from(value: Any, source: Source | None) -> float | None:
    """`monthly_budget`: a positive amount in the region's currency, or None when not set."""
    if value is None:
        return None
    try:
        amount = float(str(value).strip()) if not isinstance(value, bool) else -1.0
    except ValueError:
        amount = -1.0
    if not 0 < amount < float("inf"):
        raise ConfigError(
            f"monthly_budget must be a positive amount, got {value!r} (from {source})"
        )
    return amount
