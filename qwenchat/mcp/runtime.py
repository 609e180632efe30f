"""Running MCP servers: one event loop on a background thread, one connection per server.

The SDK is asynchronous and qwenchat is not, so each server's connection lives in a task on a
private event loop (its `async with Client(...)` entered and left in that one task) and every
request is sent from the main thread with a timeout. A stdio server gets a clean environment
and writes its stderr to a log file; a server that does not start in time, crashes or hangs
fails that request with one `McpError` and the rest of qwenchat goes on. Every server is
stopped when qwenchat exits — normally, on Ctrl-C, or on SIGTERM (the servers first, then exit 143).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

from qwenchat.core.errors import QwenchatError
from qwenchat.mcp.config import ServerConfig

T = TypeVar("T")
STOP_GRACE = 8.0  # seconds all servers get to stop (the SDK: close stdin, SIGTERM, SIGKILL)
INSTALL_HINT = "install MCP support with: pip install 'qwenchat[mcp]'"


class McpError(QwenchatError):
    """An MCP server could not start, answer or finish a request (exit 1)."""


def require_sdk() -> None:
    """The SDK is an optional extra: say how to install it when it is missing."""
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise McpError("MCP support is not installed", hint=INSTALL_HINT) from None


@dataclass
class Connection:
    """One server: its connection once started, what state it is in, and how to stop it."""

    config: ServerConfig
    log_path: Path
    client: Any = None  # mcp.Client while running
    state: str = "stopped"
    stop: asyncio.Event | None = None
    holder: concurrent.futures.Future[None] | None = None

    @property
    def running(self) -> bool:
        return self.client is not None and self.holder is not None and not self.holder.done()


class Runtime:
    """The background loop and every connection made on it."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="mcp", daemon=True)
        self._thread.start()
        self.connections: dict[str, Connection] = {}
        self._closed = False

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def wait(self, coroutine: Coroutine[Any, Any, T], timeout: float, what: str) -> T:
        """Run `coroutine` on the loop and wait for it; cancelled on a timeout or Ctrl-C."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise McpError(f"{what}: no answer within {timeout:g} s") from None
        except BaseException:
            future.cancel()
            raise

    def connect(self, config: ServerConfig) -> Connection:
        """The server's connection, started (or started again after a crash) if need be."""
        known = self.connections.get(config.name)
        if known is not None and known.running:
            return known
        if config.command is not None:  # an unset ${VAR} is a ConfigError, raised here
            config.child_environment()
        else:
            config.real_url(), config.real_headers()
        self._log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        connection = Connection(config, self._log_dir / f"{config.name}.log")
        self.connections[config.name] = connection
        ready: concurrent.futures.Future[Any] = concurrent.futures.Future()
        connection.state = "starting"
        connection.holder = asyncio.run_coroutine_threadsafe(_hold(connection, ready), self._loop)
        try:
            connection.client = ready.result(config.startup_timeout)
        except concurrent.futures.TimeoutError:
            self.disconnect(config.name)
            connection.state = f"did not start within {config.startup_timeout:g} s"
            raise McpError(
                f"MCP server {config.name}: {connection.state}", hint=self.hint(connection)
            ) from None
        except McpError as exc:
            raise McpError(exc.message, hint=self.hint(connection)) from None
        except BaseException:
            self.disconnect(config.name)
            raise
        connection.state = "running"
        return connection

    def hint(self, connection: Connection) -> str:
        return f"its log: {connection.log_path}"

    def request(
        self, connection: Connection, call: Callable[[Any], Awaitable[T]], timeout: float, what: str
    ) -> T:
        """`call(client)` on a running connection, as one request with a timeout."""

        async def send() -> T:
            return await call(connection.client)

        try:
            return self.wait(send(), timeout, what)
        except McpError:
            raise
        except (Exception, asyncio.CancelledError) as exc:
            reason = _reason(exc)
            if "connection closed" in reason.lower() or not connection.running:
                # the server is gone (crashed or exited): the next request starts it again
                self.disconnect(connection.config.name, grace=2.0)
                connection.state = f"stopped: {reason}"
                raise McpError(f"{what}: the server stopped ({reason})") from None
            raise McpError(f"{what}: {reason}") from None

    def disconnect(self, name: str, grace: float = STOP_GRACE) -> None:
        """Stop one server and wait (up to `grace` seconds) until its process is gone."""
        connection = self.connections.get(name)
        if connection is None or connection.holder is None:
            return
        stop = connection.stop
        if stop is not None:
            self._loop.call_soon_threadsafe(stop.set)
        else:
            connection.holder.cancel()
        try:
            connection.holder.result(grace)
        except BaseException:  # a server that failed to stop cleanly: the SDK killed it
            connection.holder.cancel()
        connection.client = None
        if connection.state in ("running", "starting"):
            connection.state = "stopped"

    def close(self) -> None:
        """Stop every server, then the loop (at exit, and on SIGTERM)."""
        if self._closed:
            return
        self._closed = True
        for name in list(self.connections):
            self.disconnect(name)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(2.0)


async def _hold(connection: Connection, ready: concurrent.futures.Future[Any]) -> None:
    """Open the connection, hand the client over, and keep it open until told to stop."""
    from mcp import Client

    config = connection.config
    connection.stop = asyncio.Event()
    try:
        with open(connection.log_path, "a", encoding="utf-8", errors="replace") as log:
            async with Client(
                _transport(config, log), read_timeout_seconds=config.timeout
            ) as client:
                ready.set_result(client)
                await connection.stop.wait()
    except BaseException as exc:
        reason = _reason(exc)
        connection.state = f"failed: {reason}" if not ready.done() else f"stopped: {reason}"
        connection.client = None
        if not ready.done():
            ready.set_exception(McpError(f"MCP server {config.name} did not start: {reason}"))
        if not isinstance(exc, Exception):
            raise


def _transport(config: ServerConfig, log: TextIO) -> Any:
    if config.command is not None:
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        params = StdioServerParameters(
            command=config.command, args=list(config.args), env=config.child_environment(),
            cwd=config.cwd,
        )  # fmt: skip
        return stdio_client(params, errlog=log)
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    http = httpx2.AsyncClient(
        headers=config.real_headers(), follow_redirects=True,
        timeout=httpx2.Timeout(30.0, read=config.timeout),
    )  # fmt: skip
    return streamable_http_client(config.real_url(), http_client=http)


def _reason(exc: BaseException) -> str:
    """One line for what went wrong, from an exception or an exception group."""
    while getattr(exc, "exceptions", None):  # an exception group: its first member
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    if isinstance(exc, asyncio.CancelledError):
        return "stopped"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_RUNTIME: Runtime | None = None


def runtime(log_dir: Path) -> Runtime:
    """The one runtime of this process, stopped at exit (also on SIGTERM)."""
    global _RUNTIME
    if _RUNTIME is None:
        require_sdk()
        _RUNTIME = Runtime(log_dir)
        atexit.register(_RUNTIME.close)
        _exit_on_sigterm()
    return _RUNTIME


def _exit_on_sigterm() -> None:
    """SIGTERM stops every server, then ends qwenchat with 143 (as the default action would,
    but with no server left running). Nothing can catch it on the way, a tool included."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:

        def stop(signum: int, frame: object) -> None:
            if _RUNTIME is not None:
                _RUNTIME.close()
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(128 + signum)

        signal.signal(signal.SIGTERM, stop)
