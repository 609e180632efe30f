"""A pool-wide pause: after a 429 (or a 503), every worker waits before its next request.

One worker's rate-limit error is evidence about the whole account, so the whole pool backs
off rather than each worker hammering on its own. The pause doubles while fresh requests keep
being refused and halves with each success after it. A refusal of a request that was already
in flight when the pause began is not fresh evidence and does not double it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

INITIAL_PAUSE = 1.0
LONGEST_PAUSE = 30.0


class BackoffGate:
    """Shared by the workers of one batch; all methods are thread-safe."""

    def __init__(
        self,
        *,
        stop: threading.Event,
        initial: float = INITIAL_PAUSE,
        longest: float = LONGEST_PAUSE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stop = stop
        self.initial = initial
        self.longest = longest
        self.clock = clock
        self.pause = 0.0  # the current pause length; 0 when requests go through
        self.until = 0.0  # no request is sent before this time
        self._began = float("-inf")  # when the current pause began
        self._lock = threading.Lock()

    def wait(self) -> bool:
        """Block until requests may go out; False when the batch is stopping."""
        while True:
            with self._lock:
                remaining = self.until - self.clock()
            if remaining <= 0:
                return not self.stop.is_set()
            if self.stop.wait(remaining):
                return False

    def slow_down(self, *, sent_at: float) -> float:
        """A request sent at `sent_at` was refused; returns the pause now in force."""
        with self._lock:
            now = self.clock()
            if sent_at >= self._began or self.pause == 0:
                self.pause = min(self.longest, self.pause * 2 if self.pause else self.initial)
                self._began = now
            self.until = max(self.until, now + self.pause)
            return self.pause

    def relax(self, *, sent_at: float) -> None:
        """A request sent at `sent_at` went through: shorten the next pause.

        Only requests sent since the pause began count: the ones already in flight say
        nothing about whether the pause helped.
        """
        with self._lock:
            if self.pause and sent_at >= self._began:
                self.pause = 0.0 if self.pause / 2 < self.initial else self.pause / 2
