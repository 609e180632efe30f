"""The second network edge: DashScope's Batch service (`/files`, `/batches`) through the openai SDK.

Like `client.py` (the chat edge, whose status mapping this reuses), this module imports the
SDK, catches its errors and raises `QwenchatError`s; it hands out plain `BatchInfo` values, so
nothing past it sees SDK types.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import openai

from qwenchat.core import errors
from qwenchat.core.sanitize import sanitize
from qwenchat.core.settings import Settings
from qwenchat.core.upload_ids import checked_file_id
from qwenchat.net.client import make_sdk, status_error, without_key

ENDPOINT: Final = "/v1/chat/completions"
WINDOW: Final = "24h"
FINISHED = frozenset({"completed", "failed", "expired", "cancelled"})


@dataclass(frozen=True)
class BatchInfo:
    """What the service says about one batch."""

    id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    created_at: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    input_file_id: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class BatchService:
    """Uploads, creates, polls, cancels and downloads; raises only QwenchatError."""

    not_found_hint = "`qwenchat batch list` shows your recent batches"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # these calls are idempotent reads or cheap to repeat
        self._sdk = make_sdk(settings, max_retries=2)

    def upload(self, data: bytes, *, filename: str) -> str:
        with self._mapped("upload the batch file"):
            stored = self._sdk.files.create(
                file=(filename, data, "application/jsonl"), purpose="batch"
            )
        return checked_file_id(getattr(stored, "id", None), "the upload of the batch file")

    def create(self, file_id: str, *, metadata: dict[str, str] | None = None) -> BatchInfo:
        with self._mapped("create the batch"):
            batch = self._sdk.batches.create(
                input_file_id=file_id,
                endpoint=ENDPOINT,
                completion_window=WINDOW,
                metadata=metadata or openai.omit,
            )
        return _info(batch)

    def retrieve(self, batch_id: str) -> BatchInfo:
        with self._mapped(f"find batch {batch_id}"):
            return _info(self._sdk.batches.retrieve(_checked(batch_id)))

    def cancel(self, batch_id: str) -> BatchInfo:
        with self._mapped(f"cancel batch {batch_id}"):
            return _info(self._sdk.batches.cancel(_checked(batch_id)))

    def recent(self, *, limit: int = 20) -> list[BatchInfo]:
        with self._mapped("list batches"):
            page = self._sdk.batches.list(limit=limit)
            return [_info(batch) for batch in page.data]

    def content(self, file_id: str) -> bytes:
        file_id = checked_file_id(file_id, "a batch")  # the id came from the service
        with self._mapped(f"download file {file_id}"):
            return self._sdk.files.content(file_id).content

    def close(self) -> None:
        self._sdk.close()

    @contextlib.contextmanager
    def _mapped(self, doing: str) -> Iterator[None]:
        try:
            with self._unmapped(doing):
                yield
        except errors.QwenchatError as exc:
            raise without_key(exc, self.settings.api_key) from None

    @contextlib.contextmanager
    def _unmapped(self, doing: str) -> Iterator[None]:
        try:
            yield
        except openai.NotFoundError as exc:
            raise errors.ApiError(
                f"cannot {doing}: the service does not know it (404)",
                status=404,
                request_id=exc.response.headers.get("x-request-id"),
                hint=self.not_found_hint,
            ) from None
        except openai.APIStatusError as exc:
            raise status_error(exc, self.settings, "") from None
        except openai.APITimeoutError:
            raise errors.RequestTimeout(
                f"timed out after {self.settings.timeout:g} s trying to {doing}"
            ) from None
        except openai.APIConnectionError:
            raise errors.NetworkError(f"cannot reach {self.settings.base_url} to {doing}") from None


def _checked(batch_id: str) -> str:
    if not batch_id.strip():
        raise errors.UsageError("the batch id is empty")
    return batch_id.strip()


def _info(batch: Any) -> BatchInfo:
    counts = batch.request_counts
    problems = tuple(
        sanitize(f"line {e.line}: {e.message}" if e.line else str(e.message))
        for e in ((batch.errors.data or []) if batch.errors else [])
    )
    return BatchInfo(
        id=sanitize(str(batch.id)),
        status=sanitize(str(batch.status)),
        total=counts.total if counts else 0,
        completed=counts.completed if counts else 0,
        failed=counts.failed if counts else 0,
        created_at=batch.created_at or 0,
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        input_file_id=batch.input_file_id,
        problems=problems,
    )
