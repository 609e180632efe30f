"""A full disk and an unwritable data directory, simulated in ways that stop root too:
/dev/full, a file-size limit (RLIMIT_FSIZE), a file where a directory belongs."""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import Cli, assert_clean_failure
from tests.fakeserver import Reply

ITEMS = 40


def write_items(cli: Cli, count: int = ITEMS) -> Path:
    path = cli.home / "work" / "in.jsonl"
    path.write_text(
        "".join(json.dumps({"id": str(i), "prompt": f"p{i}"}) + "\n" for i in range(count))
    )
    return path


def test_a_batch_to_a_full_device_stops_with_one_line(hostile: Cli) -> None:
    result = hostile("batch", str(write_items(hostile)), "-o", "/dev/full")
    assert_clean_failure(result, 1)
    assert "cannot write" in result.stderr
    assert "No space left on device" in result.stderr


def test_a_batch_past_the_file_size_limit_keeps_every_row_written(hostile: Cli) -> None:
    out = hostile.home / "work" / "out.jsonl"
    limit = 2000  # bytes: a few records fit, the rest do not

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "qwenchat", "batch", str(write_items(hostile)), "-o", str(out),
         "-j", "1"],
        capture_output=True, env=hostile.env(), timeout=60, preexec_fn=small_files, check=False,
    )  # fmt: skip
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "File too large" in stderr
    assert "results written before are kept" in stderr
    kept = out.read_bytes()
    assert 0 < len(kept) <= limit
    rows = [json.loads(line) for line in kept.split(b"\n")[:-1]]
    assert rows
    assert all(row["answer"] == f"echo: p{row['id']}" for row in rows)
    # with room again, the run resumes: only the missing ids are asked
    before = len(hostile.server.chat_requests)
    again = hostile("batch", str(write_items(hostile)), "-o", str(out))
    assert again.exit_code == 0, again.stderr
    assert len(hostile.server.chat_requests) - before == ITEMS - len(rows)
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [
        str(i) for i in range(ITEMS)
    ]


@contextlib.contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """Paths even root cannot change (`chattr +i`), restored afterwards."""
    subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def test_a_read_only_data_directory_is_still_read(hostile: Cli) -> None:
    assert hostile("ask", "first question").exit_code == 0
    data = hostile.home / "data" / "qwenchat"
    with immutable(data, data / "conversations.db"):
        listed = hostile("sessions", "list")
        assert listed.exit_code == 0, listed.stderr
        assert "first question" in listed.stdout
        shown = hostile("sessions", "show", "1")
        assert shown.exit_code == 0, shown.stderr
        assert "echo: first question" in shown.stdout
        asked = hostile("ask", "second question")
        assert asked.exit_code == 0, asked.stderr
        assert asked.stdout == "echo: second question\n"
        assert "warning: cannot write" in asked.stderr
        assert "this answer is not saved" in asked.stderr
        removed = hostile("sessions", "rm", "1", "--yes")
        assert_clean_failure(removed, 1)
        resumed = " ".join(_chat(hostile, "/resume 1", "hello again").split())
    assert "opened read-only, nothing new is saved" in resumed
    assert "resumed #1: first question" in resumed
    assert "echo: hello again" in resumed
    assert "Traceback" not in resumed
    assert "first question" in hostile("sessions", "list").stdout
    assert "second question" not in hostile("sessions", "list").stdout


def _chat(cli: Cli, *lines: str, shell: str | None = None) -> str:
    """Type `lines` into the real chat in a pty; the screen at the end."""
    from tests.tty import PROMPT, Tty, say

    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="30")
    session = Tty(env=env, shell=shell)
    try:
        session.wait_for(PROMPT)
        for line in lines:
            say(session, line)
        return session.text()
    finally:
        session.close()


def test_a_full_disk_mid_chat_warns_once_and_the_chat_goes_on(hostile: Cli) -> None:
    big = "x" * 200_000  # the store cannot take this turn under the file-size limit
    hostile.server.enqueue(Reply(answer="small answer"), Reply(answer=big, chunk_size=50_000))
    screen = _chat(
        hostile, "one", "two", "three",
        shell=f"ulimit -f 512; exec {sys.executable} -m qwenchat",
    )  # fmt: skip
    assert "Traceback" not in screen
    assert screen.count("no longer saved") == 1
    assert "echo: three" in screen  # the message typed after the failure was answered
    turns = hostile("sessions", "show", "1").stdout
    assert "small answer" in turns
    assert big not in turns
