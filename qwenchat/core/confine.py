"""One confinement policy for every local file read on the model's behalf: the pure rules.

A file the model (or a batch line, a web upload, an MCP resource) names is read only when it
resolves inside the policy's root and none of these refuses it, each with the same reason
wherever the path came from: it leads out of the root (`..`, an absolute path, a symlink),
it lies in a hidden directory, it is an environment or credentials file, it is qwenchat's own
configuration or data, it has other names (hard links), or it holds the API key — as it is,
base64-encoded (standard or URL-safe, wrapped or not), JSON- or backslash-escaped, or split
over lines. The I/O (resolving, `stat`, reading) is `tools/files.py`'s; this module only judges.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path, PurePath

from qwenchat.core.settings import NO_KEY_PLACEHOLDER, Settings

CREDENTIAL_FILES = frozenset({".netrc", ".pgpass", ".git-credentials", ".npmrc", ".pypirc"})

OUTSIDE = "is outside {root}; only paths inside it are read"
OWN_FILES = "it is qwenchat's own configuration or data (it may hold the key and history)"
HIDDEN = "it is inside the hidden directory {name} (hidden directories often hold keys)"
ENV_FILE = "it is an environment file or a credentials file (it may hold keys)"
HARD_LINKS = "it has {links} hard links (another of its names could be a refused file)"
HOLDS_KEY = "it contains the API key"

# `\u0073` and `\x73` spell printable ASCII, all a key is made of; other escapes (`\"`, `\/`,
# a `\` before a newline) leave the key's characters as they are, and the joiners drop the `\`.
_ESCAPE = re.compile(rb"\\(?:u00([2-7][0-9a-fA-F])|x([2-7][0-9a-fA-F]))")
_JOINERS = " \t\r\n\f\v\"'+\\,"  # what may sit between the pieces of a key split over lines
_SPACES = b" \t\r\n\f\v"


class Refused(ValueError):
    """A path the policy will not read, with the reason."""


@dataclass(frozen=True)
class Policy:
    """Where reads are confined, how that place is named, and what is never read."""

    root: Path
    private_dirs: tuple[Path, ...] = ()  # qwenchat's config and data directories
    secret: str | None = None  # a file holding this, in any of its spellings, is refused
    root_name: str = "the working directory"  # how refusals name the root


def policy_for(settings: Settings, root: Path, root_name: str = "the working directory") -> Policy:
    """Reads confined to `root`, never of qwenchat's own directories or a file holding the key."""
    key = settings.api_key if settings.api_key != NO_KEY_PLACEHOLDER else None
    private = (settings.config_path.parent, settings.data_dir)
    return Policy(root, private_dirs=private, secret=key, root_name=root_name)


def nul_refusal(path: str) -> str | None:
    return "the path contains a NUL character" if "\x00" in path else None


def outside(root_name: str) -> str:
    return OUTSIDE.format(root=root_name)


def place_refusal(
    relative: PurePath, is_dir: bool, private: bool, links: int, is_file: bool
) -> str | None:
    """Why a path already inside the root is refused for where it is or what it is named."""
    if private:
        return OWN_FILES
    folders = relative.parts if is_dir else relative.parts[:-1]
    hidden = next((p for p in folders if p.startswith(".") and p not in (".", "..")), None)
    if hidden is not None:
        return HIDDEN.format(name=hidden)
    name = relative.name.lower()
    if not is_dir and (name.startswith(".env") or name in CREDENTIAL_FILES):
        return ENV_FILE
    if is_file and links > 1:
        return HARD_LINKS.format(links=links)
    return None


def key_refusal(data: bytes, secret: str | None) -> str | None:
    """HOLDS_KEY when `data` holds `secret` in any spelling this module knows, else None.

    Bytes throughout (`bytes.translate` deletes in one pass): a 10 MiB image takes a fraction
    of a second.
    """
    if not secret:
        return None
    key = secret.encode()
    if key in data:
        return HOLDS_KEY
    unescaped = _unescape(data) if b"\\" in data else data
    joiners = bytes(c for c in _JOINERS.encode() if c not in key)
    if key in unescaped or key in unescaped.translate(None, joiners):
        return HOLDS_KEY
    unwrapped = unescaped.translate(None, _SPACES)  # base64 wrapped at 64 or 76 columns
    if any(form in unwrapped for form in encoded_forms(secret)):
        return HOLDS_KEY
    return None


def encoded_forms(secret: str) -> tuple[bytes, ...]:
    """The base64 text every encoding of `secret` contains, whatever bytes come before it.

    For each of the three alignments, the characters that depend on the key's bytes alone
    (standard and URL-safe alphabets).
    """
    raw = secret.encode()
    forms: list[str] = []
    for offset in range(3):
        encoded = base64.b64encode(b"\x00" * offset + raw).decode()
        start = -(-offset * 8 // 6)  # the first character made of key bits only
        end = (offset + len(raw)) * 8 // 6  # past it the following bytes change the character
        piece = encoded[start:end]
        if len(piece) >= 8:
            forms += [piece, piece.replace("+", "-").replace("/", "_")]
    return tuple(f.encode() for f in dict.fromkeys(forms))


def _unescape(data: bytes) -> bytes:
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1) or m.group(2), 16)]), data)
