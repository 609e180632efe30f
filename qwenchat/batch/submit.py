"""The Batch service flow: submit (or find the batch already submitted), wait, collect results.

Also the `status`, `results`, `cancel` and `list` subcommands. A submitted batch is saved
(`state`) before the wait starts, so Ctrl-C never loses it: the same `batch run` command, or
`batch results BATCH_ID`, picks it up again.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from qwenchat.batch.outfile import read_previous
from qwenchat.batch.plan import Job
from qwenchat.batch.remote import (
    batch_file,
    check_count,
    check_limits,
    fingerprint,
    records_from,
    unprocessed,
)
from qwenchat.batch.state import BatchStore, new_saved
from qwenchat.batch.work import BatchOptions, Work, finish, make_sink
from qwenchat.core import errors
from qwenchat.core.batch_records import Tally
from qwenchat.core.sanitize import sanitize
from qwenchat.core.settings import Settings
from qwenchat.net.batch_service import BatchInfo, BatchService
from qwenchat.render.progress import Display, display_for
from qwenchat.render.terminal import Terminal

DEAD = frozenset({"failed", "expired", "cancelled", "cancelling"})


def run_remote(
    settings: Settings, terminal: Terminal, display: Display, work: Work, options: BatchOptions
) -> int:
    check_count(len(work.jobs))
    jobs = list(work.jobs)  # at most one batch's worth
    data = batch_file(jobs)
    check_limits(jobs, data)
    work = replace(work, jobs=jobs)
    store = BatchStore(settings.data_dir)
    service = BatchService(settings)
    try:
        info = _find_or_submit(service, store, display, data, work, options.output)
        if not options.wait and not info.finished:
            terminal.output.out(info.id + "\n", flush=True)
            display.notice(f"batch: check it with `qwenchat batch status {info.id}`, "
                           f"fetch it with `qwenchat batch results {info.id}`")  # fmt: skip
            return errors.EXIT_OK
        started = time.monotonic()
        info = wait_for(service, info, display, poll=options.poll)
        return collect(
            service, info, terminal, display, work, output=options.output, started=started
        )
    finally:
        service.close()


def _find_or_submit(
    service: BatchService,
    store: BatchStore,
    display: Display,
    data: bytes,
    work: Work,
    output: Path | None,
) -> BatchInfo:
    """The live batch already submitted for this exact input, or a new one."""
    digest = fingerprint(data)
    for saved in store.find(digest):
        try:
            info = service.retrieve(saved.batch_id)
        except errors.ApiError as exc:
            if exc.status != 404:
                raise
            store.forget(saved.batch_id)
            continue
        if info.status not in DEAD:
            display.notice(f"batch: resuming {info.id} ({info.status}), submitted for this input")
            if output is not None and str(output) != saved.output:  # results go where asked now
                store.save(replace(saved, output=str(output)))
            return info
    file_id = service.upload(data, filename=f"qwenchat-batch-{digest[:12]}.jsonl")
    info = service.create(file_id, metadata={"client": "qwenchat"})
    store.save(new_saved(info.id, digest, list(work.jobs), output, service.settings))
    model = next(iter(work.jobs)).body.get("model")
    display.notice(f"batch: submitted {info.id} ({len(work.jobs):,} requests to {model})")
    return info


# Statuses of a running batch; an unknown one is waited on only UNKNOWN_POLLS times.
KNOWN_STATUSES = frozenset({"validating", "in_progress", "finalizing", "cancelling"})
UNKNOWN_POLLS = 5


def wait_for(service: BatchService, info: BatchInfo, display: Display, *, poll: float) -> BatchInfo:
    """Poll until the batch ends; Ctrl-C leaves it running and says how to come back."""
    unknown = 0
    try:
        with display:
            while True:
                display.status(info.status, done=info.completed, failed=info.failed,
                               total=info.total)  # fmt: skip
                if info.finished:
                    return info
                unknown = 0 if info.status in KNOWN_STATUSES else unknown + 1
                if unknown >= UNKNOWN_POLLS:
                    raise errors.ApiError(
                        f"batch {info.id}: the service reports a status qwenchat does not know "
                        f"({info.status!r}, {unknown} times in a row); stopped waiting",
                        hint=f"`qwenchat batch status {info.id}` asks again",
                    )
                time.sleep(poll)
                info = service.retrieve(info.id)
    except KeyboardInterrupt:
        display.notice(f"batch: {info.id} keeps running on the service; "
                       f"`qwenchat batch results {info.id}` waits for it again")  # fmt: skip
        raise


def collect(
    service: BatchService,
    info: BatchInfo,
    terminal: Terminal,
    display: Display,
    work: Work,
    *,
    output: Path | None,
    started: float,
    prompts: Mapping[str, str | None] | None = None,
) -> int:
    """Download the output and error files and write one record per id, in input order.

    The service never gives the uploaded input file back, so a row's prompt comes from its job,
    else from `prompts` (the local record of the batch). With no jobs known (a batch submitted
    elsewhere), every result is written in file order. Fewer results than the service counted
    is a failure, after what was read is written.
    """
    if info.status == "failed":
        shown = "; ".join(info.problems[:3]) or "no reason given"
        raise errors.ApiError(f"batch {info.id} failed: {shown}")
    files = [service.content(fid) for fid in (info.output_file_id, info.error_file_id) if fid]
    records = records_from(files)
    if not work.jobs:
        work = replace(work, order=list(records), jobs=[Job(i, {}) for i in records])
    prompts = prompts or {}
    from qwenchat.batch.metering import MeteredSink

    sink = MeteredSink(make_sink(terminal, work, output), service.settings, work.jobs,
                       name=info.id, remote=True, warn=display.notice)  # fmt: skip
    tally = Tally()
    for job in work.jobs:
        record = records.get(job.id) or unprocessed(job.id, info.status)
        record = replace(record, prompt=job.prompt or prompts.get(job.id) or record.prompt)
        sink.write(record)
        tally.add(record)
    sink.close(complete=True)
    code = finish(display, tally, time.monotonic() - started, work, output)
    check_counted(info, len(records))
    return code


def check_counted(info: BatchInfo, read: int) -> None:
    """A batch whose counts promise more results than its files hold has not been fetched."""
    counted = info.completed + info.failed
    expected = max(counted, info.total) if info.status == "completed" else counted
    if read < expected:
        files = (
            "no result file"
            if not (info.output_file_id or info.error_file_id)
            else ("its output and error files hold " + f"{read:,}")
        )
        raise errors.ApiError(
            f"batch {info.id} reports {expected:,} finished requests but {files}; "
            "the results are incomplete",
            hint=f"`qwenchat batch status {info.id}` shows what the service reports",
        )


def fetch_results(
    settings: Settings,
    terminal: Terminal,
    batch_id: str,
    *,
    output: Path | None,
    wait: bool,
    poll: float,
) -> int:
    """`qwenchat batch results`: wait if asked, then write the results like `batch run` does."""
    saved = BatchStore(settings.data_dir).load(batch_id)
    if output is None and saved is not None and saved.output:
        output = Path(saved.output)
    ids = list(saved.ids) if saved else []
    prompts = dict(zip(ids, saved.prompts, strict=True)) if saved and saved.prompts else {}
    previous = read_previous(output) if output else {}
    work = Work(batch_id, ids, [Job(i, {}) for i in ids], previous)
    display = display_for(terminal)
    service = BatchService(settings)
    try:
        info = service.retrieve(batch_id)
        if not info.finished and not wait:
            raise errors.UsageError(
                f"batch {info.id} is still {info.status}; drop --no-wait to wait for it"
            )
        started = time.monotonic()
        info = wait_for(service, info, display, poll=poll)
        if output is not None:
            display.notice(f"batch: writing results to {output}")
        return collect(service, info, terminal, display, work, output=output, started=started,
                       prompts=prompts)  # fmt: skip
    finally:
        service.close()


def show_status(settings: Settings, terminal: Terminal, batch_id: str) -> int:
    with _service(settings) as service:
        info = service.retrieve(batch_id)
    _print(terminal, [describe(info), *(f"  {p}" for p in info.problems)])
    return errors.EXIT_OK


def cancel_batch(settings: Settings, terminal: Terminal, batch_id: str) -> int:
    with _service(settings) as service:
        info = service.cancel(batch_id)
    _print(terminal, [describe(info)])
    return errors.EXIT_OK


def list_batches(settings: Settings, terminal: Terminal, *, limit: int) -> int:
    if not 1 <= limit <= 100:
        raise errors.UsageError("--limit must be between 1 and 100")
    with _service(settings) as service:
        batches = service.recent(limit=limit)
    _print(terminal, [describe(info) for info in batches] or ["no batches"])
    return errors.EXIT_OK


def describe(info: BatchInfo) -> str:
    """One line: id, status, counts, when it was created (UTC)."""
    created = (
        datetime.fromtimestamp(info.created_at, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        if info.created_at
        else "?"
    )
    done = info.completed + info.failed
    return (
        f"{info.id}  {info.status:<11}  {done:,}/{info.total:,} done  "
        f"{info.failed:,} failed  created {created}"
    )


@contextlib.contextmanager
def _service(settings: Settings) -> Iterator[BatchService]:
    service = BatchService(settings)
    try:
        yield service
    finally:
        service.close()


def _print(terminal: Terminal, lines: Sequence[str]) -> None:
    terminal.stdout.write("".join(sanitize(line) + "\n" for line in lines))
    terminal.stdout.flush()
