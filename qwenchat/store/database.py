"""The conversation store: one SQLite database, one row per finished turn.

A plain `sqlite3` file in WAL mode that `sqlite3` and Datasette can query:
`conversations` (id, name, title, source, parent, times) and `turns` (everything
about one exchange). A turn is written in its own transaction when it ends, so
a crash loses at most the reply in flight. The file is created 0600 inside a
0700 directory; keys are never stored, only the endpoint and region.
Turns dropped by /undo, /retry or /compress stay in the file with `active = 0`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from qwenchat.core.attachments import Attachment
from qwenchat.core.conversation import Conversation, Turn
from qwenchat.core.cost import Cost
from qwenchat.core.errors import UsageError
from qwenchat.core.events import Usage
from qwenchat.core.visible import escaped, hidden_character
from qwenchat.store import attachment_rows
from qwenchat.store.schema import SCHEMA_VERSION as SCHEMA_VERSION
from qwenchat.store.schema import StoreError as StoreError
from qwenchat.store.schema import read_only_db, read_write_db

DB_NAME = "conversations.db"
TITLE_LENGTH = 60


class NotFound(UsageError):
    """No conversation has that id or name (exit 2)."""


@dataclass(frozen=True)
class TurnRecord:
    """A turn and the circumstances it was asked in."""

    turn: Turn
    base_url: str
    region: str | None = None
    system: str | None = None
    think: bool | None = None
    request_key: str | None = None
    cached: bool = False
    time: str = ""
    id: int = 0
    cost: Cost | None = None  # None: nothing known about cost (an old turn, a local server)


@dataclass(frozen=True)
class Summary:
    """One conversation, as `sessions list` shows it."""

    id: int
    name: str | None
    title: str
    source: str
    parent_id: int | None
    created: str
    updated: str
    turns: int
    model: str | None


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME


def public_url(url: str) -> str:
    """The endpoint without user info, query or fragment: nothing secret goes in the file."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]  # a `${PORT}` written in a .env is kept as written
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def title_from(text: str) -> str:
    """A title from the first user message: its first line, whitespace collapsed, shortened."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    flat = " ".join(first.split())
    return flat if len(flat) <= TITLE_LENGTH else flat[: TITLE_LENGTH - 1] + "…"


class Store:
    """An open conversation database. Every method is one short transaction."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        try:
            self._db = read_only_db(path) if read_only else read_write_db(path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the conversation store {path}: {exc}") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the conversation store {self.path}: {exc}") from None

    def write(self, sql: str, args: Sequence[object] = ()) -> None:
        """One statement in its own transaction (for `store.uploads`)."""
        with self._write() as db:
            db.execute(sql, args)

    def rows(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        """A read-only query's rows (for the reports in `store.usage`)."""
        return self._read(sql, args)

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        self._db.row_factory = sqlite3.Row
        try:
            return list(self._db.execute(sql, args))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the conversation store {self.path}: {exc}") from None

    def create(self, *, source: str, name: str | None = None, parent_id: int | None = None) -> int:
        """A new, empty conversation; its id."""
        if name is not None:
            self.check_name(name)
        stamp = now()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO conversations (name, source, parent_id, created, updated) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, source, parent_id, stamp, stamp),
            )
        return int(cursor.lastrowid or 0)

    def append(self, conversation_id: int, record: TurnRecord) -> int:
        """Commit one finished turn; the conversation gets its title from its first one."""
        turn, usage = record.turn, record.turn.usage or Usage()
        cost = record.cost or Cost(None)
        stamp = record.time or now()
        row = (
            conversation_id, stamp, turn.model, public_url(record.base_url), record.region,
            record.system, turn.user, turn.answer, turn.reasoning, turn.finish_reason,
            turn.outcome, usage.prompt_tokens, usage.completion_tokens, usage.reasoning_tokens,
            usage.total_tokens, record.think, record.request_key, int(record.cached),
            usage.cached_tokens, cost.amount, cost.currency, int(cost.estimated),
        )  # fmt: skip
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO turns (conversation_id, time, model, base_url, region, system, user,"
                " answer, reasoning, finish_reason, outcome, prompt_tokens, completion_tokens,"
                " reasoning_tokens, total_tokens, think, request_key, cached, cached_tokens, cost,"
                " currency, cost_estimated)"
                f" VALUES ({', '.join('?' * len(row))})",
                row,
            )
            attachment_rows.save(db, int(cursor.lastrowid or 0), turn.attachments)
            db.execute(
                "UPDATE conversations SET updated = ?,"
                " title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
                (stamp, title_from(turn.user), conversation_id),
            )
        return int(cursor.lastrowid or 0)

    def deactivate(self, turn_ids: Sequence[int]) -> None:
        """Mark turns as no longer part of their conversation (kept in the file); the title
        follows the first turn still there (none left: the next turn gives it)."""
        if not turn_ids:
            return
        with self._write() as db:
            db.executemany("UPDATE turns SET active = 0 WHERE id = ?", [(i,) for i in turn_ids])
            marks = ", ".join("?" * len(turn_ids))
            owners = db.execute(
                f"SELECT DISTINCT conversation_id FROM turns WHERE id IN ({marks})", list(turn_ids)
            ).fetchall()
            for (owner,) in owners:
                first = db.execute(
                    "SELECT user FROM turns WHERE conversation_id = ? AND active"
                    " ORDER BY id LIMIT 1",
                    (owner,),
                ).fetchone()
                title = title_from(first[0]) if first else ""
                db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, owner))

    def summaries(self, *, where: str = "", args: Sequence[object] = ()) -> list[Summary]:
        """Conversations with at least one turn (or a name), most recently used first."""
        rows = self._read(
            "SELECT c.*, COUNT(t.id) AS turns,"
            " (SELECT model FROM turns WHERE conversation_id = c.id AND active"
            "  ORDER BY id DESC LIMIT 1) AS model"
            " FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id AND t.active"
            f" {where} GROUP BY c.id HAVING COUNT(t.id) > 0 OR c.name IS NOT NULL"
            " ORDER BY c.updated DESC, c.id DESC",
            args,
        )
        return [
            Summary(
                id=r["id"],
                name=r["name"],
                title=r["title"],
                source=r["source"],
                parent_id=r["parent_id"],
                created=r["created"],
                updated=r["updated"],
                turns=r["turns"],
                model=r["model"],
            )
            for r in rows
        ]

    def latest(self) -> Summary | None:
        found = self.summaries()
        return found[0] if found else None

    def resolve(self, ref: str) -> Summary:
        """A conversation by id (digits, optionally after '#') or by name."""
        key = ref.strip().removeprefix("#")
        if key.isdigit():
            found = self.summaries(where="WHERE c.id = ?", args=(int(key),))
        else:
            found = self.summaries(where="WHERE c.name = ?", args=(key,))
        if not found:
            raise NotFound(f"no conversation {ref!r}", hint="`qwenchat sessions list` shows them")
        return found[0]

    def find_name(self, name: str) -> int | None:
        rows = self._read("SELECT id FROM conversations WHERE name = ?", (name,))
        return int(rows[0]["id"]) if rows else None

    def records(self, conversation_id: int) -> list[TurnRecord]:
        """The active turns of a conversation, oldest first."""
        rows = self._read(
            "SELECT * FROM turns WHERE conversation_id = ? AND active ORDER BY id",
            (conversation_id,),
        )
        found = attachment_rows.load(self._read, [r["id"] for r in rows])
        return [_record(r, found.get(r["id"], ())) for r in rows]

    def conversation(self, conversation_id: int) -> Conversation:
        """The conversation as the REPL holds it: the latest system prompt and the turns."""
        records = self.records(conversation_id)
        system = records[-1].system if records else None
        return Conversation(system=system, turns=tuple(r.turn for r in records))

    def retitle(self, conversation_id: int, title: str) -> None:
        with self._write() as db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def rename(self, conversation_id: int, name: str) -> None:
        self.check_name(name, owner=conversation_id)
        with self._write() as db:
            db.execute("UPDATE conversations SET name = ? WHERE id = ?", (name, conversation_id))

    def fork(self, conversation_id: int, *, name: str | None = None) -> int:
        """A copy of the conversation's active turns, linked to its parent; the copy's id."""
        source = self.resolve(str(conversation_id))
        copy = self.create(source=source.source, name=name, parent_id=conversation_id)
        with self._write() as db:
            db.execute(
                "INSERT INTO turns (conversation_id, active, time, model, base_url, region,"
                " system, user, answer, reasoning, finish_reason, outcome, prompt_tokens,"
                " completion_tokens, reasoning_tokens, total_tokens, think, request_key, cached,"
                " cached_tokens, cost, currency, cost_estimated, billed)"
                " SELECT ?, 1, time, model, base_url, region, system, user, answer, reasoning,"
                " finish_reason, outcome, prompt_tokens, completion_tokens, reasoning_tokens,"
                " total_tokens, think, request_key, cached, cached_tokens, cost, currency,"
                " cost_estimated, 0 FROM turns"
                " WHERE conversation_id = ? AND active ORDER BY id",
                (copy, conversation_id),
            )
            attachment_rows.copy_links(db, conversation_id, copy)
            db.execute(
                "UPDATE conversations SET title = ?, updated = ? WHERE id = ?",
                (source.title, now(), copy),
            )
        return copy

    def delete(self, conversation_id: int) -> None:
        with self._write() as db:
            db.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            attachment_rows.prune(db)

    def cached(self, request_key: str) -> TurnRecord | None:
        """The newest complete turn that answered exactly this request."""
        rows = self._read(
            "SELECT * FROM turns WHERE request_key = ? AND outcome = 'ok' ORDER BY id DESC LIMIT 1",
            (request_key,),
        )
        return _record(rows[0]) if rows else None

    def check_name(self, name: str, *, owner: int | None = None) -> None:
        if hidden_character(name) is not None:
            raise UsageError(
                f"a session name cannot hold control or invisible characters: {escaped(name)}"
            )
        if not name.strip() or name.strip().removeprefix("#").isdigit():
            raise UsageError(f"a session name must contain a letter: {name!r}")
        if self.find_name(name) not in (None, owner):
            raise UsageError(f"there is already a session named {name!r}")


def _record(row: sqlite3.Row, attachments: tuple[Attachment, ...] = ()) -> TurnRecord:
    usage_fields = (
        "prompt_tokens", "completion_tokens", "reasoning_tokens", "total_tokens", "cached_tokens"
    )  # fmt: skip
    has_usage = any(row[name] is not None for name in usage_fields)
    turn = Turn(
        user=row["user"],
        answer=row["answer"],
        reasoning=row["reasoning"],
        model=row["model"],
        finish_reason=row["finish_reason"],
        usage=Usage(*(row[name] for name in usage_fields)) if has_usage else None,
        outcome=row["outcome"],
        attachments=attachments,
    )
    think = None if row["think"] is None else bool(row["think"])
    cost = Cost(row["cost"], row["currency"], bool(row["cost_estimated"]))
    return TurnRecord(
        turn=turn, base_url=row["base_url"], region=row["region"], system=row["system"],
        think=think, request_key=row["request_key"], cached=bool(row["cached"]),
        time=row["time"], id=row["id"], cost=cost if cost.currency else None,
    )  # fmt: skip
