"""Read-only file tools confined to one directory (the current directory when qwenchat started).

Every path is resolved, symlinks included, and must stay inside the root: `..`, absolute
paths and symlinks that lead out are refused. `.env` files are refused too, because they
hold API keys. Reads are capped; only UTF-8 text is returned.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

MAX_READ_BYTES = 64 * 1024
MAX_ENTRIES = 500


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


def read_text_file(root: Path, path: str) -> str:
    """The UTF-8 text of a file under `root`, cut at MAX_READ_BYTES with a note."""
    target = confine(root, path)
    if not target.is_file():
        raise FileToolError(f"{path!r} is not a regular file")
    if target.name == ".env" or target.name.startswith(".env."):
        raise FileToolError(f"{path!r} is an environment file (it may hold keys); not read")
    with target.open("rb") as handle:
        data = handle.read(MAX_READ_BYTES + 1)
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


def list_directory(root: Path, path: str) -> str:
    """One entry per line: `name/` for directories, `name@` for symlinks, else name and size."""
    target = confine(root, path)
    if not target.is_dir():
        raise FileToolError(f"{path!r} is not a directory")
    entries = sorted(target.iterdir(), key=lambda p: p.name)
    lines: list[str] = []
    for entry in entries[:MAX_ENTRIES]:
        mode = entry.lstat().st_mode
        if stat.S_ISLNK(mode):
            lines.append(f"{entry.name}@")
        elif stat.S_ISDIR(mode):
            lines.append(f"{entry.name}/")
        else:
            lines.append(f"{entry.name}  ({entry.lstat().st_size:,} bytes)")
    if len(entries) > MAX_ENTRIES:
        lines.append(f"[{len(entries) - MAX_ENTRIES:,} more entries not shown]")
    return "\n".join(lines) if lines else "(empty directory)"
