"""Model names that look misspelt (pure): `qwq-plsu` is one or two keys away from `qwq-plus`.

A name is *listed* when the catalogue (or the server's `/models`) names it exactly, case, an
`org/` prefix and Ollama's `:` for `-` aside. A name that is not listed but close to one that
is, by at most `MAX_EDITS` single-character edits (a swap of two neighbours counts as one),
is taken for a typo: the caller asks "did you mean …?" instead of paying for a request that
fails, or worse, that a similarly named model answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_EDITS = 2
SHORT = 6  # names shorter than this may be one edit away only


def bare(name: str) -> str:
    """The name as the catalogue matches it: no `org/`, any case, `:` as `-` (`qwen3:8b`)."""
    return name.strip().rsplit("/", 1)[-1].lower().replace(":", "-")


def listed(name: str, names: Iterable[str]) -> bool:
    wanted = bare(name)
    return any(bare(known) == wanted for known in names)


def near(name: str, names: Iterable[str], *, most: int = 3) -> list[str]:
    """The listed names a typo away from `name`, closest first (none when it is listed)."""
    wanted = bare(name)
    limit = MAX_EDITS if len(wanted) >= SHORT else 1
    scored: dict[str, int] = {}
    for known in names:
        if bare(known) == wanted:
            return []
        if _versions(bare(known)) == _versions(wanted):
            continue  # another size or version (`qwen3.9-plus`, `qwen2.5-3b-…`): not a typo
        edits = distance(wanted, bare(known), limit)
        if edits <= limit and known not in scored:
            scored[known] = edits
    return sorted(scored, key=lambda k: scored[k])[:most]


def _versions(name: str) -> str:
    """The name with its numbers masked: names that differ only there are different models."""
    return re.sub(r"[0-9]+(?:\.[0-9]+)*", "#", name)


def distance(a: str, b: str, limit: int) -> int:
    """Edits from `a` to `b` (insert, delete, replace, swap neighbours); `limit + 1` past it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            cost = char != other
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > limit:
            return limit + 1
    return row[-1]
