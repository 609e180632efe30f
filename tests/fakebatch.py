"""DashScope's OpenAI-compatible `/files` and `/batches` endpoints, for the fake server.

Standard library only; plugs into ``FakeServer.routes``::

    batches = FakeBatches(server)
    batches.script(Progression(("validating", "in_progress", "completed")))

Each ``POST /batches`` takes the next scripted ``Progression`` (or the default
validating → in_progress → finalizing → completed); each ``GET /batches/{id}`` moves the batch
one status further. When a batch reaches completed, expired or cancelled, its output and error
files are built by running the first ``processed`` lines of the uploaded JSONL through the
server's own reply logic (its queue of scripted responses, else the echo), so a test scripts
per-line failures exactly as for chat requests. Every uploaded file is kept in ``files``; as on
the real service, the content of a file uploaded for ``batch`` cannot be downloaded.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakeserver import Error, FakeServer, Reply, completion_body

ENDPOINT = "/v1/chat/completions"
TERMINAL = ("completed", "failed", "expired", "cancelled")
WITH_OUTPUT = ("completed", "expired", "cancelled")
Answer = tuple[int, str, bytes]


def _json(status: int, obj: Any) -> Answer:
    return status, "application/json", json.dumps(obj, ensure_ascii=False).encode()


def _error(status: int, message: str, code: str = "invalid_request") -> Answer:
    body = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    return _json(status, {"error": body})


@dataclass(frozen=True)
class Progression:
    """The statuses a batch goes through, one per retrieve; ``processed``: lines run (None: all)."""

    statuses: tuple[str, ...] = ("validating", "in_progress", "finalizing", "completed")
    processed: int | None = None


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int = field(default_factory=lambda: int(time.time()))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "object": "file", "bytes": len(self.data), "created_at": self.created_at,
            "filename": self.filename, "purpose": self.purpose, "status": "processed",
        }  # fmt: skip


@dataclass
class FakeBatch:
    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str] | None
    progression: Progression
    total: int
    step: int = 0
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    created_at: int = field(default_factory=lambda: int(time.time()))

    @property
    def status(self) -> str:
        return self.progression.statuses[min(self.step, len(self.progression.statuses) - 1)]

    def to_json(self) -> dict[str, Any]:
        counts = {"total": self.total, "completed": self.completed, "failed": self.failed}
        return {
            "id": self.id, "object": "batch", "endpoint": self.endpoint,
            "input_file_id": self.input_file_id, "completion_window": self.completion_window,
            "status": self.status, "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id, "created_at": self.created_at,
            "request_counts": counts, "metadata": self.metadata,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
        }  # fmt: skip


class FakeBatches:
    """The Batch service's state: uploaded files, batches, and scripted progressions."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.files: dict[str, StoredFile] = {}
        self.batches: dict[str, FakeBatch] = {}
        self._scripts: deque[Progression] = deque()
        server.routes.append(self.route)

    def script(self, *progressions: Progression) -> None:
        """The progressions of the next batches created, in order."""
        self._scripts.extend(progressions)

    def uploads(self, purpose: str = "batch") -> list[StoredFile]:
        return [f for f in self.files.values() if f.purpose == purpose]

    def route(self, method: str, path: str, raw: bytes, headers: dict[str, str]) -> Answer | None:
        url = urlsplit(path)
        parts = url.path.rstrip("/").split("/")
        if "files" in parts:
            return self._files(method, parts[parts.index("files") + 1 :], raw, headers)
        if "batches" in parts:
            rest = parts[parts.index("batches") + 1 :]
            return self._batches(method, rest, raw, parse_qs(url.query))
        return None

    def _files(self, method: str, rest: list[str], raw: bytes, headers: dict[str, str]) -> Answer:
        if method == "POST" and not rest:
            return self._upload(raw, headers.get("content-type", ""))
        if method == "GET" and not rest:
            listed = [f.to_json() for f in self.files.values()]
            return _json(200, {"object": "list", "data": listed, "has_more": False})
        stored = self.files.get(rest[0]) if rest else None
        if stored is None:
            return _error(404, f"file not found: {'/'.join(rest)}", "not_found")
        if method == "DELETE" and len(rest) == 1:
            del self.files[stored.id]
            return _json(200, {"id": stored.id, "object": "file", "deleted": True})
        if method == "GET" and rest[1:] == ["content"] and stored.purpose == "batch":
            # like the real service: an uploaded batch input is never given back
            return _error(403, "files uploaded for batch cannot be downloaded", "AccessDenied")
        if method == "GET" and rest[1:] == ["content"]:
            return 200, "application/octet-stream", stored.data
        if method == "GET" and len(rest) == 1:
            return _json(200, stored.to_json())
        return _error(404, "not found", "not_found")

    def _upload(self, raw: bytes, content_type: str) -> Answer:
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + raw)
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = (part.get_filename(), payload)
        if "file" not in fields or "purpose" not in fields:
            return _error(400, "multipart upload needs 'file' and 'purpose'")
        filename, data = fields["file"]
        purpose = fields["purpose"][1].decode()
        prefix = "file-fe" if purpose == "file-extract" else "file-batch"
        stored = StoredFile(
            f"{prefix}-{uuid.uuid4().hex[:16]}", filename or "upload", purpose, data
        )
        self.files[stored.id] = stored
        return _json(200, stored.to_json())

    def _batches(
        self, method: str, rest: list[str], raw: bytes, query: dict[str, list[str]]
    ) -> Answer:
        if method == "POST" and not rest:
            return self._create(raw)
        if method == "GET" and not rest:
            limit = int(query.get("limit", ["20"])[0])
            data = [b.to_json() for b in reversed(self.batches.values())][:limit]
            first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
            return _json(200, {"object": "list", "data": data, "first_id": first,
                               "last_id": last, "has_more": False})  # fmt: skip
        batch = self.batches.get(rest[0]) if rest else None
        if batch is None:
            return _error(404, f"batch not found: {'/'.join(rest)}", "not_found")
        if method == "POST" and rest[1:] == ["cancel"]:
            if batch.status in TERMINAL:
                return _error(400, f"batch is already {batch.status}")
            processed = batch.progression.processed or 0
            batch.progression, batch.step = Progression(("cancelling", "cancelled"), processed), 0
            return _json(200, batch.to_json())
        if method == "GET" and len(rest) == 1:
            self._advance(batch)
            return _json(200, batch.to_json())
        return _error(404, "not found", "not_found")

    def _create(self, raw: bytes) -> Answer:
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, "body is not JSON")
        stored = self.files.get(body.get("input_file_id", ""))
        if stored is None or stored.purpose != "batch":
            return _error(400, "input_file_id must name a file uploaded with purpose 'batch'")
        if body.get("endpoint") != ENDPOINT or body.get("completion_window") != "24h":
            return _error(400, "endpoint must be /v1/chat/completions and completion_window 24h")
        lines = stored.data.decode().removesuffix("\n").split("\n")
        progression = self._scripts.popleft() if self._scripts else Progression()
        batch = FakeBatch(
            id=f"batch_{uuid.uuid4().hex[:20]}", input_file_id=stored.id, endpoint=ENDPOINT,
            completion_window="24h", metadata=body.get("metadata"), progression=progression,
            total=len(lines),
        )  # fmt: skip
        problems = [p for n, line in enumerate(lines, 1) if (p := _line_problem(n, line))]
        if problems:
            batch.progression = Progression(("validating", "failed"))
            batch.errors = problems
        self.batches[batch.id] = batch
        return _json(200, batch.to_json())

    def _advance(self, batch: FakeBatch) -> None:
        if batch.status in TERMINAL:
            return
        batch.step += 1
        if batch.status in WITH_OUTPUT:
            self._run(batch)

    def _run(self, batch: FakeBatch) -> None:
        """Answer the processed lines with the server's reply logic; write the result files."""
        lines = self.files[batch.input_file_id].data.decode().removesuffix("\n").split("\n")
        processed = batch.progression.processed
        outputs: list[str] = []
        errors: list[str] = []
        for line in lines[: len(lines) if processed is None else processed]:
            request = json.loads(line)
            answer = self._answer(request)
            (outputs if answer.get("error") is None else errors).append(json.dumps(answer))
        batch.completed, batch.failed = len(outputs), len(errors)
        batch.output_file_id = self._result_file(batch, "output", outputs)
        batch.error_file_id = self._result_file(batch, "error", errors)

    def _result_file(self, batch: FakeBatch, kind: str, lines: list[str]) -> str | None:
        if not lines:
            return None
        data = ("\n".join(lines) + "\n").encode()
        stored = StoredFile(f"file-batch_output-{uuid.uuid4().hex[:12]}",
                            f"{batch.id}_{kind}.jsonl", "batch_output", data)  # fmt: skip
        self.files[stored.id] = stored
        return stored.id

    def _answer(self, request: dict[str, Any]) -> dict[str, Any]:
        body = request.get("body") or {}
        response = self.server._next_response(body)
        rid = f"req-{uuid.uuid4().hex[:16]}"
        line: dict[str, Any] = {"id": f"batch_req_{uuid.uuid4().hex[:12]}",
                                "custom_id": request.get("custom_id"), "error": None}  # fmt: skip
        if isinstance(response, Reply):
            reply_body = completion_body(response, body)
            line["response"] = {"status_code": 200, "request_id": rid, "body": reply_body}
            return line
        err = response if isinstance(response, Error) else Error(500, "internal error")
        detail = {"message": err.message, "type": err.type, "param": None, "code": err.code}
        line["response"] = {"status_code": err.status, "request_id": rid, "body": {"error": detail}}
        line["error"] = {"code": err.code or str(err.status), "message": err.message}
        return line


def _line_problem(number: int, line: str) -> dict[str, Any] | None:
    """What the service says about one input line: None when it is a valid request."""
    try:
        request = json.loads(line)
    except ValueError:
        return {"code": "invalid_json_line", "message": "not JSON", "line": number}
    keys = {"custom_id", "method", "url", "body"}
    body = request.get("body") if isinstance(request, dict) else None
    if (
        not isinstance(request, dict)
        or set(request) != keys
        or request["method"] != "POST"
        or request["url"] != ENDPOINT
        or not isinstance(body, dict)
        or not body.get("model")
        or not isinstance(body.get("messages"), list)
    ):
        return {"code": "invalid_request", "message": "malformed request line", "line": number}
    return None
