"""The retry policy: which failures deserve another attempt, and how long to wait first.

The SDK's own retries are off: it retries every 429, quota exhaustion included. Here a
request is tried again only before its first event arrived, and only for failures that may
clear by themselves: the server could not be reached, a 500/502/503/504, or a rate-limit 429
(a tokens-per-minute 429, `Throttling.AllocationQuota`/`insufficient_quota`, included).
A 400/401/403/404, a 429 for an exhausted quota or an overdue account (the table in
net/errors.py says which), a read timeout (the server may still be
working, and a retry would double the wait) and anything after the first event are final.
Waits grow exponentially with jitter; a `Retry-After` from the server wins. The wait is a
plain `sleep`, so Ctrl-C ends it like any other wait.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

from qwenchat.core import errors
from qwenchat.core.events import Event, EventStream
from qwenchat.core.settings import DEFAULT_RETRIES

RETRY_STATUSES = frozenset({500, 502, 503, 504})
# DashScope's tokens-per-minute limit (Model Studio's error-code page, mid-2026)
TOKEN_RATE_CODES = frozenset({"throttling.allocationquota", "insufficient_quota"})


@dataclass(frozen=True)
class RetryPolicy:
    """How many retries, and the shape of the waits between them (seconds)."""

    retries: int = DEFAULT_RETRIES
    base: float = 1.0
    cap: float = 20.0
    max_retry_after: float = 90.0  # a server asking for longer gets the error instead


def is_retryable(exc: errors.QwenchatError) -> bool:
    """May this failure, raised before the first event, clear if we ask again?"""
    match exc:
        case errors.ApiError(retryable=bool(verdict)):  # decided by net.errors' table
            return verdict
        case errors.QuotaError():
            return False
        case errors.RateLimitError():
            return True
        case errors.ApiError():
            return exc.status in RETRY_STATUSES
        case errors.RequestTimeout():
            return False
        case errors.NetworkError():
            return True
        case _:
            return False


def backoff(
    retry: int,
    policy: RetryPolicy,
    *,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before retry number `retry` (1-based); None when too long to wait."""
    if retry_after is not None:
        return None if retry_after > policy.max_retry_after else max(0.0, retry_after)
    ceiling = min(policy.cap, policy.base * 2.0 ** (retry - 1))
    return ceiling / 2 + rand() * ceiling / 2  # "equal jitter": never 0, never in lockstep


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """A `Retry-After` header (seconds, or an HTTP date) as seconds from now; None if absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def retrying(
    attempt: Callable[[], EventStream],
    policy: RetryPolicy,
    *,
    notify: Callable[[str], None],
    sleep: Callable[[float], object] = time.sleep,
    rand: Callable[[], float] = random.random,
) -> Generator[Event, None, None]:
    """Yield the events of `attempt()`, calling it again after a retryable early failure."""
    retries = 0
    while True:
        events = attempt()
        started = False
        try:
            for event in events:
                started = True
                yield event
            return
        except errors.QwenchatError as exc:
            wait = None if started else _wait(exc, retries + 1, policy, rand)
            if wait is None:
                raise
            retries += 1
            notify(announcement(exc, wait, retries, policy))
            sleep(wait)
        finally:
            events.close()


def announcement(exc: errors.QwenchatError, wait: float, retry: int, policy: RetryPolicy) -> str:
    """The one line that says why and when the next attempt goes out."""
    return f"{_reason(exc)}; retrying in {wait:.1f} s (attempt {retry + 1} of {policy.retries + 1})"


def _wait(
    exc: errors.QwenchatError, retry: int, policy: RetryPolicy, rand: Callable[[], float]
) -> float | None:
    if retry > policy.retries or not is_retryable(exc):
        return None
    return backoff(retry, policy, retry_after=getattr(exc, "retry_after", None), rand=rand)


def _reason(exc: errors.QwenchatError) -> str:
    match exc:
        case errors.RateLimitError(code=str(code)) if code.lower() in TOKEN_RATE_CODES:
            return f"rate limited ({exc.status}, tokens per minute)"
        case errors.RateLimitError():
            return f"rate limited ({exc.status})"
        case errors.ApiError():
            return f"server error {exc.status}"
        case _:
            return exc.message
