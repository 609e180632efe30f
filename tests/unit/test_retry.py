"""The retry policy as plain data: what is retried, how long it waits, when it stops."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwenchat.core import errors
from qwenchat.core.events import AnswerDelta, Done, Event
from qwenchat.net.retry import RetryPolicy, backoff, is_retryable, parse_retry_after, retrying


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (errors.NetworkError("cannot reach"), True),
        (errors.RateLimitError("slow down", status=429), True),
        (errors.ApiError("boom", status=500), True),
        (errors.ApiError("bad gateway", status=502), True),
        (errors.ApiError("overloaded", status=503), True),
        (errors.ApiError("gateway timeout", status=504), True),
        (errors.ApiError("not implemented", status=501), False),
        (errors.ApiError("bad request", status=400), False),
        (errors.AuthError("no", status=401), False),
        (errors.AuthError("forbidden", status=403), False),
        (errors.ModelNotFoundError("who", status=404), False),
        (errors.QuotaError("quota", status=429), False),
        (errors.RequestTimeout("timed out"), False),
        (errors.StreamError("cut"), False),
        (errors.UsageError("bad flag"), False),
    ],
)
def test_what_is_retried(error: errors.QwenchatError, retryable: bool) -> None:
    assert is_retryable(error) is retryable


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base=1.0, cap=5.0)
    assert backoff(1, policy, rand=lambda: 0.0) == 0.5
    assert backoff(1, policy, rand=lambda: 1.0) == 1.0
    assert backoff(3, policy, rand=lambda: 0.0) == 2.0
    assert backoff(10, policy, rand=lambda: 1.0) == 5.0


@given(st.integers(1, 30), st.floats(0, 1))
def test_backoff_stays_within_half_and_whole_ceiling(retry: int, jitter: float) -> None:
    policy = RetryPolicy(base=0.5, cap=8.0)
    ceiling = min(8.0, 0.5 * 2.0 ** (retry - 1))
    wait = backoff(retry, policy, rand=lambda: jitter)
    assert wait is not None
    assert ceiling / 2 <= wait <= ceiling


def test_retry_after_wins_unless_too_long() -> None:
    policy = RetryPolicy(max_retry_after=60)
    assert backoff(3, policy, retry_after=7.0) == 7.0
    assert backoff(1, policy, retry_after=0.0) == 0.0
    assert backoff(1, policy, retry_after=3600.0) is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("5", 5.0),
        (" 0.25 ", 0.25),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert parse_retry_after(header, now=now) == seconds


class Attempts:
    """Scripted attempts: each is an exception to raise, or events to yield."""

    def __init__(self, *script: errors.QwenchatError | list[Event]) -> None:
        self.script = list(script)
        self.calls = 0

    def __call__(self) -> Iterator[Event]:
        step = self.script[self.calls]
        self.calls += 1
        return self._run(step)

    @staticmethod
    def _run(step: errors.QwenchatError | list[Event]) -> Iterator[Event]:
        if isinstance(step, errors.QwenchatError):
            raise step
        yield from step


def run(attempts: Attempts, policy: RetryPolicy) -> tuple[list[Event], list[str], list[float]]:
    notices: list[str] = []
    sleeps: list[float] = []
    events = list(
        retrying(attempts, policy, notify=notices.append, sleep=sleeps.append, rand=lambda: 0.5)
    )
    return events, notices, sleeps


def test_retries_then_succeeds_announcing_each_attempt() -> None:
    attempts = Attempts(
        errors.ApiError("down", status=503),
        errors.RateLimitError("slow", status=429, retry_after=4.0),
        [AnswerDelta("hi"), Done()],
    )
    events, notices, sleeps = run(attempts, RetryPolicy(retries=2, base=1.0))
    assert events == [AnswerDelta("hi"), Done()]
    assert sleeps == [0.75, 4.0]
    assert notices == [
        "server error 503; retrying in 0.8 s (attempt 2 of 3)",
        "rate limited (429); retrying in 4.0 s (attempt 3 of 3)",
    ]


def test_gives_up_after_the_last_attempt() -> None:
    attempts = Attempts(*[errors.NetworkError("cannot reach")] * 3)
    with pytest.raises(errors.NetworkError):
        run(attempts, RetryPolicy(retries=2))
    assert attempts.calls == 3


def test_final_errors_are_raised_at_once() -> None:
    attempts = Attempts(errors.QuotaError("quota", status=429), [Done()])
    with pytest.raises(errors.QuotaError):
        run(attempts, RetryPolicy(retries=5))
    assert attempts.calls == 1


def test_nothing_is_retried_after_the_first_event() -> None:
    def cut() -> Iterator[Event]:
        yield AnswerDelta("partial")
        raise errors.NetworkError("the connection broke")

    calls: list[int] = []

    def attempt() -> Iterator[Event]:
        calls.append(1)
        return cut()

    events = retrying(attempt, RetryPolicy(retries=3), notify=print, sleep=print)
    assert next(events) == AnswerDelta("partial")
    with pytest.raises(errors.NetworkError):
        next(events)
    assert calls == [1]


def test_ctrl_c_during_the_wait_ends_it() -> None:
    def interrupted_sleep(_: float) -> None:
        raise KeyboardInterrupt

    attempts = Attempts(errors.ApiError("down", status=503), [Done()])
    with pytest.raises(KeyboardInterrupt):
        list(retrying(attempts, RetryPolicy(), notify=lambda _: None, sleep=interrupted_sleep))
    assert attempts.calls == 1
