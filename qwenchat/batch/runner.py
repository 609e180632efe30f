"""`qwenchat batch run`: read and check the input, skip finished ids, pick a route, summarise.

Everything about the input is checked before the first request is sent. The local route
runs here; the Batch service flow lives in `submit`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from qwenchat.batch.outfile import FileSink, read_previous, rewritable
from qwenchat.batch.plan import Defaults, plan_jobs
from qwenchat.batch.source import InputSource, lazy_jobs, pending_items, scan
from qwenchat.batch.stamp import check, fingerprint, remember
from qwenchat.batch.work import BatchOptions as BatchOptions
from qwenchat.batch.work import Route, Work, finish, make_sink
from qwenchat.core import errors
from qwenchat.core.attachments import Attachment
from qwenchat.core.request import validate
from qwenchat.core.settings import Settings
from qwenchat.render.progress import Display, display_for
from qwenchat.render.terminal import Terminal

MAX_CONCURRENCY = 256
REMOTE_FROM = (
    1000  # with neither --local nor --remote, this many pending requests go to the Batch service
)


def run_batch(settings: Settings, terminal: Terminal, options: BatchOptions) -> int:
    """Run the batch; returns the exit code, raises QwenchatError for what cannot work."""
    work, remote = prepare(settings, terminal, options)
    display = display_for(terminal)
    for warning in work.warnings:
        display.notice(f"warning: {warning}")
    if not work.jobs:
        return _nothing_to_do(work, options, display)
    from qwenchat.batch.metering import budget_before

    if line := budget_before(settings, work.jobs, remote=remote):
        display.notice(line)
    if remote:
        from qwenchat.batch.submit import run_remote

        return run_remote(settings, terminal, display, work, options)
    return run_local_batch(settings, terminal, display, work, options)


def prepare(settings: Settings, terminal: Terminal, options: BatchOptions) -> tuple[Work, bool]:
    """Check the whole input and every request before anything is sent; pick the engine.

    The input is read in passes (`source`), keeping only its ids: the jobs are made again,
    one by one, as they are sent.
    """
    _check(options)
    source = InputSource(options.input, terminal)
    stamp = fingerprint(source.lines(), settings, options.request, options.fmt)
    if options.output:
        check(options.output, stamp, overwrite=options.overwrite)
    previous = read_previous(options.output) if options.output else {}
    scanned = scan(source, options.fmt, previous)
    remote = _remote(options.route, len(scanned.pending), settings)
    if remote:
        _streamless(settings, options)
    defaults = Defaults(
        settings.model, settings.system, options.request, settings.catalogue,
        settings.context_window, load=attachment_loader(settings, options),
    )  # fmt: skip
    items = pending_items(source, scanned, previous)
    planned = plan_jobs(items, defaults, name=source.name, remote=remote, keep=False)
    jobs = lazy_jobs(source, scanned, previous, defaults, remote=remote)
    work = Work(source.name, scanned.order, jobs, previous, scanned.pending, planned.warnings)
    if options.output:
        remember(options.output, stamp)
    return work, remote


def attachment_loader(settings: Settings, options: BatchOptions) -> Callable[[str], Attachment]:
    """A line's attachment: an image URL, or a path relative to the input file's folder.

    Files are read through the one confinement policy (`core/confine.py`), confined to the
    input's folder, or to `--attach-root DIR` when it is given.
    """
    from qwenchat.core.confine import policy_for
    from qwenchat.engine.attach_files import load_confined

    stdin = options.input == "-"
    folder = Path.cwd() if stdin else Path(options.input).absolute().parent
    if options.attach_root is not None:
        if not options.attach_root.is_dir():
            raise errors.UsageError(f"--attach-root {options.attach_root} is not a directory")
        root, name = options.attach_root, f"--attach-root {options.attach_root}"
    elif stdin:
        root, name = folder, "the working directory (--attach-root DIR widens it)"
    else:
        root, name = folder, f"the input file's folder {folder} (--attach-root DIR widens it)"
    policy = policy_for(settings, root, name)

    def loader(spec: str) -> Attachment:
        return load_confined(spec, policy, folder)

    return loader


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
                work.jobs, client, sink=sink, watcher=display,
                concurrency=options.concurrency, catalogue=settings.catalogue,
            )  # fmt: skip
        complete = True
    except KeyboardInterrupt:
        _interrupted(display, work, options.output)
        raise
    finally:
        sink.close(complete=complete)
        client.close()
    return finish(display, tally, time.monotonic() - started, work, options.output)


def _check(options: BatchOptions) -> None:
    validate(options.request)
    if not 1 <= options.concurrency <= MAX_CONCURRENCY:
        raise errors.UsageError(f"--jobs must be between 1 and {MAX_CONCURRENCY}")
    if options.poll <= 0:
        raise errors.UsageError("--poll must be a positive number of seconds")
    if options.output is not None and options.output.is_dir():
        raise errors.UsageError(f"--output {options.output} is a directory")


def _streamless(settings: Settings, options: BatchOptions) -> None:
    """One usage error, before any line is read, for flags the Batch service cannot honour."""
    info = settings.catalogue.lookup(settings.model)
    if info.stream_only or info.thinking == "only":
        raise errors.UsageError(
            f"--model {settings.model} answers only by streaming, which the Batch service "
            "does not do; use --local"
        )
    if options.request.think:
        raise errors.UsageError(
            "--think needs streaming, which the Batch service does not do; "
            "drop --think or use --local"
        )


def _remote(route: Route, count: int, settings: Settings) -> bool:
    if route != "auto":
        return route == "remote"
    return count >= REMOTE_FROM and settings.is_dashscope


def _nothing_to_do(work: Work, options: BatchOptions, display: Display) -> int:
    display.notice(f"batch: all {len(work.order):,} ids are already done in {options.output}")
    if options.output is not None and rewritable(options.output):
        FileSink(options.output, order=work.order, previous=work.previous).close(complete=True)
    return errors.EXIT_OK


def _interrupted(display: Display, work: Work, output: Path | None) -> None:
    done = display.tally.requests
    resume = (
        f"; run the same command again to resume ({output} keeps them)"
        if output is not None and rewritable(output)
        else ""
    )
    display.notice(f"batch: stopped after {done:,} of {len(work.jobs):,} requests{resume}")
