"""`qwenchat batch` against hostile outputs, inputs and servers: it always finishes, cleanly."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

from tests.conftest import Cli, assert_clean_failure
from tests.fakebatch import FakeBatches
from tests.hostileserver import SEPARATORS_ANSWER


def write(cli: Cli, name: str, text: str) -> Path:
    path = cli.home / "work" / name
    path.write_text(text, encoding="utf-8")
    return path


def records(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.split("\n") if line]


def char_device(where: Path) -> Path:
    """A private twin of /dev/null (root may make one); /dev/null itself when we are not root."""
    path = where / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return path


def test_a_character_device_output_is_written_not_replaced(hostile: Cli) -> None:
    device = char_device(hostile.home)
    path = write(hostile, "p.txt", "one\ntwo\n")
    result = hostile("batch", str(path), "-o", str(device))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert [p.name for p in device.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_fifo_output_gets_every_record_in_input_order(hostile: Cli) -> None:
    fifo = hostile.home / "results.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    path = write(hostile, "p.txt", "".join(f"prompt {n}\n" for n in range(1, 7)))
    result = hostile("batch", str(path), "-j", "3", "-o", str(fifo))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [r["id"] for r in records(got[0].decode())] == [str(n) for n in range(1, 7)]


def test_dash_output_means_stdout(hostile: Cli) -> None:
    path = write(hostile, "p.txt", "one\ntwo\n")
    result = hostile("batch", str(path), "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert [r["answer"] for r in records(result.stdout)] == ["echo: one", "echo: two"]
    assert not (hostile.home / "work" / "-").exists()


def test_planted_symlinks_at_temporary_names_are_not_followed(hostile: Cli) -> None:
    victim = hostile.home / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    work = hostile.home / "work"
    for name in (f".out.jsonl.{os.getpid()}.tmp", ".out.jsonl.tmp", "out.jsonl.tmp"):
        (work / name).symlink_to(victim)
    path = write(hostile, "p.txt", "one\ntwo\n")
    result = hostile("batch", str(path), "-o", "out.jsonl")
    assert result.exit_code == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "precious"
    assert [r["id"] for r in records((work / "out.jsonl").read_text())] == ["1", "2"]
    assert stat.S_IMODE(os.stat(work / "out.jsonl").st_mode) == 0o600


def test_a_reply_nested_too_deeply_is_that_items_error_row(hostile: Cli) -> None:
    lines = [{"id": "a", "prompt": "x"}, {"id": "b", "prompt": "y", "model": "nested-chunk"},
             {"id": "c", "prompt": "z"}]  # fmt: skip
    path = write(hostile, "in.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    result = hostile.subprocess("batch", str(path), "-j", "2")  # a hang would time out
    assert_clean_failure(result, 1)
    got = {r["id"]: r for r in records(result.stdout)}
    assert got["a"]["answer"] == "echo: x"
    assert got["c"]["answer"] == "echo: z"
    assert "nested too deeply" in str(got["b"]["error"])
    assert "1 of 3 requests failed" in result.stderr


def test_a_lone_surrogate_in_a_prompt_is_that_items_error_row(hostile: Cli) -> None:
    path = write(
        hostile, "in.jsonl", '{"id": "s", "prompt": "bad \\ud800"}\n{"id": "t", "prompt": "ok"}\n'
    )
    result = hostile.subprocess("batch", str(path), "-o", "out.jsonl")
    assert_clean_failure(result, 1)
    got = {r["id"]: r for r in records((hostile.home / "work" / "out.jsonl").read_text())}
    assert got["t"]["answer"] == "echo: ok"
    assert "not valid Unicode" in str(got["s"]["error"])


def test_a_5000_digit_integer_is_a_clean_input_error(hostile: Cli) -> None:
    huge = "9" * 5000
    path = write(hostile, "in.jsonl", f'{{"id": 1, "prompt": "x", "seed": {huge}}}\n')
    result = hostile("batch", str(path))
    assert_clean_failure(result, 2)
    assert "line 1: a number has too many digits" in result.stderr
    big = write(hostile, "big.jsonl", f'{{"id": 1, "prompt": "x", "max_tokens": {"9" * 4000}}}\n')
    result = hostile("batch", str(big))
    assert_clean_failure(result, 2)
    assert "line 1:" in result.stderr
    deep = write(hostile, "deep.jsonl", '{"id": 1, "prompt": "x", "stop": ' + "[" * 100_000 + "\n")
    result = hostile("batch", str(deep), "--format", "jsonl")
    assert_clean_failure(result, 2)
    assert hostile.server.requests == []


def test_line_separators_inside_lines_do_not_split_them(hostile: Cli) -> None:
    # (what comes back is checked on the remote path below: a streamed reply with U+2028 is
    # the SSE reader's business, and the requests sent are what the input's lines decide)
    text = write(hostile, "p.txt", "first\u2028still first\x85too\nsecond\n")
    result = hostile("batch", str(text), "-j", "1")
    assert "Traceback" not in result.stderr
    assert [r["id"] for r in records(result.stdout)] == ["1", "2"]  # the editor's line numbers
    sent = [r.body["messages"][-1]["content"] for r in hostile.server.chat_requests]
    assert set(sent) == {"first\u2028still first\x85too", "second"}  # (a failed stream is retried)
    hostile.server.reset()
    jsonl = write(hostile, "in.jsonl", '{"id": "u", "prompt": "a\u2028b"}\n')
    result = hostile("batch", str(jsonl))
    assert "invalid line" not in result.stderr
    assert {r.body["messages"][-1]["content"] for r in hostile.server.chat_requests} == {"a\u2028b"}


def test_remote_answers_with_line_separators_are_kept(hostile: Cli) -> None:
    FakeBatches(hostile.server)
    path = write(hostile, "in.jsonl", '{"id": "r", "prompt": "hi"}\n')
    result = hostile("batch", str(path), "--remote", "-m", "u2028", "--poll", "0.01")
    assert result.exit_code == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["answer"] == SEPARATORS_ANSWER
    assert record["error"] is None


def test_the_data_directory_is_private_whatever_the_umask(hostile: Cli) -> None:
    FakeBatches(hostile.server)
    path = write(hostile, "in.jsonl", '{"id": "r", "prompt": "hi"}\n')
    old = os.umask(0)
    try:
        result = hostile("batch", str(path), "--remote", "--poll", "0.01")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    data = hostile.home / "data" / "qwenchat"
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data / "batches").st_mode) == 0o700
