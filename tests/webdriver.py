"""A small W3C WebDriver client for Debian's chromium and chromedriver (standard library only).

`Browser()` starts chromedriver on a free loopback port and a headless Chromium with a new
profile directory; its methods are the few WebDriver commands the page tests use. Chromium
is started without background networking (this machine has no network but the loopback).
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebDriverError(AssertionError):
    pass


class Browser:
    """One headless Chromium, driven over WebDriver."""

    def __init__(self, *, width: int = 1100, height: int = 800) -> None:
        self.profile = tempfile.mkdtemp(prefix="qwenchat-chromium-")
        port = _free_port()
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={port}", "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        self._wait_ready()
        options = {
            "binary": CHROMIUM,
            "args": [*FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}"],
        }
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/status", timeout=2) as answer:
                    if json.load(answer)["value"].get("ready"):
                        return
            except OSError:
                time.sleep(0.1)
        raise WebDriverError("chromedriver did not start")

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return json.load(answer)["value"]
        except urllib.error.HTTPError as exc:
            raise WebDriverError(exc.read().decode("utf-8", "replace")[:500]) from None

    def _session(self, method: str, path: str, body: Any = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def get(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        """Run `script` (a function body; `arguments` are `args`) in the page."""
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css: str) -> str:
        found = self._session("POST", "/element", {"using": "css selector", "value": css})
        return str(found[ELEMENT])

    def click(self, css: str) -> None:
        self._session("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        """Keys typed into the element (WebDriver key codes: Enter is \\ue007, Shift \\ue008)."""
        self._session("POST", f"/element/{self.find(css)}/value", {"text": text})

    def upload(self, css: str, path: str) -> None:
        self._session("POST", f"/element/{self.find(css)}/value", {"text": path})

    def text(self, css: str) -> str:
        return str(self.run("const e = document.querySelector(arguments[0]);"
                            "return e ? e.innerText : '';", css))  # fmt: skip

    def wait(self, check: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise WebDriverError(f"timed out waiting for {what or check}")
            time.sleep(0.05)

    def screenshot(self, path: str) -> None:
        data = self._session("GET", "/screenshot")
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def resize(self, width: int, height: int) -> None:
        self._session("POST", "/window/rect", {"width": width, "height": height})

    def cdp(self, command: str, **params: Any) -> Any:
        """A Chrome DevTools Protocol command, through chromedriver."""
        return self._session("POST", "/goog/cdp/execute", {"cmd": command, "params": params})

    def logs(self) -> list[dict[str, Any]]:
        return list(self._session("POST", "/se/log", {"type": "browser"}) or [])

    def close(self) -> None:
        with contextlib.suppress(OSError, WebDriverError):
            self._call("DELETE", f"/session/{self.session}")
        self.driver.terminate()
        try:
            self.driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.driver.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
