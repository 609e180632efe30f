"""Secrets kept out of text a user sees: the API key (whole or any 12+-character piece of it)
and the password in a URL's `user:password@`.

A server may quote the key back (in a request id, an error message, a Batch-service error); a
base URL may carry credentials. Every error built from outside text passes `redact` with the key
in use, so a 20-character prefix is masked as surely as the whole key.
"""

from __future__ import annotations

import re

__all__ = ["PIECE", "redact", "redact_url"]

PIECE = 12  # the shortest run of the key that counts as quoting it
MASK = "[key]"

_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@\s:]*):[^/@\s]*@")


def redact_url(text: str) -> str:
    """`scheme://user:password@host` → `scheme://user:***@host`, anywhere in `text`."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


def redact(text: str, key: str | None) -> str:
    """`text` with every run of `PIECE` or more characters of `key` masked, and URL passwords."""
    text = redact_url(text)
    if not key or len(key) < PIECE or not text:
        return text
    covered = bytearray(len(text))
    for start in range(len(key) - PIECE + 1):
        window = key[start : start + PIECE]
        found = text.find(window)
        while found != -1:
            covered[found : found + PIECE] = b"\x01" * PIECE
            found = text.find(window, found + 1)
    if not any(covered):
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        if covered[index]:
            while index < len(text) and covered[index]:
                index += 1
            out.append(MASK)
        else:
            out.append(text[index])
            index += 1
    return "".join(out)
