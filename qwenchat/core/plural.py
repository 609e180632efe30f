"""Plurals for what the user reads: `1 turn`, `2 turns`."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 turn`, `2 turns` (counts with thousands separators)."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"
