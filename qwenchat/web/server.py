"""The page's HTTP server: the standard library's `ThreadingHTTPServer`, one thread a request.

Every request passes `guard.Gate` first (Host, Origin, Sec-Fetch-Site; the token for the
API); POST bodies are JSON only and bounded; answers carry a strict Content-Security-Policy
and no CORS header. At most `MAX_CONNECTIONS` requests are served at once (more are answered
503 and closed), each socket times out, so a flood on 127.0.0.1 cannot take the server down.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from qwenchat.core import errors
from qwenchat.core.redact import redact
from qwenchat.store.database import NotFound
from qwenchat.web import api, turns
from qwenchat.web.guard import Gate, Refusal, body_refusal, new_token
from qwenchat.web.stream import SseView

MAX_CONNECTIONS = 64
SOCKET_TIMEOUT = 15.0
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SAFETY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
BUSY = b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def page_files() -> dict[str, tuple[bytes, str]]:
    """The page's files shipped in the package, by the path they are served at."""
    root = resources.files("qwenchat.web") / "static"
    found: dict[str, tuple[bytes, str]] = {}
    for folder, prefix in ((root, "/"), (root / "vendor", "/vendor/")):
        for item in folder.iterdir():
            suffix = "." + item.name.rsplit(".", 1)[-1]
            if item.is_file() and suffix in TYPES:
                found[prefix + item.name] = (item.read_bytes(), TYPES[suffix] + "; charset=utf-8")
    found["/"] = found["/index.html"]
    return found


class PageServer(ThreadingHTTPServer):
    """The server, its gate and what its requests share."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, site: api.Site) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), Handler)
        self.site = site
        self.gate = Gate(new_token(), host, self.server_address[1])
        self.files = page_files()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def stop_turns(self) -> None:
        """Ctrl-C: each running reply ends as stopped (and is saved) as soon as it can."""
        for view in list(self.site.running.values()):
            view.stop.set()


class Handler(BaseHTTPRequestHandler):
    server: PageServer
    timeout = SOCKET_TIMEOUT
    server_version = "qwenchat"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        return None  # requests are not logged: a URL could carry the token

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_OPTIONS(self) -> None:  # no CORS: a preflight is never granted
        self._handle("OPTIONS")

    def _handle(self, method: str) -> None:
        gate, headers = self.server.gate, self.headers
        refused = gate.site(
            headers.get("Host"), headers.get("Origin"), headers.get("Sec-Fetch-Site")
        )
        path = urlsplit(self.path).path
        if refused is None and method == "GET" and not path.startswith("/api/"):
            return self._file(path)
        refused = refused or gate.api(headers.get("Authorization"))
        if refused is None and method not in ("GET", "POST"):
            refused = Refusal(405, "that method is not used here")
        if refused is not None:
            return self._json(refused.status, {"error": refused.reason})
        body: dict[str, Any] = {}
        if method == "POST":
            read = self._body()
            if isinstance(read, Refusal):
                return self._json(read.status, {"error": read.reason})
            body = read
        try:
            self._route(method, path, body)
        except errors.QwenchatError as exc:
            status = 404 if isinstance(exc, NotFound) else 400
            self._json(status, {"error": line_of(exc)})
        except Exception as exc:  # a bug: its type, never its text (it could quote anything)
            self._json(500, {"error": f"internal error: {type(exc).__name__}; please report it"})

    def _body(self) -> dict[str, Any] | Refusal:
        length = self.headers.get("Content-Length")
        refused = body_refusal(self.headers.get("Content-Type"), length)
        if refused is not None:
            self.close_connection = True
            return refused
        try:
            data = json.loads(self.rfile.read(int(length or 0)) or b"{}")
        except (ValueError, UnicodeDecodeError):
            return Refusal(400, "the body is not valid JSON")
        except OSError:
            return Refusal(408, "the body did not arrive in time")
        if not isinstance(data, dict):
            return Refusal(400, "the body must be a JSON object")
        return data

    def _route(self, method: str, path: str, body: dict[str, Any]) -> None:
        site, parts = self.server.site, path.strip("/").split("/")[1:]
        if method == "POST" and parts == ["chat"]:
            return self._chat(body)
        if method == "POST" and parts == ["stop"]:
            view = site.running.get(str(body.get("turn")))
            if view is not None:
                view.stop.set()
            return self._json(200, {"stopping": view is not None})
        if method == "GET" and parts == ["state"]:
            return self._json(200, api.state(site))
        self._json(200, self._stored(method, parts, body))

    def _stored(self, method: str, parts: list[str], body: dict[str, Any]) -> Any:
        from qwenchat.store.history import open_store

        with open_store(self.server.site.settings) as store:
            if method == "GET" and parts == ["conversations"]:
                return api.conversations(store)
            if len(parts) >= 2 and parts[0] == "conversations" and parts[1].isdigit():
                number, action = int(parts[1]), parts[2:]
                if method == "GET" and not action:
                    return api.conversation(store, number)
                if method == "POST" and action == ["rename"]:
                    return api.rename(store, number, body)
                if method == "POST" and action == ["delete"]:
                    return api.delete(store, number)
        raise NotFound("no such request")

    def _chat(self, body: dict[str, Any]) -> None:
        site = self.server.site
        question = api.question(body, site.settings)
        self._head(200, "text/event-stream; charset=utf-8", None)
        view = SseView(self._write, site.settings.api_key)
        turn_id = secrets.token_hex(8)
        site.running[turn_id] = view
        try:
            view.send(type="start", turn=turn_id)
            answer_in_page(site, question, view)
        finally:
            site.running.pop(turn_id, None)
            view.done()
        self.close_connection = True

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _file(self, path: str) -> None:
        found = self.server.files.get(path)
        if found is None:
            return self._json(404, {"error": "not found"})
        self._head(200, found[1], len(found[0]))
        self.wfile.write(found[0])

    def _json(self, status: int, data: Any) -> None:
        key = self.server.site.settings.api_key
        raw = redact(json.dumps(data, ensure_ascii=False), key).encode()
        self._head(status, "application/json; charset=utf-8", len(raw))
        self.wfile.write(raw)

    def _head(self, status: int, content_type: str, length: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in SAFETY_HEADERS.items():
            self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()


def answer_in_page(site: api.Site, question: turns.PageQuestion, view: SseView) -> None:
    """One turn streamed to `view`, then where it was saved and the conversation's cost."""
    from qwenchat.store.history import open_store

    try:
        with open_store(site.settings) as store:
            try:
                outcome = turns.ask(site.settings, store, question, view)
            except errors.QwenchatError as exc:
                view.send(type="error", text=line_of(exc))
                return
            if outcome.error is not None and not isinstance(outcome.error, errors.Interrupted):
                view.send(type="error", text=line_of(outcome.error))
            total = None
            if outcome.conversation_id is not None:
                total = api.totals(store.records(outcome.conversation_id))
            view.send(type="saved", conversation=outcome.conversation_id, total=total)
    except errors.QwenchatError as exc:  # the store could not be opened
        view.send(type="error", text=line_of(exc))
    except Exception as exc:
        view.send(type="error", text=f"internal error: {type(exc).__name__}; please report it")


def line_of(exc: errors.QwenchatError) -> str:
    """The error's one line, as the terminal says it (its hint after a dash)."""
    from qwenchat.core.sanitize import sanitize

    text = exc.message + (f" — {exc.hint}" if exc.hint else "")
    return sanitize(" ".join(text.split()))


def run(site: api.Site, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve until Ctrl-C; `ready` is told the address to open (with the token)."""
    from qwenchat.store.history import open_store

    with open_store(site.settings):  # created or upgraded once, before requests open it at once
        pass
    server = PageServer(host, port, site)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
    try:
        ready(f"http://{shown}:{server.server_address[1]}/#token={server.gate.token}")
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop_turns()
        server.server_close()
