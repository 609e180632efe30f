"""Files uploaded for Qwen-Long, remembered so that a follow-up does not upload them again.

Keyed by the endpoint and the file's content hash (the same bytes are the same document); the
conversation that first sent it is kept too, for `qwenchat files list`.
"""

from __future__ import annotations

from dataclasses import dataclass

from qwenchat.core.upload_ids import checked_file_id, is_file_id
from qwenchat.store.database import Store, now, public_url


@dataclass(frozen=True)
class Upload:
    file_id: str
    name: str
    size: int
    conversation_id: int | None
    created: str


def find(store: Store, base_url: str, digest: str) -> str | None:
    rows = store.rows(
        "SELECT file_id FROM uploaded_files WHERE base_url = ? AND digest = ?"
        " ORDER BY created DESC LIMIT 1",
        (public_url(base_url), digest),
    )
    found = rows[0]["file_id"] if rows else None
    return found if is_file_id(found) else None  # a row that is not an id is uploaded again


def remember(
    store: Store,
    base_url: str,
    file_id: str,
    *,
    digest: str,
    name: str,
    size: int,
    conversation_id: int | None,
) -> None:
    checked_file_id(file_id, "an upload")
    store.write(
        "INSERT OR REPLACE INTO uploaded_files"
        " (file_id, base_url, conversation_id, digest, name, size, created)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (file_id, public_url(base_url), conversation_id, digest, name, size, now()),
    )


def known(store: Store, base_url: str) -> list[Upload]:
    rows = store.rows(
        "SELECT * FROM uploaded_files WHERE base_url = ? ORDER BY created",
        (public_url(base_url),),
    )
    return [
        Upload(r["file_id"], r["name"], r["size"], r["conversation_id"], r["created"]) for r in rows
    ]


def forget(store: Store, file_id: str) -> None:
    store.write("DELETE FROM uploaded_files WHERE file_id = ?", (file_id,))
