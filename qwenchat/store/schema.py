"""The store's schema and how its file is opened: read-write (creating it 0600 in a 0700
directory, migrating it), or read-only where it cannot be written."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from qwenchat.core.errors import QwenchatError
from qwenchat.store.attachment_rows import ATTACHMENTS
from qwenchat.store.costs_schema import COSTS
from qwenchat.store.learned_schema import LEARNED

# Each entry moves the schema from version i to i + 1 (PRAGMA user_version).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids of deleted conversations are not reused
        name TEXT UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        parent_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        active INTEGER NOT NULL DEFAULT 1,
        time TEXT NOT NULL,
        model TEXT NOT NULL,
        base_url TEXT NOT NULL,
        region TEXT,
        system TEXT,
        user TEXT NOT NULL,
        answer TEXT NOT NULL,
        reasoning TEXT NOT NULL,
        finish_reason TEXT,
        outcome TEXT NOT NULL,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        reasoning_tokens INTEGER,
        total_tokens INTEGER,
        think INTEGER,
        request_key TEXT,
        cached INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX turns_by_conversation ON turns(conversation_id, active, id);
    CREATE INDEX turns_by_request ON turns(request_key) WHERE request_key IS NOT NULL;
    """,
    COSTS,
    ATTACHMENTS,
    LEARNED,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(QwenchatError):
    """The conversation database cannot be opened, read or written (exit 1)."""


def private_file(path: Path) -> None:
    """Create the directory 0700 and the file 0600 before SQLite opens it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def migrate(db: sqlite3.Connection, path: Path) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer qwenchat (schema {version}, this one knows "
            f"{SCHEMA_VERSION})",
            hint="upgrade qwenchat",
        )
    for number in range(version, SCHEMA_VERSION):
        db.executescript(
            f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
        )


def read_write_db(path: Path) -> sqlite3.Connection:
    private_file(path)
    db = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = ON")
    migrate(db, path)
    return db


def read_only_db(path: Path) -> sqlite3.Connection:
    """The saved conversations of a directory qwenchat cannot write: read, never changed.

    A WAL database needs its `-shm` file even to read; where that cannot be made (the directory
    is read-only), the file is read as immutable: nothing can be writing to it there.
    """
    if not path.is_file():
        raise StoreError(f"cannot open the conversation store {path}: there is none")
    uri = f"file:{quote(str(path))}?mode=ro"
    for suffix in ("", "&immutable=1"):
        try:
            db = sqlite3.connect(uri + suffix, uri=True, isolation_level=None, timeout=5.0)
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.OperationalError:
            continue
        if version != SCHEMA_VERSION:
            db.close()
            raise StoreError(
                f"{path} has schema {version}, this qwenchat reads {SCHEMA_VERSION}; "
                "it cannot be upgraded where it is read-only"
            )
        return db
    raise StoreError(f"cannot open the conversation store {path}: it cannot be read")
