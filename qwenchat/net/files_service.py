"""Qwen-Long's documents through DashScope's Files API (`purpose="file-extract"`).

Flow (source: Model Studio "long-context-qwen-long" page, updated 2025-12-25, and
"openai-file-interface", both seen 2026-12-03 in stored copies): upload the file with
`purpose="file-extract"`, wait until the service has parsed it (`status == "processed"`; the
wait is from the dashscope SDK README, V3), then name it in a system message `fileid://ID`.
Files do not expire: `qwenchat files rm` deletes them (the account holds at most 10,000 files).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from qwenchat.core import errors
from qwenchat.core.upload_ids import checked_file_id
from qwenchat.net.batch_service import BatchService

PURPOSE = "file-extract"
PARSE_WAIT = 120.0  # seconds to wait for the service to parse an upload
POLL = 1.0


@dataclass(frozen=True)
class RemoteFile:
    id: str
    filename: str
    size: int
    purpose: str
    status: str
    created_at: int


class FilesService(BatchService):
    """Upload, wait for, list and delete file-extract files; raises only QwenchatError."""

    not_found_hint = "`qwenchat files list` shows the uploaded files"

    def upload_document(
        self, data: bytes, *, filename: str, sleep: Callable[[float], None] = time.sleep
    ) -> str:
        with self._mapped(f"upload {filename}"):
            stored = self._sdk.files.create(
                file=(filename, data),
                purpose=PURPOSE,  # type: ignore[arg-type]  # DashScope's own purpose
            )
        file_id = checked_file_id(getattr(stored, "id", None), f"the upload of {filename}")
        waited = 0.0
        status = getattr(stored, "status", "processed")
        while status not in ("processed", "error", "failed"):
            if waited >= PARSE_WAIT:
                raise errors.ApiError(f"{filename} was uploaded but not parsed in {PARSE_WAIT:g} s")
            sleep(POLL)
            waited += POLL
            with self._mapped(f"check {filename}"):
                status = self._sdk.files.retrieve(file_id).status
        if status != "processed":
            raise errors.ApiError(f"the service could not parse {filename} ({status})")
        return file_id

    def documents(self) -> list[RemoteFile]:
        with self._mapped("list files"):
            page = self._sdk.files.list(purpose=PURPOSE)
            return [_remote_file(f) for f in page.data]

    def delete(self, file_id: str) -> None:
        with self._mapped(f"delete file {file_id}"):
            self._sdk.files.delete(file_id)


def _remote_file(entry: object) -> RemoteFile:
    """One listed file, whatever types the server used (the id is checked where it is shown)."""

    def field(name: str) -> object:
        return getattr(entry, name, None)

    size, created = field("bytes"), field("created_at")
    return RemoteFile(
        str(field("id")), str(field("filename") or ""),
        size if isinstance(size, int) else 0, str(field("purpose") or ""),
        str(field("status")), created if isinstance(created, int) else 0,
    )  # fmt: skip
