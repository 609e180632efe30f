"""The Batch service's file formats (pure): the input JSONL it expects, the results it returns.

Input: one `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}` a line,
checked against the service's limits before upload. Output and error files: one
`{"custom_id", "response": {"status_code", "body"}, "error"}` a line, mapped back by
`custom_id` to the same records the local route writes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from qwenchat.batch.plan import Job
from qwenchat.core.batch_records import Record, failure, from_reply
from qwenchat.core.errors import QwenchatError, UsageError
from qwenchat.core.events import parse_completion
from qwenchat.core.reply import ReplyBuilder

ENDPOINT = "/v1/chat/completions"
MAX_REQUESTS = 50_000  # the service's limits per batch
MAX_BYTES = 100 * 2**20


def batch_file(jobs: Iterable[Job]) -> bytes:
    """The JSONL the service expects, one request a line, in input order."""
    lines = (
        json.dumps(
            {"custom_id": job.id, "method": "POST", "url": ENDPOINT, "body": job.body},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n"
        for job in jobs
    )
    return "".join(lines).encode("utf-8")


def check_count(count: int) -> None:
    """Refuse more requests than one batch takes (before any is built)."""
    if count > MAX_REQUESTS:
        raise UsageError(
            f"{count:,} requests is more than the Batch service takes ({MAX_REQUESTS:,}); "
            "split the input"
        )


def check_limits(jobs: Sequence[Job], data: bytes) -> None:
    """Refuse what the service would refuse, before uploading it."""
    check_count(len(jobs))
    if len(data) > MAX_BYTES:
        inlined = " (attached images are inlined as data URLs)" if b'"data:image/' in data else ""
        raise UsageError(
            f"the batch file would be {len(data) / 2**20:.1f} MiB{inlined}, more than the Batch "
            f"service takes ({MAX_BYTES // 2**20} MiB); split the input"
        )
    models = sorted({str(job.body.get("model")) for job in jobs})
    if len(models) > 1:
        raise UsageError(
            f"a batch runs one model, but the input asks for {', '.join(models)}; "
            "split it by model or use --local"
        )


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def records_from(files: Iterable[bytes]) -> dict[str, Record]:
    """Records by id from the service's output and error files."""
    records: dict[str, Record] = {}
    for data in files:
        for line in data.decode("utf-8", "replace").split("\n"):  # not at U+2028 inside JSON
            if line.strip():
                record = _record(line)
                if record is not None:
                    records[record.id] = record
    return records


def unprocessed(item_id: str, status: str) -> Record:
    return failure(item_id, f"not processed: the batch ended {status}", code=f"batch_{status}")


def _record(line: str) -> Record | None:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict) or obj.get("custom_id") is None:
        return None
    item_id = str(obj["custom_id"])
    response = obj.get("response")
    if not isinstance(response, dict):
        response = {}
    status = response.get("status_code")
    body = response.get("body")
    if status == 200 and isinstance(body, dict):
        builder = ReplyBuilder()
        try:
            for event in parse_completion(body):
                builder.feed(event)
        except QwenchatError as exc:
            return failure(item_id, exc.message, status=status)
        model = body.get("model")
        return replace(from_reply(item_id, builder.build()), model=model and str(model))
    message, code = _error_of(obj.get("error"), body)
    return failure(item_id, message, status=_int(status), code=code)


def _error_of(error: Any, body: Any) -> tuple[str, str | None]:
    inner = body.get("error") if isinstance(body, dict) else None
    for source in (inner, error):
        if isinstance(source, dict) and source.get("message"):
            code = source.get("code")
            return str(source["message"]).strip(), str(code) if code else None
    return "the service reported an error without a message", None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
