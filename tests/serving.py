"""The real `qwenchat serve` in a subprocess, and a raw HTTP client for it (standard library).

`Served(env)` starts the command on a free port, reads the address it prints (with the
token), and `stop()` sends it Ctrl-C (SIGINT) and returns its exit code and stderr.
`request` sets any header, `Host` and `Origin` included, as an attacker's page could not.
"""

from __future__ import annotations

import http.client
import json
import select
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def frames(self) -> list[Any]:
        """The SSE frames' data, parsed (`[DONE]` kept as the string)."""
        found: list[Any] = []
        for block in self.body.decode().split("\n\n"):
            for line in block.splitlines():
                if line.startswith("data: "):
                    data = line[6:]
                    found.append(data if data == "[DONE]" else json.loads(data))
        return found


class Served:
    def __init__(self, env: Mapping[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qwenchat", "serve", "--port", "0", *args],
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.printed = self._address_line()
        self.url = self.printed.split("open ", 1)[1].split()[0]
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname or "", parts.port or 0
        self.token = parts.fragment.removeprefix("token=")
        self.origin = f"http://{parts.netloc}"
        self.seen: list[bytes] = []  # every answer's head and body, to look for the key in

    def _address_line(self) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 30
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if b"open http" in line:
                    return line.decode()
            if self.proc.poll() is not None:
                break
        err = self.proc.stderr.read().decode() if self.proc.stderr else ""
        raise AssertionError(f"serve did not print its address: {line!r} {err}")

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = "",
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
        timeout: float = 60,
    ) -> Answer:
        """One request; `token=""` uses the launch's token, None sends none."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        sent = {"Host": f"{self.host}:{self.port}"}
        if token is not None:
            sent["Authorization"] = f"Bearer {token or self.token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            if data is not None and "Content-Length" not in sent:
                connection.putheader("Content-Length", str(len(data)))
            connection.endheaders(data)
            response = connection.getresponse()
            answer = Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()
        self.seen.append(json.dumps(answer.headers).encode() + answer.body)
        return answer

    def chat(self, **body: Any) -> Answer:
        return self.request("POST", "/api/chat", body)

    def stop(self) -> tuple[int, str]:
        """Ctrl-C; the exit code and what it said on stderr."""
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            raise AssertionError("serve did not stop on Ctrl-C") from None
        return self.proc.returncode, err.decode("utf-8", "replace")

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
