"""Where records go: an output file that survives Ctrl-C and resumes, or stdout in input order.

The file is created with mode 0600 (it holds conversations). Each finished record is appended
and flushed at once, so an interrupted run leaves valid JSONL; a re-run reads it back and skips
the ids that finished without error. When every id is done the file is rewritten, through a
temporary file (created exclusively, with an unpredictable name, in the same directory) and a
rename, in input order with one line per id. Only a regular file is rewritten: `-` (stdout),
a FIFO or a device is written in input order as records finish, and never renamed over.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol, TextIO

from qwenchat.core.batch_records import Record, parse_record
from qwenchat.core.errors import QwenchatError, UsageError

PRIVATE = 0o600


class WriteError(QwenchatError):
    """The output cannot take another record (disk full, file too large): exit 1."""


@contextlib.contextmanager
def writing(where: object, written: int) -> Iterator[None]:
    """An OSError while writing records becomes one line that says what was kept."""
    try:
        yield
    except OSError as exc:
        raise WriteError(
            f"cannot write {where}: {exc.strerror or exc}; stopped, the {written:,} results "
            "written before are kept (run again to resume)"
        ) from None


class Sink(Protocol):
    """Takes finished records in any order."""

    def write(self, record: Record) -> None: ...

    def close(self, *, complete: bool) -> None: ...


def read_previous(path: Path) -> dict[str, Record]:
    """The records of an earlier run (the last one per id), or {} when there is no file.

    A final line cut short by a crash is dropped (and truncated away before appending);
    any other line that is not a record means the file is not ours: refuse to touch it.
    """
    if not rewritable(path):  # stdout, a FIFO, a device: nothing to resume from
        return {}
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    complete, _, _tail = data.rpartition(b"\n")
    records: dict[str, Record] = {}
    for number, raw in enumerate(complete.split(b"\n") if complete else [], 1):
        record = parse_record(raw.decode("utf-8", "replace")) if raw.strip() else None
        if record is None and raw.strip():
            raise UsageError(
                f"{path} is not a qwenchat batch output (line {number} is not a result); "
                "choose another --output"
            )
        if record is not None and (record.id not in records or not records[record.id].ok):
            records[record.id] = record
    return records


def rewritable(path: Path) -> bool:
    """A regular file, or nothing yet: the output may be appended to and rewritten in place."""
    if str(path) == "-":
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True
    except OSError as exc:
        raise UsageError(f"cannot use {path}: {exc.strerror}") from None


def open_private(path: Path, flags: int) -> TextIO:
    """Open for writing; a new file gets mode 0600."""
    try:
        fd = os.open(path, flags | os.O_WRONLY | os.O_CREAT, PRIVATE)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


class FileSink:
    """Appends each record as it finishes; rewrites the whole file in order at the end.

    Records are not kept in memory: the final rewrite reads the file back. A fresh run's
    records finish roughly in input order, so putting them in order holds only the few that
    came early; a resumed run (whose file also holds earlier attempts) reads all of it.
    """

    def __init__(self, path: Path, *, order: Sequence[str], previous: dict[str, Record]) -> None:
        self.path = path
        self.order = order
        self.resumed = bool(previous)
        _drop_partial_line(path)
        self._file = open_private(path, os.O_APPEND)
        self._written = 0

    def write(self, record: Record) -> None:
        with writing(self.path, self._written):
            self._file.write(record.to_line())
            self._file.flush()
        self._written += 1

    def close(self, *, complete: bool) -> None:
        if not complete:
            with contextlib.suppress(OSError):  # a full disk: what was flushed stays
                self._file.close()
            return
        with writing(self.path, self._written):
            self._file.close()
        if self.resumed:
            records = ordered(read_previous(self.path), self.order)
            rewrite(self.path, (record.to_line() for record in records))
        else:
            rewrite(self.path, in_order(self.path, self.order))


class StreamSink:
    """Writes to a stream in input order, holding records that finish early."""

    def __init__(self, stream: TextIO, *, order: Sequence[str]) -> None:
        self.stream = stream
        self.order = order
        self._next = 0
        self._held: dict[str, Record] = {}

    def write(self, record: Record) -> None:
        self._held[record.id] = record
        while self._next < len(self.order) and self.order[self._next] in self._held:
            self._emit(self._held.pop(self.order[self._next]))
            self._next += 1

    def close(self, *, complete: bool) -> None:
        for item_id in self.order[self._next :]:  # interrupted: still print what finished
            if item_id in self._held:
                self._emit(self._held.pop(item_id))

    def _emit(self, record: Record) -> None:
        with writing(getattr(self.stream, "name", "the output"), self._next):
            self.stream.write(record.to_line())
            self.stream.flush()


class DeviceSink(StreamSink):
    """A FIFO or a device given as --output: written in input order, never renamed over."""

    def __init__(self, path: Path, *, order: Sequence[str]) -> None:
        try:
            fd = os.open(path, os.O_WRONLY)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from None
        super().__init__(os.fdopen(fd, "w", encoding="utf-8", newline="\n"), order=order)

    def close(self, *, complete: bool) -> None:
        try:
            super().close(complete=complete)
        finally:
            with contextlib.suppress(OSError):
                self.stream.close()


def ordered(records: dict[str, Record], order: Sequence[str]) -> list[Record]:
    """Input order first; ids the input no longer has keep their place at the end."""
    known = set(order)
    return [records[i] for i in order if i in records] + [
        r for i, r in records.items() if i not in known
    ]


def in_order(path: Path, order: Sequence[str]) -> Iterator[str]:
    """The file's lines in input order, holding only those that came before their turn."""
    held: dict[str, str] = {}
    position = 0
    with path.open(encoding="utf-8", errors="replace", newline="\n") as handle:
        for line in handle:  # lines end at "\n" only
            record = parse_record(line) if line.strip() else None
            if record is None:
                continue
            held[record.id] = line
            while position < len(order) and order[position] in held:
                yield held.pop(order[position])
                position += 1
    for item_id in itertools.islice(order, position, None):
        if item_id in held:
            yield held.pop(item_id)
    yield from held.values()


def rewrite(path: Path, lines: Iterable[str]) -> None:
    """Replace the file atomically: a reader sees the old file or the new one, never half.

    Only a regular file is replaced. The temporary file is made by `mkstemp` (O_EXCL, mode
    0600, a random name), so nothing planted at a guessable name is followed.
    """
    if not rewritable(path):
        return
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"cannot write next to {path}: {exc.strerror}") from None
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(lines)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        raise WriteError(
            f"cannot put {path} in input order: {exc.strerror or exc}; every result is in it, "
            "in the order they finished"
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _drop_partial_line(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError), path.open("rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            handle.truncate(data.rfind(b"\n") + 1)
