"""A real loopback HTTP server that speaks DashScope's OpenAI-compatible wire format.

Standard library only. Tests enqueue scripted responses (``Reply``, ``Error``, ``Raw``,
``Frames``, ``Hang``); each ``POST .../chat/completions`` pops one, FIFO, and an empty queue
answers ``echo: <last user message>``. Streams use HTTP/1.1 chunked framing with
``Connection: close``, so a stream that is cut off is visible to the client as an incomplete
body (with close-delimited framing a cut would look like a normal end of stream).

As a script (for benchmarks)::

    python tests/fakeserver.py --port 0 [--answer-chars N --reasoning-chars N --chunks N]

prints ``READY http://127.0.0.1:PORT/v1`` and serves until killed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeAlias, cast

DEFAULT_MODELS = ["qwen-plus", "qwen-max", "qwen-turbo", "qwq-plus", "qwen3-32b"]
DONE_FRAME = "data: [DONE]\n\n"
_MARK = "@@FAKESERVER_PIECE@@"
_QUOTED_MARK = json.dumps(_MARK)
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


def _request_id() -> str:
    return f"req-{uuid.uuid4().hex}"


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Recorded:
    """One request the server received (recorded before it was answered)."""

    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when the body is empty or not JSON
    raw: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass(frozen=True)
class Reply:
    """A successful completion, streamed as SSE or returned as one JSON body (per request)."""

    answer: str = ""
    reasoning: str = ""
    chunk_size: int = 4
    finish_reason: str | None = "stop"
    usage: dict[str, Any] | None = None  # None: computed from the request and the reply
    send_usage: bool = True
    delay: float = 0.0  # seconds between chunks
    first_delay: float = 0.0  # seconds before the first chunk (after the headers when streamed)
    done: bool = True  # send ``data: [DONE]``
    reasoning_field: str = "reasoning_content"
    cut_after: int | None = None  # close after that many reasoning/content/tool chunks
    stall_after: int | None = None  # one silence of `stall` s after that many frames (role first)
    stall: float = 0.0
    tool_calls: list[dict[str, Any]] | None = None  # {"id"?, "function": {"name", "arguments"}}
    model: str | None = None  # None: the request's model


@dataclass(frozen=True)
class Error:
    """An error status with DashScope's JSON error body (and ``x-request-id``)."""

    status: int
    message: str
    code: str | None = None
    type: str = "invalid_request_error"
    headers: dict[str, str] = field(default_factory=dict)
    request_id: str | None = field(default_factory=_request_id)


@dataclass(frozen=True)
class Raw:
    """Exactly ``body`` with that status and content type (HTML error pages, non-SSE bodies)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/event-stream"


@dataclass(frozen=True)
class Frames:
    """A 200 ``text/event-stream`` whose body is the given frames, written in order."""

    frames: list[str | bytes]
    delay: float = 0.0
    close_abruptly: bool = False  # end without the final zero-length chunk


@dataclass(frozen=True)
class Hang:
    """Read the request, send nothing for ``seconds`` (or until ``stop()``), then close."""

    seconds: float


Response: TypeAlias = Reply | Error | Raw | Frames | Hang
Route: TypeAlias = Callable[[str, str, bytes, dict[str, str]], "tuple[int, str, bytes] | None"]


def _new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def _frame(
    delta: dict[str, Any] | None,
    finish_reason: str | None = None,
    model: str = "qwen-plus",
    cid: str | None = None,
    created: int | None = None,
    usage: dict[str, Any] | None = None,
) -> str:
    """One ``data: <chunk>\\n\\n`` frame; ``delta=None`` gives ``"choices": []``."""
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
    chunk = {
        "id": cid or _new_id(),
        "object": "chat.completion.chunk",
        "created": int(time.time()) if created is None else created,
        "model": model,
        "system_fingerprint": None,
        "choices": [] if delta is None else [choice],
        "usage": usage,
    }
    return f"data: {_dumps(chunk)}\n\n"


def chunk_frame(
    delta: dict[str, Any], finish_reason: str | None = None, model: str = "qwen-plus"
) -> str:
    """One ``data: <chunk>\\n\\n`` frame with a single choice carrying ``delta``."""
    return _frame(delta, finish_reason, model)


def usage_frame(usage: dict[str, Any], model: str = "qwen-plus") -> str:
    """The final ``include_usage`` frame: ``"choices": []`` and the usage object."""
    return _frame(None, None, model, usage=usage)


def _pieces(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else _dumps(content)


def _messages(body: Any) -> list[dict[str, Any]]:
    msgs = body.get("messages") if isinstance(body, dict) else None
    return [m for m in msgs if isinstance(m, dict)] if isinstance(msgs, list) else []


def _tool_calls(reply: Reply) -> list[dict[str, Any]]:
    """Normalise ``reply.tool_calls`` to OpenAI's shape (plus ``index``), arguments as JSON text."""
    out = []
    for i, tc in enumerate(reply.tool_calls or []):
        fn = tc.get("function", tc)
        args = fn.get("arguments", "")
        args = args if isinstance(args, str) else _dumps(args)
        call_id = tc.get("id") or f"call_{uuid.uuid4().hex[:24]}"
        function = {"name": fn.get("name", ""), "arguments": args}
        out.append({"index": i, "id": call_id, "type": "function", "function": function})
    return out


def _usage(reply: Reply, body: Any) -> dict[str, Any]:
    if reply.usage is not None:
        return reply.usage
    prompt = sum(len(_text_of(m.get("content"))) for m in _messages(body)) // 4 + 1
    done = len(reply.answer + reply.reasoning) // 2 + 1
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": done}
    usage["total_tokens"] = prompt + done
    if reply.reasoning:
        usage["completion_tokens_details"] = {"reasoning_tokens": len(reply.reasoning) // 2 + 1}
    return usage


def stream_frames(reply: Reply, body: Any) -> tuple[list[str], bool]:
    """The SSE frames for ``reply`` to request ``body``; the flag says the stream is complete."""
    model = reply.model or (body.get("model") if isinstance(body, dict) else None) or "qwen-plus"
    ids = (model, _new_id(), int(time.time()))
    frames = [_frame({"role": "assistant", "content": ""}, None, *ids)]
    parts: list[str] = []
    for text, delta in (
        (reply.reasoning, {"content": None, reply.reasoning_field: _MARK}),
        (reply.answer, {"content": _MARK}),
    ):
        if text:  # serialise once around a marker; each piece then costs one small dumps
            prefix, suffix = _frame(delta, None, *ids).split(_QUOTED_MARK)
            parts += [prefix + _dumps(p) + suffix for p in _pieces(text, reply.chunk_size)]
    calls = _tool_calls(reply)
    for tc in calls:
        head = {**tc, "function": {"name": tc["function"]["name"], "arguments": ""}}
        parts.append(_frame({"content": None, "tool_calls": [head]}, None, *ids))
        for piece in _pieces(tc["function"]["arguments"], reply.chunk_size):
            frag = {"index": tc["index"], "function": {"arguments": piece}}
            parts.append(_frame({"tool_calls": [frag]}, None, *ids))
    if reply.cut_after is not None:
        return frames + parts[: reply.cut_after], False
    finish = "tool_calls" if calls and reply.finish_reason == "stop" else reply.finish_reason
    frames += [*parts, _frame({"content": ""}, finish, *ids)]
    opts = body.get("stream_options") if isinstance(body, dict) else None
    if reply.send_usage and isinstance(opts, dict) and opts.get("include_usage"):
        frames.append(_frame(None, None, *ids, usage=_usage(reply, body)))
    if reply.done:
        frames.append(DONE_FRAME)
    return frames, True


def completion_body(reply: Reply, body: Any) -> dict[str, Any]:
    """The non-streamed ``chat.completion`` JSON object for ``reply``."""
    model = reply.model or (body.get("model") if isinstance(body, dict) else None) or "qwen-plus"
    calls = [{k: v for k, v in tc.items() if k != "index"} for tc in _tool_calls(reply)]
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.answer if reply.answer or not calls else None,
        "function_call": None,
        "tool_calls": calls or None,
    }
    if reply.reasoning:
        message[reply.reasoning_field] = reply.reasoning
    finish = "tool_calls" if calls and reply.finish_reason == "stop" else reply.finish_reason
    return {
        "id": _new_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "finish_reason": finish, "logprobs": None, "message": message}],
        "usage": _usage(reply, body) if reply.send_usage else None,
        "system_fingerprint": None,
    }


class _HTTPServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128  # many concurrent clients (batch -j N): no dropped connects
    fake: FakeServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # socket timeout: a stuck client cannot pin a thread forever

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default request logging."""

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    @property
    def fake(self) -> FakeServer:
        return cast(_HTTPServer, self.server).fake

    def _handle(self) -> None:
        self.close_connection = True
        with contextlib.suppress(*_DISCONNECTS):  # the client went away; nothing to tell it
            self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake = self.fake
        fake._record(Recorded(self.command, self.path, headers, body, raw))
        route = self.path.split("?", 1)[0].rstrip("/")
        if fake.api_key is not None and headers.get("authorization") != f"Bearer {fake.api_key}":
            self._send_error(Error(401, "Incorrect API key provided. ", code="invalid_api_key"))
        elif (routed := fake._route(self.command, self.path, raw, headers)) is not None:
            self._send(*routed)
        elif self.command == "POST" and route.endswith("/chat/completions"):
            if fake.latency > 0 and fake._stopping.wait(fake.latency):
                return
            self._answer(fake._next_response(body), body)
        elif self.command == "GET" and route.endswith("/models"):
            data = [{"id": m, "object": "model", "owned_by": "system"} for m in fake.models]
            self._send(200, "application/json", _dumps({"object": "list", "data": data}).encode())
        else:
            message = f"Not found: {self.command} {self.path}"
            self._send_error(Error(404, message, code="not_found"))

    def _answer(self, response: Response, body: Any) -> None:
        if isinstance(response, Reply):
            if isinstance(body, dict) and body.get("stream"):
                frames, complete = stream_frames(response, body)
                raw, delay = [f.encode() for f in frames], response.delay
                if response.stall_after is not None:  # two groups, the silence between them
                    cut = response.stall_after
                    raw, delay = [b"".join(raw[:cut]), b"".join(raw[cut:])], response.stall
                self._stream(raw, delay, response.first_delay, complete=complete)
            else:
                if response.first_delay > 0 and self.fake._stopping.wait(response.first_delay):
                    return
                data = _dumps(completion_body(response, body)).encode()
                self._send(200, "application/json", data, truncate=response.cut_after is not None)
        elif isinstance(response, Error):
            self._send_error(response)
        elif isinstance(response, Raw):
            self._send(response.status, response.content_type, response.body)
        elif isinstance(response, Frames):
            raw = [f.encode() if isinstance(f, str) else f for f in response.frames]
            self._stream(raw, response.delay, 0.0, complete=not response.close_abruptly)
        else:
            self.fake._stopping.wait(response.seconds)

    def _head(self, status: int, ctype: str, extra: dict[str, str], length: int | None) -> bytes:
        lines = [
            f"HTTP/1.1 {status} {self.responses.get(status, ('Status',))[0]}",
            f"Content-Type: {ctype}",
            "Connection: close",
            "Transfer-Encoding: chunked" if length is None else f"Content-Length: {length}",
        ]
        if "x-request-id" not in {k.lower() for k in extra}:
            lines.append(f"x-request-id: {_request_id()}")
        lines += [f"{k}: {v}" for k, v in extra.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(
        self,
        status: int,
        ctype: str,
        data: bytes,
        extra: dict[str, str] | None = None,
        *,
        truncate: bool = False,
    ) -> None:
        head = self._head(status, ctype, extra or {}, len(data))
        self.wfile.write(head + (data[: len(data) // 2] if truncate else data))

    def _send_error(self, err: Error) -> None:
        payload: dict[str, Any] = {
            "error": {"message": err.message, "type": err.type, "param": None, "code": err.code}
        }
        extra = dict(err.headers)
        if err.request_id is not None:
            payload["request_id"] = err.request_id
            extra.setdefault("x-request-id", err.request_id)
        self._send(err.status, "application/json", _dumps(payload).encode(), extra)

    def _stream(
        self, frames: list[bytes], delay: float, first_delay: float, *, complete: bool
    ) -> None:
        """Write ``frames`` as a chunked event stream, in one write when there is no delay."""
        stopping = self.fake._stopping
        out = self._head(
            200, "text/event-stream; charset=utf-8", {"Cache-Control": "no-cache"}, None
        )
        if first_delay > 0:
            self.wfile.write(out)
            out = b""
            if stopping.wait(first_delay):
                return
        groups = frames if delay > 0 else [b"".join(frames)]
        for i, group in enumerate(groups):
            if i and delay > 0:
                self.wfile.write(out)
                out = b""
                if stopping.wait(delay):
                    return
            if group:
                out += b"%x\r\n%s\r\n" % (len(group), group)
        if complete:
            out += b"0\r\n\r\n"
        self.wfile.write(out)


class FakeServer:
    """A DashScope-compatible server on 127.0.0.1 with a FIFO of scripted responses."""

    def __init__(self, *, api_key: str | None = None, port: int = 0) -> None:
        self.api_key = api_key
        self.models: list[str] = list(DEFAULT_MODELS)
        self.default_reply: Reply | None = None  # None: ``echo: <last user message>``
        self.latency = 0.0  # seconds each chat completion waits before it is answered
        # Extra endpoints (tests/fakebatch.py): each gets (method, path, raw body, headers)
        # and returns (status, content type, body), or None to pass.
        self.routes: list[Route] = []
        self.requests: list[Recorded] = []
        self.base_url = ""
        self.port = port  # 0: any free port
        self._queue: deque[Response] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeServer:
        """Bind a free loopback port and serve from a daemon thread."""
        self._stopping.clear()
        httpd = _HTTPServer(("127.0.0.1", self.port), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"fakeserver-{self.port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes any ``Hang`` or delayed stream in progress."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def enqueue(self, *responses: Response) -> None:
        """Append responses; each chat completion request pops the oldest one."""
        with self._lock:
            self._queue.extend(responses)

    def reset(self) -> None:
        """Forget queued responses and recorded requests."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    @property
    def chat_requests(self) -> list[Recorded]:
        """The recorded ``POST .../chat/completions`` requests, in order."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.method == "POST" and r.path.split("?", 1)[0].endswith("/chat/completions")
            ]

    @property
    def pending(self) -> int:
        """How many enqueued responses have not been served yet."""
        with self._lock:
            return len(self._queue)

    def _route(
        self, method: str, path: str, raw: bytes, headers: dict[str, str]
    ) -> tuple[int, str, bytes] | None:
        for route in list(self.routes):
            answer = route(method, path, raw, headers)
            if answer is not None:
                return answer
        return None

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def _next_response(self, body: Any) -> Response:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.default_reply is not None:
            return self.default_reply
        user = [m for m in _messages(body) if m.get("role") == "user"]
        return Reply(answer=f"echo: {_text_of(user[-1].get('content')) if user else ''}")


_SAMPLE = (
    "Qwen streams tokens quickly. 通义千问是一个大型语言模型，支持中文和英文。 "
    "Here is **bold**, `inline code`, and a list:\n- one item\n- another item\n\n"
)


def long_text(chars: int, seed: str = _SAMPLE) -> str:
    """Deterministic mixed ASCII/CJK/markdown text of exactly ``chars`` code points."""
    return (seed * (chars // len(seed) + 1))[:chars]


def main(argv: list[str] | None = None) -> None:
    """Run the server until killed; print ``READY <base_url>`` once listening."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--answer-chars", type=int, default=0)
    parser.add_argument("--reasoning-chars", type=int, default=0)
    parser.add_argument("--chunks", type=int, default=0, help="about N chunks in all")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between chunks")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args(argv)
    server = FakeServer(api_key=args.api_key, port=args.port)
    server.latency = args.latency
    total = args.answer_chars + args.reasoning_chars
    if total:
        size = math.ceil(total / args.chunks) if args.chunks > 0 else 4
        server.default_reply = Reply(
            answer=long_text(args.answer_chars),
            reasoning=long_text(args.reasoning_chars, "Let me think about this step by step. "),
            chunk_size=size,
            delay=args.delay,
        )
    server.start()
    print(f"READY {server.base_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    server.stop()


if __name__ == "__main__":
    main()
