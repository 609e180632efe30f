"""`--debug` / `QWENCHAT_DEBUG=1`: each HTTP request and response, one block each, on stderr.

The SDK's HTTP client calls `on_request` and `on_response` (httpx event hooks) around every
attempt, retries included: method, URL, status, time taken and the JSON bodies, with the API
key never shown (the Authorization header is left out, and the key masked wherever a body
quotes it). A streamed answer's body is not read here (that would consume it); its type is said.
The lines go to the writer the command line gave (`enable`): the output seam, which sanitises.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from qwenchat.core.redact import redact
from qwenchat.core.settings import mask_key

MAX_BODY = 4000  # characters of a body shown

_writer: Callable[[str], None] | None = None
_numbers = itertools.count(1)


def enable(writer: Callable[[str], None] | None) -> None:
    """Log through `writer` from now on; None stops logging."""
    global _writer
    _writer = writer


def enabled() -> bool:
    return _writer is not None


def hooks(key: str | None) -> dict[str, list[Callable[[Any], None]]]:
    """httpx event hooks logging every request and response of one client."""
    return {
        "request": [lambda request: on_request(request, key)],
        "response": [lambda response: on_response(response, key)],
    }


def note(text: str) -> None:
    """One line of what qwenchat decided (`debug: …`), when logging."""
    _write([f"debug: {text}"])


def on_request(request: Any, key: str | None) -> None:
    number = next(_numbers)
    request.extensions["qwenchat_debug"] = (number, time.monotonic())
    # the URL may hold the key (a `.env` that built it from `${DASHSCOPE_API_KEY}`) or a password
    lines = [f"debug: → #{number} {request.method} {redact(str(request.url), key)}"]
    content = _content(request)
    body = _body(content, key) if content is not None else "  (a streamed body: not logged)"
    if body:
        lines.append(body)
    _write(lines)


def _content(request: Any) -> bytes | None:
    """The request's body, or None when it is a stream not read yet (a redirect sends the
    body again as one): reading it here would consume it."""
    try:
        return bytes(request.content or b"")
    except Exception as exc:  # httpx's RequestNotRead; nothing else is expected here
        if type(exc).__name__ != "RequestNotRead":
            raise
        return None


def on_response(response: Any, key: str | None) -> None:
    number, started = response.request.extensions.get("qwenchat_debug", (0, time.monotonic()))
    seconds = time.monotonic() - started
    kind = response.headers.get("content-type", "")
    lines = [f"debug: ← #{number} {response.status_code} in {seconds:.3f} s ({kind or 'no type'})"]
    request_id = response.headers.get("x-request-id") or response.headers.get(
        "x-dashscope-request-id"
    )
    if request_id:
        lines[0] += f" request id {redact(request_id, key)}"
    if response.is_redirect:
        lines[0] += f" redirected to {redact(response.headers.get('location', '?'), key)}"
    if "json" in kind:
        response.read()
        body = _body(response.content, key)
        if body:
            lines.append(body)
    elif "event-stream" in kind:
        lines.append("  (a streamed body: not logged)")
    _write(lines)


def _body(data: bytes, key: str | None) -> str:
    if not data:
        return ""
    text = data.decode("utf-8", "replace")
    with contextlib.suppress(ValueError, RecursionError):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + f"… ({len(data):,} bytes)"
    if key:
        text = redact(text.replace(key, mask_key(key)), key)
    return "  " + text


def _write(lines: list[str]) -> None:
    if _writer is not None:
        _writer("".join(f"qwenchat: {line}\n" for line in lines))
