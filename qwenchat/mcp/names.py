"""The names MCP tools are offered under: `server__tool`, in a form DashScope accepts.

A function name may hold letters, digits, `_` and `-`, at most 64 characters, and must not be
one DashScope keeps for itself (`search`, its built-in tools) or one qwenchat already offers.
Anything else in a server's tool name becomes `_`; a name cut to fit, or one that would clash,
ends in a short hash of the original so two tools never share a name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MAX_NAME = 64
NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]")
# names DashScope's own tools answer to; a function with one of them is refused or shadowed
RESERVED = frozenset({"search", "web_search", "code_interpreter", "web_extractor", "image_search"})


def tool_name(server: str, tool: str, taken: Iterable[str] = ()) -> str:
    """The name `server`'s `tool` is offered under, different from every name in `taken`."""
    used = set(taken) | RESERVED
    base = NOT_ALLOWED.sub("_", f"{server}__{tool}")
    if base not in used and len(base) <= MAX_NAME and base == f"{server}__{tool}":
        return base
    digest = hashlib.sha256(f"{server}\0{tool}".encode()).hexdigest()
    for width in range(6, 17, 2):
        suffix = f"_{digest[:width]}"
        name = base[: MAX_NAME - len(suffix)] + suffix
        if name not in used:
            return name
    raise ValueError(f"no free name for {server}/{tool}")  # 16 hex digits all taken: not reached
