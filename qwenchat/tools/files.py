"""Reading files on the model's behalf: the I/O half of the one confinement policy.

`core/confine.py` holds the rules and the reasons; this module resolves a path (symlinks
included), looks at the file with `stat` and reads it, asking the policy at each step. The
file tools, batch attachments and every later path that reads a file someone else named go
through `confined_path` and `read_confined`, so the same file is refused with the same reason
wherever the name came from. Reads are capped; the file tools return only UTF-8 text, and
names that are not UTF-8 are listed with their bytes escaped.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from qwenchat.core.confine import Policy, Refused, key_refusal, nul_refusal, outside, place_refusal

MAX_READ_BYTES = 64 * 1024
MAX_ENTRIES = 500


class FileToolError(Refused):
    """A path the file tools will not touch, or a file they cannot read as text."""


def confine(
    policy: Policy, path: str, error: type[Refused] = FileToolError, start: Path | None = None
) -> Path:
    """`path` resolved from `start` (the root when None), or `error` when missing or outside."""
    if reason := nul_refusal(path):
        raise error(reason)
    base = policy.root.resolve()
    named = (start or base) / (path.strip() or ".")
    try:
        # Outside is said before missing: whether a file exists out there is not told.
        target = named.resolve(strict=False)
        if target != base and not target.is_relative_to(base):
            raise error(f"{path!r} {outside(policy.root_name)}")
        target = named.resolve(strict=True)
    except FileNotFoundError:
        raise error(f"no such file or directory: {path!r}") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a permission problem
        raise error(f"cannot resolve {path!r}: {exc}") from None
    return target


def refusal(policy: Policy, target: Path) -> str | None:
    """Why the policy will not read `target` (resolved, inside the root), or None."""
    private = any(target == d or target.is_relative_to(d) for d in _resolved(policy))
    try:
        info = target.stat()
    except OSError as exc:
        return f"it cannot be looked at ({exc.strerror or exc})"
    is_dir = stat.S_ISDIR(info.st_mode)
    relative = target.relative_to(policy.root.resolve())
    return place_refusal(relative, is_dir, private, info.st_nlink, stat.S_ISREG(info.st_mode))


def _resolved(policy: Policy) -> list[Path]:
    return [p.resolve() for p in policy.private_dirs]


def confined_path(
    policy: Policy, path: str, error: type[Refused] = FileToolError, start: Path | None = None
) -> Path:
    """The resolved path, once the policy has nothing against its place or its name."""
    target = confine(policy, path, error, start)
    reason = refusal(policy, target)
    if reason is not None:
        raise error(f"{path!r} is not read: {reason}")
    return target


def read_confined(
    policy: Policy,
    path: str,
    limit: int,
    error: type[Refused] = FileToolError,
    start: Path | None = None,
) -> tuple[Path, bytes]:
    """Up to `limit` + 1 bytes of a regular file the policy lets through (never one with the key).

    A relative `path` is resolved from `start` (a batch input's folder), else from the root.
    """
    target = confined_path(policy, path, error, start)
    if not target.is_file():
        raise error(f"{path!r} is not a regular file")
    margin = 2 * len(policy.secret or "") + 16  # an encoded key crossing the cap is still seen
    try:
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise error(f"{path!r}: {exc.strerror or 'cannot be read'}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise error(f"{path!r} is not a regular file")
        data = handle.read(limit + 1 + margin)
    if reason := key_refusal(data, policy.secret):
        raise error(f"{path!r} is not read: {reason}")
    return target, data[: limit + 1]


def read_text_file(policy: Policy, path: str) -> str:
    """The UTF-8 text of a file under the policy's root, cut at MAX_READ_BYTES with a note."""
    target, data = read_confined(policy, path, MAX_READ_BYTES)
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


def list_directory(policy: Policy, path: str) -> str:
    """One entry per line: `name/` for directories, `name@` for symlinks, else name and size."""
    target = confined_path(policy, path)
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
