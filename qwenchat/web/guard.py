"""Who may use the page's server: the checks every request passes before it is answered.

Pure rules, no I/O. A request is answered only when its `Host` names this server (a page on
another name that resolves to 127.0.0.1 — DNS rebinding — is refused), its `Origin`, when a
browser sends one, is this server (another site's page is refused), a browser does not call it
cross-site (`Sec-Fetch-Site`), and, for the API, it carries the per-launch token
(`Authorization: Bearer …`, compared in constant time). Bodies are JSON only and bounded.
No CORS header is ever sent, so no other origin can read an answer.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_BODY = 24 * 1024 * 1024  # a 10 MB image, base64-encoded, with room to spare
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def new_token() -> str:
    """A fresh secret for one launch (256 bits)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Refusal:
    """Why a request is not answered: its HTTP status and one line."""

    status: int
    reason: str


@dataclass(frozen=True)
class Gate:
    """The checks for a server on `host`:`port` with `token`."""

    token: str
    host: str
    port: int

    @property
    def hosts(self) -> frozenset[str]:
        """The `Host` values this server answers to."""
        names = {*LOOPBACK_NAMES, _bracketed(self.host)}
        if self.host in ("0.0.0.0", "::"):  # bound everywhere: still only these names
            names.discard(_bracketed(self.host))
        return frozenset(f"{name}:{self.port}" for name in names)

    def site(self, host: str | None, origin: str | None, fetch_site: str | None) -> Refusal | None:
        """The checks every request passes, the page's files included."""
        if host is None or host.lower() not in self.hosts:
            return Refusal(403, "this server answers only to its own address")
        if origin is not None and not self._own_origin(origin):
            return Refusal(403, "requests from other sites are refused")
        if fetch_site is not None and fetch_site.lower() == "cross-site":
            return Refusal(403, "requests from other sites are refused")
        return None

    def api(self, authorization: str | None) -> Refusal | None:
        """The token every API request carries."""
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8", "replace"), self.token.encode()
        ):
            return Refusal(401, "the token is missing or wrong: open the address serve printed")
        return None

    def _own_origin(self, origin: str) -> bool:
        parts = urlsplit(origin.lower())
        return parts.scheme == "http" and parts.netloc in self.hosts and not parts.path


def body_refusal(content_type: str | None, length: str | None) -> Refusal | None:
    """A POST body must be JSON and of a stated, bounded length."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return Refusal(415, "the body must be JSON (Content-Type: application/json)")
    try:
        size = int(length or "")
    except ValueError:
        return Refusal(411, "the body's length must be given")
    if size < 0:
        return Refusal(400, "the body's length is not valid")
    if size > MAX_BODY:
        return Refusal(413, f"the body is over {MAX_BODY // (1024 * 1024)} MB")
    return None


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
