"""Facts the catalogue learned from a server's refusals (schema version 4, `learned_schema`).

One row per model, endpoint and fact (`core.corrections`): when it was learned and the
server's words (already sanitised by `net.errors`; shown again only through the output seam).
The endpoint is the public base URL (no user info, query or fragment: nothing secret).
"""

from __future__ import annotations

from sqlite3 import Row

from qwenchat.core.corrections import Learned
from qwenchat.store.database import Store, now, public_url

MAX_SAID = 500


def remember(store: Store, model: str, base_url: str, fact: str, said: str) -> Learned:
    """Keep a fact (a newer one replaces the same fact); the row as it was kept."""
    row = (model.lower(), public_url(base_url), fact, said[:MAX_SAID], now())
    store.write(
        "INSERT OR REPLACE INTO learned_facts (model, endpoint, fact, said, time)"
        " VALUES (?, ?, ?, ?, ?)",
        row,
    )
    return Learned(row[0], row[1], fact, row[3], row[4][:10])


def facts_for(store: Store, model: str, base_url: str) -> tuple[Learned, ...]:
    """The facts known for a model at an endpoint, oldest first."""
    rows = store.rows(
        "SELECT model, endpoint, fact, said, time FROM learned_facts"
        " WHERE model = ? AND endpoint = ? ORDER BY time",
        (model.lower(), public_url(base_url)),
    )
    return tuple(_learned(row) for row in rows)


def all_facts(store: Store, base_url: str | None = None) -> tuple[Learned, ...]:
    """Every fact (at one endpoint, when given), by model."""
    where, args = ("WHERE endpoint = ?", (public_url(base_url),)) if base_url else ("", ())
    rows = store.rows(
        f"SELECT model, endpoint, fact, said, time FROM learned_facts {where} ORDER BY model, time",
        args,
    )
    return tuple(_learned(row) for row in rows)


def forget(store: Store, model: str) -> int:
    """Drop every fact about a model, at every endpoint; how many there were."""
    count = len(store.rows("SELECT 1 FROM learned_facts WHERE model = ?", (model.lower(),)))
    store.write("DELETE FROM learned_facts WHERE model = ?", (model.lower(),))
    return count


def _learned(row: Row) -> Learned:
    model, endpoint, fact, said, time = (str(value) for value in tuple(row))
    return Learned(model, endpoint, fact, said, time[:10])
