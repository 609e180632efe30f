"""A batch input that streams: read again for each pass, so a long input is never held whole.

A regular file is read line by line (split on "\n" only) each time it is needed: once to check
every line, once to check every request, once to send. Only the ids stay in memory, for the
order of the output. Stdin, a pipe or a FIFO cannot be read twice, so its text is kept.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from qwenchat.batch.inputs import Format, Item, checked_items, pick_format
from qwenchat.batch.plan import Defaults, Job, plan_job
from qwenchat.core.batch_records import Record
from qwenchat.core.errors import UsageError
from qwenchat.render.terminal import Terminal


class InputSource:
    """The lines of `path`, or of piped stdin for `-`, as often as they are asked for."""

    def __init__(self, source: str, terminal: Terminal) -> None:
        self.name = "stdin" if source == "-" else source
        self._path: Path | None = None
        self._text: str | None = None
        if source == "-":
            self._text = terminal.read_piped()
            if self._text is None:
                raise UsageError("no input on stdin: pipe prompts in, or give a file")
        elif _regular(Path(source), self.name):
            self._path = Path(source)
        else:  # a pipe: read it once
            self._text = "\n".join(_file_lines(Path(source), self.name))

    def lines(self) -> Iterator[str]:
        """Every line, without its "\n"; a byte-order mark at the start is dropped."""
        if self._path is not None:
            return _file_lines(self._path, self.name)
        return _text_lines(self._text or "")


@dataclass(frozen=True)
class Scanned:
    """What the checking pass keeps: the format, the ids in input order, the ids still to do."""

    fmt: Literal["text", "jsonl"]
    order: list[str]
    pending: list[str]


def scan(source: InputSource, fmt: Format, previous: Mapping[str, Record]) -> Scanned:
    """Check every line (UsageError naming the bad ones); keep only the ids."""
    chosen = pick_format(fmt, source.name, source.lines())
    order: list[str] = []
    pending: list[str] = []
    for item in checked_items(source.lines(), name=source.name, fmt=chosen):
        order.append(item.id)
        if previous and not _done(item.id, previous):
            pending.append(item.id)
    return Scanned(chosen, order, pending if previous else order)


def pending_items(
    source: InputSource, scanned: Scanned, previous: Mapping[str, Record]
) -> Iterator[Item]:
    """The items not yet answered without error, read again from the source."""
    for item in checked_items(source.lines(), name=source.name, fmt=scanned.fmt):
        if not _done(item.id, previous):
            yield item


class Jobs(Collection[Job]):
    """The requests to send, made one by one as they are taken (a new pass each iteration)."""

    def __init__(self, make: Callable[[], Iterator[Job]], count: int) -> None:
        self._make = make
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Job]:
        return self._make()

    def __contains__(self, job: object) -> bool:
        return any(j == job for j in self)


def lazy_jobs(
    source: InputSource,
    scanned: Scanned,
    previous: Mapping[str, Record],
    defaults: Defaults,
    *,
    remote: bool,
) -> Jobs:
    def make() -> Iterator[Job]:
        for item in pending_items(source, scanned, previous):
            yield plan_job(item, defaults, remote=remote)[0]

    return Jobs(make, len(scanned.pending))


def _done(item_id: str, previous: Mapping[str, Record]) -> bool:
    record = previous.get(item_id)
    return record is not None and record.ok


def _regular(path: Path, name: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None


def _text_lines(text: str) -> Iterator[str]:
    """`text.split("\n")` one line at a time."""
    start = 1 if text.startswith("\ufeff") else 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _file_lines(path: Path, name: str) -> Iterator[str]:
    """The file's lines, checked as they are read: UTF-8 text without NUL bytes."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    offset = 0
    with handle:
        for number, raw in enumerate(handle):  # binary lines end at b"\n" only
            if b"\x00" in raw:
                raise UsageError(f"{name} looks binary (it contains NUL bytes)")
            try:
                line = raw.decode("utf-8").removesuffix("\n")
            except UnicodeDecodeError as exc:
                raise UsageError(
                    f"{name} is not UTF-8 text (invalid byte at offset {offset + exc.start})"
                ) from None
            offset += len(raw)
            yield line.removeprefix("\ufeff") if number == 0 else line
