"""What a batch run is asked to do and has to do, and how it ends: shared by the local route
(`runner`) and the Batch service flow (`submit`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from qwenchat.batch.inputs import Format
from qwenchat.batch.outfile import DeviceSink, FileSink, Sink, StreamSink, rewritable
from qwenchat.batch.plan import Job
from qwenchat.core import errors
from qwenchat.core.batch_records import Record, Tally
from qwenchat.core.request import RequestOptions
from qwenchat.render.progress import Display
from qwenchat.render.terminal import Terminal

Route = Literal["auto", "local", "remote"]
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class BatchOptions:
    """Everything `qwenchat batch run` was asked to do."""

    input: str  # a path, or "-" for stdin
    output: Path | None
    request: RequestOptions
    fmt: Format = "auto"
    route: Route = "auto"  # where the requests are sent from: here, the Batch service, or either
    concurrency: int = DEFAULT_CONCURRENCY
    wait: bool = True
    poll: float = 10.0
    overwrite: bool = False  # start the output file over
    attach_root: Path | None = None  # attachments may come from here (default: the input's folder)


@dataclass(frozen=True)
class Work:
    """The jobs still to do, and what the output file already holds."""

    name: str
    order: Sequence[str]
    jobs: Collection[Job]  # made as they are sent: a long input is never held whole
    previous: dict[str, Record]
    pending: Sequence[str] | None = None  # the jobs' ids; None: taken from the jobs
    warnings: tuple[str, ...] = ()

    @property
    def pending_ids(self) -> Sequence[str]:
        return self.pending if self.pending is not None else [job.id for job in self.jobs]


def make_sink(terminal: Terminal, work: Work, output: Path | None) -> Sink:
    """A regular file is appended to and rewritten; `-`, FIFOs and devices are streamed."""
    order = work.pending_ids
    if output is None or str(output) == "-":
        return StreamSink(terminal.stdout, order=order)
    if not rewritable(output):
        return DeviceSink(output, order=order)
    return FileSink(output, order=work.order, previous=work.previous)


def finish(display: Display, tally: Tally, seconds: float, work: Work, output: Path | None) -> int:
    """The summary line, and an error when some requests failed."""
    skipped = len(work.order) - len(work.jobs)
    display.notice(tally.summary(seconds=seconds, skipped=skipped))
    if tally.failed:
        to_file = output is not None and rewritable(output)
        where = f"in {output}" if to_file else "on stdout" if not output else f"to {output}"
        again = "; run the same command again to retry them" if to_file else ""
        raise errors.ApiError(
            f"{tally.failed:,} of {tally.requests:,} requests failed "
            f"(see the error field of their lines {where}){again}"
        )
    return errors.EXIT_OK
