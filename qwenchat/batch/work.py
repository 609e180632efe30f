"""What a batch run is asked to do and has to do, and how it ends: shared by the local engine
(`runner`) and the Batch service flow (`submit`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from qwenchat.batch.inputs import Format
from qwenchat.batch.outfile import FileSink, Sink, StreamSink
from qwenchat.batch.plan import Job
from qwenchat.batch.records import Record, Tally
from qwenchat.core import errors
from qwenchat.core.request import RequestOptions
from qwenchat.render.progress import Display
from qwenchat.render.terminal import Terminal

Engine = Literal["auto", "local", "remote"]
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class BatchOptions:
    """Everything `qwenchat batch run` was asked to do."""

    input: str  # a path, or "-" for stdin
    output: Path | None
    request: RequestOptions
    fmt: Format = "auto"
    engine: Engine = "auto"
    concurrency: int = DEFAULT_CONCURRENCY
    wait: bool = True
    poll: float = 10.0


@dataclass(frozen=True)
class Work:
    """The jobs still to do, and what the output file already holds."""

    name: str
    order: list[str]
    jobs: list[Job]
    previous: dict[str, Record]


def make_sink(terminal: Terminal, work: Work, output: Path | None) -> Sink:
    if output is None:
        return StreamSink(terminal.stdout, order=[job.id for job in work.jobs])
    return FileSink(output, order=work.order, previous=work.previous)


def finish(display: Display, tally: Tally, seconds: float, work: Work, output: Path | None) -> int:
    """The summary line, and an error when some requests failed."""
    skipped = len(work.order) - len(work.jobs)
    display.notice(tally.summary(seconds=seconds, skipped=skipped))
    if tally.failed:
        where = f"in {output}" if output else "on stdout"
        again = "; run the same command again to retry them" if output else ""
        raise errors.ApiError(
            f"{tally.failed:,} of {tally.requests:,} requests failed "
            f"(see the error field of their lines {where}){again}"
        )
    return errors.EXIT_OK
