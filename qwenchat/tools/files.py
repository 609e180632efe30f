"""Read-only file tools confined to one directory (the current directory when qwenchat started).

Every path is resolved, symlinks included, and must stay inside the root: `..`, absolute
paths and symlinks that lead out are refused. So is what may hold secrets, each with the
reason in the result: `.env*` and `.envrc` files (any case) and a few credential files,
anything inside a hidden directory (`.ssh`, `.aws`, `.config`…), qwenchat's own config and
data directories, a file with more than one hard link (it could be a refused file under
another name), and any file that contains the API key. Reads are capped; only UTF-8 text is
returned. Names that are not UTF-8 are listed with their bytes escaped.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_READ_BYTES = 64 * 1024
MAX_ENTRIES = 500
CREDENTIAL_FILES = frozenset({".netrc", ".pgpass", ".git-credentials", ".npmrc", ".pypirc"})


@dataclass(frozen=True)
class Guard:
    """What the file tools refuse beyond the root: qwenchat's own directories and the key."""

    private_dirs: tuple[Path, ...] = ()  # the config and data directories
    secret: str | None = None  # a file containing this is never returned


class FileToolError(ValueError):
    """A path the file tools will not touch, or a file they cannot read as text."""


def confine(root: Path, path: str) -> Path:
    """`path` resolved under `root`, or FileToolError when it is missing or leads out."""
    if "\x00" in path:
        raise FileToolError("the path contains a NUL character")
    base = root.resolve()
    try:
        target = (base / (path.strip() or ".")).resolve(strict=True)
    except FileNotFoundError:
        raise FileToolError(f"no such file or directory: {path!r}") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a permission problem
        raise FileToolError(f"cannot resolve {path!r}: {exc}") from None
    if target != base and not target.is_relative_to(base):
        raise FileToolError(f"{path!r} is outside the working directory; only paths inside it")
    return target


def refusal(root: Path, target: Path, guard: Guard) -> str | None:
    """Why the file tools will not touch `target` (resolved, inside `root`), or None."""
    if any(target == d or target.is_relative_to(d) for d in _resolved(guard.private_dirs)):
        return "it is qwenchat's own configuration or data (it may hold the key and history)"
    parts = target.relative_to(root.resolve()).parts
    folders = parts if target.is_dir() else parts[:-1]
    hidden = next((p for p in folders if p.startswith(".")), None)
    if hidden is not None:
        return f"it is inside the hidden directory {hidden} (hidden directories often hold keys)"
    name = target.name.lower()
    if not target.is_dir() and (name.startswith(".env") or name in CREDENTIAL_FILES):
        return "it is an environment file or a credentials file (it may hold keys)"
    links = target.stat().st_nlink
    if target.is_file() and links > 1:
        return f"it has {links} hard links (another of its names could be a refused file)"
    return None


def _resolved(paths: tuple[Path, ...]) -> list[Path]:
    return [p.resolve() for p in paths]


def _guarded(root: Path, path: str, guard: Guard) -> Path:
    target = confine(root, path)
    reason = refusal(root, target, guard)
    if reason is not None:
        raise FileToolError(f"{path!r} is not read: {reason}")
    return target


def read_text_file(root: Path, path: str, guard: Guard | None = None) -> str:
    """The UTF-8 text of a file under `root`, cut at MAX_READ_BYTES with a note."""
    guard = guard or Guard()
    target = _guarded(root, path, guard)
    if not target.is_file():
        raise FileToolError(f"{path!r} is not a regular file")
    secret = (guard.secret or "").encode()
    with target.open("rb") as handle:
        data = handle.read(MAX_READ_BYTES + 1 + len(secret))
    if secret and secret in data:
        raise FileToolError(f"{path!r} is not read: it contains the API key")
    data = data[: MAX_READ_BYTES + 1]
    truncated = len(data) > MAX_READ_BYTES
    data = data[:MAX_READ_BYTES]
    if b"\x00" in data:
        raise FileToolError(f"{path!r} looks binary (it contains NUL bytes)")
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(data, final=not truncated)
    except UnicodeDecodeError as exc:
        raise FileToolError(f"{path!r} is not UTF-8 text (invalid byte at {exc.start})") from None
    if truncated:
        size = target.stat().st_size
        text += f"\n[truncated: the file has {size:,} bytes; the first {MAX_READ_BYTES:,} shown]"
    return text


def list_directory(root: Path, path: str, guard: Guard | None = None) -> str:
    """One entry per line: `name/` for directories, `name@` for symlinks, else name and size."""
    target = _guarded(root, path, guard or Guard())
    if not target.is_dir():
        raise FileToolError(f"{path!r} is not a directory")
    entries = sorted(target.iterdir(), key=lambda p: p.name)
    lines: list[str] = []
    for entry in entries[:MAX_ENTRIES]:
        name = shown_name(entry.name)
        try:
            info = entry.lstat()
        except OSError:  # gone since it was listed
            continue
        if stat.S_ISLNK(info.st_mode):
            lines.append(f"{name}@")
        elif stat.S_ISDIR(info.st_mode):
            lines.append(f"{name}/")
        else:
            lines.append(f"{name}  ({info.st_size:,} bytes)")
    if len(entries) > MAX_ENTRIES:
        lines.append(f"[{len(entries) - MAX_ENTRIES:,} more entries not shown]")
    return "\n".join(lines) if lines else "(empty directory)"


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 become `\\xNN` escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")
