"""`qwenchat batch run`: read and check the input, skip finished ids, pick an engine, summarise.

Everything about the input is checked before the first request is sent. The local engine
runs here; the Batch service flow lives in `submit`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from qwenchat.batch.inputs import Format, Item, parse_input
from qwenchat.batch.outfile import FileSink, Sink, StreamSink, read_previous
from qwenchat.batch.plan import Defaults, Job, plan_jobs
from qwenchat.batch.progress import Display, display_for
from qwenchat.batch.records import Record, Tally
from qwenchat.core import errors
from qwenchat.core.request import RequestOptions, validate
from qwenchat.core.settings import Settings
from qwenchat.render.terminal import Terminal

Engine = Literal["auto", "local", "remote"]
DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 256
REMOTE_FROM = 1000  # with --engine auto, this many pending requests go to the Batch service


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


def run_batch(settings: Settings, terminal: Terminal, options: BatchOptions) -> int:
    """Run the batch; returns the exit code, raises QwenchatError for what cannot work."""
    _check(options)
    name = "stdin" if options.input == "-" else options.input
    items = parse_input(read_input(options.input, terminal), name=name, fmt=options.fmt)
    previous = read_previous(options.output) if options.output else {}
    pending = pending_items(items, previous)
    remote = _remote(options.engine, len(pending), settings)
    defaults = Defaults(settings.model, settings.system, options.request)
    planned = plan_jobs(pending, defaults, name=name, remote=remote)
    display = display_for(terminal)
    for warning in planned.warnings:
        display.notice(f"warning: {warning}")
    work = Work(name, [i.id for i in items], planned.jobs, previous)
    if not work.jobs:
        return _nothing_to_do(work, options, display)
    from qwenchat.batch.metering import budget_before

    if line := budget_before(settings, work.jobs, remote=remote):
        display.notice(line)
    if remote:
        from qwenchat.batch.submit import run_remote

        return run_remote(settings, terminal, display, work, options)
    return run_local_batch(settings, terminal, display, work, options)


def run_local_batch(
    settings: Settings, terminal: Terminal, display: Display, work: Work, options: BatchOptions
) -> int:
    from qwenchat.batch.local import run_local
    from qwenchat.batch.metering import MeteredSink
    from qwenchat.net.client import ChatClient

    # The pool's own gate and retries (batch.gate, batch.local) govern here: a 429 slows
    # every worker down together instead of each client retrying on its own.
    client = ChatClient(replace(settings, retries=0))
    sink = MeteredSink(make_sink(terminal, work, options.output), settings, work.jobs,
                       name=work.name, remote=False, warn=display.notice)  # fmt: skip
    started, complete = time.monotonic(), False
    try:
        with display:
            display.start(len(work.jobs), f"batch ({options.concurrency} at a time)")
            tally = run_local(
                work.jobs, client, sink=sink, watcher=display, concurrency=options.concurrency
            )
        complete = True
    except KeyboardInterrupt:
        _interrupted(display, work, options.output)
        raise
    finally:
        sink.close(complete=complete)
        client.close()
    return finish(display, tally, time.monotonic() - started, work, options.output)


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


def read_input(source: str, terminal: Terminal) -> str:
    """The input's text: a UTF-8 file, or piped stdin for `-`."""
    if source == "-":
        piped = terminal.read_piped()
        if piped is None:
            raise errors.UsageError("no input on stdin: pipe prompts in, or give a file")
        return piped
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise errors.UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    if b"\x00" in data:
        raise errors.UsageError(f"{source} looks binary (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.UsageError(
            f"{source} is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None


def pending_items(items: list[Item], previous: dict[str, Record]) -> list[Item]:
    """Items not yet answered without error."""
    return [i for i in items if not (i.id in previous and previous[i.id].ok)]


def _check(options: BatchOptions) -> None:
    validate(options.request)
    if not 1 <= options.concurrency <= MAX_CONCURRENCY:
        raise errors.UsageError(f"--jobs must be between 1 and {MAX_CONCURRENCY}")
    if options.poll <= 0:
        raise errors.UsageError("--poll must be a positive number of seconds")
    if options.output is not None and options.output.is_dir():
        raise errors.UsageError(f"--output {options.output} is a directory")


def _remote(engine: Engine, count: int, settings: Settings) -> bool:
    if engine != "auto":
        return engine == "remote"
    return count >= REMOTE_FROM and settings.is_dashscope


def _nothing_to_do(work: Work, options: BatchOptions, display: Display) -> int:
    display.notice(f"batch: all {len(work.order):,} ids are already done in {options.output}")
    if options.output is not None:
        FileSink(options.output, order=work.order, previous=work.previous).close(complete=True)
    return errors.EXIT_OK


def _interrupted(display: Display, work: Work, output: Path | None) -> None:
    done = display.tally.requests
    resume = f"; run the same command again to resume ({output} keeps them)" if output else ""
    display.notice(f"batch: stopped after {done:,} of {len(work.jobs):,} requests{resume}")
