"""The local route: a bounded pool of workers sending the batch's requests from this machine.

Workers are daemon threads sharing one `ChatClient`; each folds its reply's events (through the
turn engine's `model_events`, so thinking sent inline is split out as for `ask`) with
`ReplyBuilder`. Only the calling thread writes records (to the sink, the progress display and
the tally), so Ctrl-C, which Python delivers there, stops the run between two records: what
finished is written, requests in flight are abandoned and will be sent again on resume.

Retries: a 429 or 503 pauses the whole pool (`gate`); other 5xx, network errors and broken
streams are retried by the worker after a short wait; a wrong key or an exhausted quota stops
the batch, since every other request would fail the same way. Any other failure of one item
(a reply nested too deeply to parse, text that cannot be encoded) becomes that item's error
row: a worker never dies with its item unanswered, so the batch always finishes.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from qwenchat.batch.gate import BackoffGate
from qwenchat.batch.outfile import Sink
from qwenchat.batch.plan import Job
from qwenchat.core import errors
from qwenchat.core.batch_records import Record, Tally, failure, from_reply
from qwenchat.core.catalogue import Catalogue
from qwenchat.core.reply import Reply, ReplyBuilder
from qwenchat.engine.turn import EventSource, model_events

ATTEMPTS = 4
RETRY_WAIT = 0.5  # seconds before the second attempt; doubles after that
FATAL = (errors.AuthError, errors.QuotaError, errors.ConfigError)
POLL = 0.1  # how often the calling thread wakes, so Ctrl-C is never held up


@dataclass(frozen=True)
class _Fatal:
    error: errors.QwenchatError


@dataclass(frozen=True)
class _Finished:
    """A worker found no job left (or the batch stopping) and ended."""


class Watcher(Protocol):
    """What the calling thread reports each finished record to (a progress display)."""

    def advance(self, record: Record) -> None: ...


def run_local(
    jobs: Collection[Job],
    client: EventSource,
    *,
    sink: Sink,
    watcher: Watcher,
    concurrency: int,
    catalogue: Catalogue,
    gate_factory: Callable[[threading.Event], BackoffGate] | None = None,
) -> Tally:
    """Send every job, at most `concurrency` at a time; records reach `sink` as they finish.

    Jobs are taken from `jobs` one at a time as workers free up, so they need not all exist
    at once; the run ends when every worker has run out of jobs.
    """
    stop = threading.Event()
    gate = gate_factory(stop) if gate_factory else BackoffGate(stop=stop)
    # bounded: workers faster than the writer wait for it instead of piling records up
    done: queue.Queue[Record | _Fatal | _Finished] = queue.Queue(maxsize=4 * concurrency + 16)
    pool = _Pool(client, catalogue, gate, iter(jobs), done)
    workers = min(concurrency, len(jobs))
    for n in range(workers):
        threading.Thread(target=pool.run, name=f"batch-worker-{n}", daemon=True).start()
    tally = Tally()
    try:
        while workers:
            try:
                outcome = done.get(timeout=POLL)
            except queue.Empty:
                continue
            if isinstance(outcome, _Fatal):
                raise outcome.error
            if isinstance(outcome, _Finished):
                workers -= 1
            else:
                _take(outcome, sink, watcher, tally)
    finally:
        stop.set()
        _drain(done, sink, watcher, tally)
    return tally


def _take(record: Record, sink: Sink, watcher: Watcher, tally: Tally) -> None:
    sink.write(record)
    tally.add(record)
    watcher.advance(record)


def _drain(
    done: queue.Queue[Record | _Fatal | _Finished],
    sink: Sink,
    watcher: Watcher,
    tally: Tally,
) -> None:
    """Keep the records that finished while the run was stopping."""
    while True:
        try:
            outcome = done.get_nowait()
        except queue.Empty:
            return
        if isinstance(outcome, Record):
            _take(outcome, sink, watcher, tally)


class _Pool:
    def __init__(
        self,
        client: EventSource,
        catalogue: Catalogue,
        gate: BackoffGate,
        todo: Iterator[Job],
        done: queue.Queue[Record | _Fatal | _Finished],
    ) -> None:
        self.client, self.gate, self.todo, self.done = client, gate, todo, done
        self.catalogue = catalogue
        self._lock = threading.Lock()

    def run(self) -> None:
        try:
            self.work()
        finally:
            self.done.put(_Finished())

    def work(self) -> None:
        while not self.gate.stop.is_set():
            try:
                with self._lock:  # one generator, shared by the workers
                    job = next(self.todo, None)
            except errors.QwenchatError as exc:  # the input changed since it was checked
                self.done.put(_Fatal(exc))
                return
            if job is None:
                return
            try:
                record = self._attempts(job)
            except FATAL as exc:
                self.done.put(_Fatal(exc))
                return
            except Exception as exc:  # any failure of one item is its error row
                record = failure(job.id, f"this request failed: {_describe(exc)}", code="failed")
            if record is None:
                return
            self.done.put(replace(record, prompt=job.prompt))

    def _attempts(self, job: Job) -> Record | None:
        """The job's record, after retries; None when the batch stopped meanwhile."""
        for attempt in range(1, ATTEMPTS + 1):
            if not self.gate.wait():
                return None
            sent_at = self.gate.clock()
            reply, error = self._send(job)
            if error is None:
                self.gate.relax(sent_at=sent_at)
                return from_reply(job.id, reply)
            if attempt == ATTEMPTS or not _retryable(error):
                return from_reply(job.id, reply, error)
            if _pool_wide(error):
                self.gate.slow_down(sent_at=sent_at)
            elif self.gate.stop.wait(RETRY_WAIT * 2 ** (attempt - 1)):
                return None
        return None  # pragma: no cover - the loop always returns

    def _send(self, job: Job) -> tuple[Reply, errors.QwenchatError | None]:
        builder = ReplyBuilder()
        info = self.catalogue.lookup(str(job.body.get("model", "")))
        events = model_events(self.client, job.body, info)
        try:
            for event in events:
                builder.feed(event)
        except FATAL:
            raise
        except errors.QwenchatError as exc:
            return builder.build(), exc
        finally:
            events.close()
        reply = builder.build()
        if not reply.complete:
            return reply, errors.StreamError("the stream ended before the reply was finished")
        return reply, None


def _describe(exc: Exception) -> str:
    """What went wrong, in words, without echoing what the server sent."""
    if isinstance(exc, RecursionError):
        return "the reply was nested too deeply to read"
    if isinstance(exc, UnicodeError):
        return "the text is not valid Unicode (a lone surrogate?)"
    return type(exc).__name__


def _retryable(error: errors.QwenchatError) -> bool:
    if isinstance(error, (errors.RateLimitError, errors.NetworkError, errors.StreamError)):
        return True
    status = getattr(error, "status", None)
    return isinstance(error, errors.ApiError) and status is not None and status >= 500


def _pool_wide(error: errors.QwenchatError) -> bool:
    return isinstance(error, errors.RateLimitError) or getattr(error, "status", None) == 503
