"""Schema version 3: attachments kept once by content hash, and which turn sent which.

`attachments` holds each distinct file once (its SHA-256 is the key), so a conversation resumes
after the file was moved or deleted, and the same image sent ten times is stored once.
`turn_attachments` lists a turn's attachments in order (an image URL has no bytes, only its url).
`uploaded_files` remembers what was uploaded to the Files API (Qwen-Long's `file-extract`) per
conversation and content hash, so a follow-up does not upload again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from qwenchat.core.attachments import Attachment, Kind

Rows = Callable[[str, Sequence[object]], list[sqlite3.Row]]

ATTACHMENTS = """
    CREATE TABLE attachments (
        digest TEXT PRIMARY KEY,  -- SHA-256 of the bytes
        kind TEXT NOT NULL,  -- image, text or document
        mime TEXT NOT NULL,
        size INTEGER NOT NULL,
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        data BLOB NOT NULL
    );
    CREATE TABLE turn_attachments (
        turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        digest TEXT REFERENCES attachments(digest),  -- NULL for an image URL
        url TEXT,
        PRIMARY KEY (turn_id, position)
    );
    CREATE INDEX turn_attachments_by_digest ON turn_attachments(digest);
    CREATE TABLE uploaded_files (
        file_id TEXT PRIMARY KEY,  -- the Files API's id (file-fe-…)
        base_url TEXT NOT NULL,
        conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
        digest TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        created TEXT NOT NULL
    );
    CREATE INDEX uploaded_by_digest ON uploaded_files(conversation_id, digest);
    """


def save(db: sqlite3.Connection, turn_id: int, attachments: Sequence[Attachment]) -> None:
    """Inside the turn's transaction: each file's bytes once, then the turn's list."""
    for position, item in enumerate(attachments):
        digest = item.digest or None
        if digest is not None:
            db.execute(
                "INSERT OR IGNORE INTO attachments (digest, kind, mime, size, width, height, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (digest, item.kind, item.mime, item.size, item.width, item.height, item.data),
            )
        db.execute(
            "INSERT INTO turn_attachments (turn_id, position, name, digest, url)"
            " VALUES (?, ?, ?, ?, ?)",
            (turn_id, position, item.name, digest, item.url or None),
        )


def copy_links(db: sqlite3.Connection, source: int, copy: int) -> None:
    """After `fork` copied a conversation's active turns (in order): the copies' attachments."""
    old = [r[0] for r in db.execute(_TURN_IDS, (source,))]
    new = [r[0] for r in db.execute(_TURN_IDS, (copy,))]
    for before, after in zip(old, new, strict=False):
        db.execute(
            "INSERT INTO turn_attachments (turn_id, position, name, digest, url)"
            " SELECT ?, position, name, digest, url FROM turn_attachments WHERE turn_id = ?",
            (after, before),
        )


_TURN_IDS = "SELECT id FROM turns WHERE conversation_id = ? AND active ORDER BY id"


def prune(db: sqlite3.Connection) -> None:
    """Drop the bytes no turn refers to any more (after a conversation was deleted)."""
    db.execute(
        "DELETE FROM attachments WHERE digest NOT IN"
        " (SELECT digest FROM turn_attachments WHERE digest IS NOT NULL)"
    )


def load(rows: Rows, ids: Sequence[int]) -> dict[int, tuple[Attachment, ...]]:
    """The attachments of these turns, by turn id, read back from the store."""
    if not ids:
        return {}
    found: dict[int, list[Attachment]] = {}
    for row in rows(
        "SELECT l.turn_id, l.name, l.url, a.digest, a.kind, a.mime, a.width, a.height, a.data"
        " FROM turn_attachments l LEFT JOIN attachments a ON a.digest = l.digest"
        f" WHERE l.turn_id IN ({', '.join('?' * len(ids))}) ORDER BY l.turn_id, l.position",
        ids,
    ):
        found.setdefault(row["turn_id"], []).append(_attachment(row))
    return {turn_id: tuple(items) for turn_id, items in found.items()}


def _attachment(row: sqlite3.Row) -> Attachment:
    if row["digest"] is None:
        return Attachment(row["name"], "url", url=row["url"] or "")
    kind: Kind = row["kind"] if row["kind"] in ("image", "document") else "text"
    return Attachment(
        row["name"], kind, row["mime"], bytes(row["data"]), width=row["width"],
        height=row["height"], known_digest=row["digest"],
    )  # fmt: skip
