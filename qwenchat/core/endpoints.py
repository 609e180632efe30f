"""Base URL shapes: what a usable OpenAI-compatible endpoint looks like (pure).

The classic mistake is DashScope's native `/api/v1` where the SDK needs
`/compatible-mode/v1`; the other is pasting the full `/chat/completions` URL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

NATIVE_PATH = "/api/v1"
COMPATIBLE_PATH = "/compatible-mode/v1"
DASHSCOPE_HOST = "dashscope"


def is_dashscope(url: str) -> bool:
    return DASHSCOPE_HOST in (urlsplit(url).hostname or "")


def url_problem(url: str) -> tuple[str, str] | None:
    """(what is wrong, what to use instead) for a base URL that cannot work, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"base URL {url!r} is not an http(s) URL",
            "use something like https://dashscope.aliyuncs.com/compatible-mode/v1 "
            "or http://127.0.0.1:8000/v1",
        )
    path = parts.path.rstrip("/")
    if path.endswith("/chat/completions"):
        base = url.rstrip("/")[: -len("/chat/completions")]
        return (
            f"base URL {url!r} includes /chat/completions",
            f"give the base only: {base}",
        )
    if is_dashscope(url) and (path == NATIVE_PATH or path.startswith(NATIVE_PATH + "/")):
        fixed = f"{parts.scheme}://{parts.netloc}{COMPATIBLE_PATH}"
        return (
            f"base URL {url!r} is DashScope's native API, not the OpenAI-compatible one",
            f"use {fixed}",
        )
    return None
