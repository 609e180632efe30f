"""The elapsed-time line: its text, and that it stays off anything but a terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from qwenchat.render.waiting import Elapsed, WaitingStatus, elapsed


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0 s"), (7.9, "7 s"), (60, "1 min 00 s"), (125, "2 min 05 s")]
)
def test_elapsed(seconds: float, text: str) -> None:
    assert elapsed(seconds) == text


def test_the_line_reads_the_clock_each_time_it_is_drawn() -> None:
    now = [100.0]
    line = Elapsed("waiting for the reply", clock=lambda: now[0])
    assert line.text() == "waiting for the reply… 0 s"
    now[0] = 112.4
    line.relabel("thinking")
    assert line.text() == "thinking… 12 s"


def test_status_is_drawn_on_a_terminal_and_erased() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=60)
    status = WaitingStatus(console)
    status.start("waiting for the reply")
    assert status.active
    status.stop()
    assert not status.active
    assert "waiting for the reply… 0 s" in out.getvalue()


def test_status_stays_off_a_pipe() -> None:
    out = io.StringIO()
    status = WaitingStatus(Console(file=out, force_terminal=False))
    status.start("waiting for the reply")
    assert not status.active
    status.stop()
    assert out.getvalue() == ""
