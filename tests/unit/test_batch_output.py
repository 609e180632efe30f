"""Output files (0600, appended line by line, resumable, rewritten in order) and the 429 gate."""

from __future__ import annotations

import io
import stat
import threading
from pathlib import Path

import pytest

from qwenchat.batch.gate import BackoffGate
from qwenchat.batch.outfile import FileSink, StreamSink, read_previous
from qwenchat.core.batch_records import Record, failure
from qwenchat.core.errors import UsageError


def rec(item_id: str) -> Record:
    return Record(id=item_id, answer=f"answer {item_id}", finish_reason="stop")


def test_file_sink_appends_each_record_at_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    sink = FileSink(path, order=["1", "2", "3"], previous={})
    sink.write(rec("3"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_previous(path) == {"3": rec("3")}  # already on disk before close
    sink.write(rec("1"))
    sink.write(rec("2"))
    sink.close(complete=True)
    assert [line.split('"')[3] for line in path.read_text().splitlines()] == ["1", "2", "3"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*tmp"))


def test_resume_keeps_successes_and_replaces_failures(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text(rec("1").to_line() + failure("2", "boom").to_line() + '{"id": "3", "ans')
    previous = read_previous(path)
    assert previous["1"].ok
    assert not previous["2"].ok
    assert "3" not in previous  # the line cut short by a crash is dropped
    sink = FileSink(path, order=["1", "2", "3"], previous=previous)
    sink.write(rec("3"))
    sink.write(rec("2"))
    sink.close(complete=True)
    assert read_previous(path) == {"1": rec("1"), "2": rec("2"), "3": rec("3")}
    assert len(path.read_text().splitlines()) == 3


def test_interrupted_file_is_valid_jsonl_in_finishing_order(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    sink = FileSink(path, order=["1", "2"], previous={})
    sink.write(rec("2"))
    sink.close(complete=False)
    assert read_previous(path) == {"2": rec("2")}


def test_a_file_that_is_not_ours_is_never_touched(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# my notes\nplease keep\n")
    with pytest.raises(UsageError, match="not a qwenchat batch output"):
        read_previous(path)
    assert path.read_text() == "# my notes\nplease keep\n"


def test_stream_sink_writes_in_input_order() -> None:
    out = io.StringIO()
    sink = StreamSink(out, order=["a", "b", "c"])
    sink.write(rec("c"))
    sink.write(rec("b"))
    assert out.getvalue() == ""
    sink.write(rec("a"))
    assert [line.split('"')[3] for line in out.getvalue().splitlines()] == ["a", "b", "c"]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_gate_doubles_on_fresh_refusals_only_and_relaxes() -> None:
    clock = Clock()
    gate = BackoffGate(stop=threading.Event(), initial=1.0, longest=4.0, clock=clock)
    assert gate.slow_down(sent_at=99.0) == 1.0
    assert gate.until == 101.0
    assert gate.slow_down(sent_at=99.5) == 1.0  # already in flight when the pause began
    clock.now = 101.0
    assert gate.slow_down(sent_at=101.0) == 2.0
    assert gate.slow_down(sent_at=102.0) == 4.0
    assert gate.slow_down(sent_at=103.0) == 4.0  # never longer than `longest`
    gate.relax(sent_at=100.0)  # sent before this pause: says nothing
    assert gate.pause == 4.0
    gate.relax(sent_at=105.0)
    assert gate.pause == 2.0
    gate.relax(sent_at=105.0)
    gate.relax(sent_at=105.0)
    assert gate.pause == 0.0


def test_gate_wait_returns_false_when_stopping() -> None:
    stop = threading.Event()
    gate = BackoffGate(stop=stop, initial=30.0)
    gate.slow_down(sent_at=0.0)
    threading.Timer(0.05, stop.set).start()
    assert gate.wait() is False
