"""Reading attachments at the edge: `-a PATH|URL|-` and `/attach` become core Attachments.

Only regular files are opened: a directory, a FIFO or a device is refused from `stat` alone,
so nothing ever blocks on a pipe that has no writer (and the file is opened non-blocking, in
case it was swapped for one in between). The size is checked before the bytes are read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from qwenchat.core.attachments import (
    MAX_DOCUMENT_BYTES,
    MAX_IMAGE_BYTES,
    MAX_TEXT_BYTES,
    Attachment,
    AttachmentError,
    from_bytes,
    from_url,
    is_url,
)
from qwenchat.core.confine import Policy, Refused
from qwenchat.tools.files import read_confined

ReadStdin = Callable[[], bytes | None]


def load_all(specs: Iterable[str], read_stdin: ReadStdin) -> tuple[Attachment, ...]:
    """Every attachment, in order; the first bad one raises AttachmentError (nothing is sent)."""
    return tuple(load(spec, read_stdin) for spec in specs)


def load(spec: str, read_stdin: ReadStdin) -> Attachment:
    if spec == "-":
        data = read_stdin()
        if data is None:
            raise AttachmentError("-a - reads the attachment from stdin, but nothing is piped")
        if len(data) > MAX_IMAGE_BYTES:
            raise AttachmentError(
                f"stdin is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB; nothing was sent"
            )
        return from_bytes("stdin", data)
    if is_url(spec):
        return from_url(spec)
    return from_bytes(display_name(spec), read_file(spec))


def load_confined(spec: str, policy: Policy, start: Path) -> Attachment:
    """An attachment someone else named (a batch line): an image URL, or a file the policy
    lets through, its relative path resolved from `start`."""
    if is_url(spec):
        return from_url(spec)
    try:
        _, data = read_confined(policy, spec, max(MAX_IMAGE_BYTES, MAX_TEXT_BYTES), start=start)
    except Refused as exc:
        raise AttachmentError(str(exc)) from None
    return from_bytes(display_name(spec), data)


def display_name(path: str) -> str:
    """The file's name as text (bytes that are not UTF-8 shown as �)."""
    name = os.path.basename(path.rstrip("/")) or path
    return os.fsencode(name).decode("utf-8", "replace")


def read_file(path: str) -> bytes:
    """A regular file's bytes, or AttachmentError naming what is wrong with the path."""
    shown = os.fsencode(path).decode("utf-8", "replace")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise AttachmentError(f"{shown}: no such file") from None
    except OSError as exc:
        raise AttachmentError(f"{shown}: {exc.strerror or 'cannot be read'}") from None
    if stat.S_ISDIR(info.st_mode):
        raise AttachmentError(f"{shown} is a directory; attach the files in it one by one")
    if not stat.S_ISREG(info.st_mode):
        raise AttachmentError(f"{shown} is not a regular file (a pipe or device); nothing read")
    if info.st_size > MAX_DOCUMENT_BYTES:
        raise AttachmentError(
            f"{shown} is {info.st_size / (1024 * 1024):.1f} MB; an attachment may be at most "
            f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB (a document for Qwen-Long), "
            f"{MAX_IMAGE_BYTES // (1024 * 1024)} MB (an image or text file)"
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise AttachmentError(f"{shown}: {exc.strerror or 'cannot be read'}") from None
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise AttachmentError(f"{shown} is not a regular file; nothing read")
        return file.read(MAX_DOCUMENT_BYTES + 1)
