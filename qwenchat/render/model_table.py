"""`qwenchat models`: the catalogue merged with the server's model list, as a table or JSON."""

from __future__ import annotations

import json
from typing import Any

from qwenchat.core.catalogue import Catalogue, describe, merged_names
from qwenchat.core.corrections import Learned
from qwenchat.core.settings import Settings

COLUMNS = (
    "model", "listed by", "thinking", "stream", "tools", "vision", "n", "json", "context",
    "max out", "source",
)  # fmt: skip


def model_rows(catalogue: Catalogue, served: list[str] | None) -> list[dict[str, Any]]:
    """One row per model: what the catalogue knows, and who lists it."""
    served_set = set(served or ())
    rows = []
    for name in merged_names(catalogue, served or ()):
        known = name in catalogue.names
        listed = "both" if known and name in served_set else ("catalogue" if known else "server")
        info = catalogue.lookup(name)
        row = {"name": name, "listed_by": listed, **describe(info)}
        row["known"] = catalogue.knows(name)
        rows.append(row)
    return rows


def with_prices(rows: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    """Each row with the price that applies at this endpoint (None: unknown)."""
    from qwenchat.core.cost import price_of
    from qwenchat.core.prices import describe_price

    return [{**row, "price": describe_price(price_of(settings, row["name"]))} for row in rows]


def with_learned(rows: list[dict[str, Any]], learned: tuple[Learned, ...]) -> list[dict[str, Any]]:
    """Each row with the facts learned about it at this endpoint (`learned`, maybe empty)."""
    by_model: dict[str, list[dict[str, str]]] = {}
    for fact in learned:
        by_model.setdefault(fact.model, []).append(
            {"fact": fact.fact, "meaning": fact.meaning, "said": fact.said, "date": fact.date}
        )
    return [{**row, "learned": by_model.get(row["name"].lower(), [])} for row in rows]


def learned_lines(learned: tuple[Learned, ...]) -> str:
    """The facts this endpoint taught, one a line, with the date and the server's words."""
    if not learned:
        return ""
    lines = ["learned from this server's refusals (`qwenchat models --forget MODEL` drops them):"]
    lines.extend(f"  {f.model}: {f.meaning} — {f.date}: {f.said!r}" for f in learned)
    return "\n".join(lines) + "\n"


def as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


# Columns left out first when the table is wider than the terminal; the rest always show.
DROPPED_FIRST = ("stream", "n", "json", "listed by", "max out")
MAX_NAME = 32  # a longer model name (a server's) is cut with "…"


def as_table(rows: list[dict[str, Any]], *, served: bool, width: int | None = None) -> str:
    """Fixed-width columns; `?` is unknown, `-` is no; sources numbered, listed below.

    With a `width` (the terminal's), columns are left out (DROPPED_FIRST order) until the rows
    fit, and the notes and source lines wrap to it.
    """
    sources = list(dict.fromkeys(row["source"] for row in rows if row["source"]))
    cells = [COLUMNS] + [_cells(row, sources) for row in rows]
    shown = _fitting(cells, width)
    lines = ["  ".join(line[i].ljust(w) for i, w in shown).rstrip() for line in cells]
    notes = []
    left_out = [name for i, name in enumerate(COLUMNS) if i not in dict(shown)]
    if left_out:
        notes.append(f"(not shown at this width: {', '.join(left_out)}; --json has them all)")
    if not served:
        notes.append("(the server's model list was not available; catalogue only)")
    notes.append("sources (docs/models.md says which values are unverified):")
    notes.extend(f"  [{number}] {source}" for number, source in enumerate(sources, 1))
    for note in notes:
        lines.extend(_wrapped(note, width))
    return "\n".join(lines) + "\n"


def _fitting(cells: list[tuple[str, ...]], width: int | None) -> list[tuple[int, int]]:
    """(column, width) of the columns that fit in `width`, dropping DROPPED_FIRST in order."""
    widths = {i: max(len(line[i]) for line in cells) for i in range(len(COLUMNS))}
    for name in DROPPED_FIRST:
        if width is None or sum(widths.values()) + 2 * (len(widths) - 1) <= width:
            break
        del widths[COLUMNS.index(name)]
    return sorted(widths.items())


def _wrapped(line: str, width: int | None) -> list[str]:
    if width is None or len(line) <= width:
        return [line]
    import textwrap

    return textwrap.wrap(line, width, subsequent_indent=" " * 7, break_on_hyphens=False)


def _cells(row: dict[str, Any], sources: list[str]) -> tuple[str, ...]:
    name = row["name"]
    return (
        (name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…")
        + (" (family defaults)" if row.get("family") else ""),
        row["listed_by"],
        _thinking(row),
        "only" if row["stream_only"] or row["thinking"] == "only" else "any",
        _flag(row["tools"]),
        _flag(row["vision"]),
        _flag(row["n"]),
        _flag(row["json_mode"]),
        _tokens(row["context_window"]),
        _tokens(row["max_output"]),
        f"[{sources.index(row['source']) + 1}]" if row["source"] else "-",
    )


def _thinking(row: dict[str, Any]) -> str:
    match row["thinking"]:
        case "hybrid":
            return "hybrid (on)" if row["thinking_default"] else "hybrid (off)"
        case "only":
            return "always"
        case _:
            return "-" if row["known"] else "?"


def _flag(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "-")


def _tokens(value: int | None) -> str:
    if value is None:
        return "?"
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    return f"{value // 1024}k" if value % 1024 == 0 else f"{value / 1000:g}k"
