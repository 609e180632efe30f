"""Batch safety: outputs tied to their input (fingerprint), profiles, saved endpoints, flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qwenchat.render.progress import left_text, time_left
from tests.conftest import Cli, assert_clean_failure, write_config
from tests.fakebatch import FakeBatches, Progression
from tests.fakeserver import Hang, Reply
from tests.tty import CTRL_C, Tty

FAST = ("--poll", "0.01")


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def prompts(cli: Cli, name: str, *texts: str) -> Path:
    path = cli.home / "work" / name
    path.write_text("".join(f"{t}\n" for t in texts))
    return path


@pytest.fixture
def service(cli: Cli) -> FakeBatches:
    return FakeBatches(cli.server)


def test_another_input_is_refused_not_answered_from_old_rows(cli: Cli) -> None:
    first = prompts(cli, "a.txt", "alpha", "beta")
    second = prompts(cli, "b.txt", "gamma", "delta")
    assert cli("batch", str(first), "-o", "same.jsonl").exit_code == 0
    out = cli.home / "work" / "same.jsonl"
    side = cli.home / "work" / "same.jsonl.fingerprint"
    assert oct(side.stat().st_mode & 0o777) == "0o600"
    sent = len(cli.server.chat_requests)
    refused = cli("batch", str(second), "-o", "same.jsonl")
    assert_clean_failure(refused, 2)
    assert "answers another input" in refused.stderr
    assert "--overwrite" in refused.stderr
    assert len(cli.server.chat_requests) == sent
    assert [r["prompt"] for r in lines(out)] == ["alpha", "beta"]
    again = cli("batch", str(second), "-o", "same.jsonl", "--overwrite")
    assert again.exit_code == 0, again.stderr
    assert [(r["prompt"], r["answer"]) for r in lines(out)] == [
        ("gamma", "echo: gamma"),
        ("delta", "echo: delta"),
    ]


def test_other_settings_are_refused_and_the_same_resume(cli: Cli) -> None:
    path = prompts(cli, "a.txt", "alpha")
    assert cli("batch", str(path), "-o", "o.jsonl").exit_code == 0
    other = cli("batch", str(path), "-o", "o.jsonl", "-m", "qwen-turbo")
    assert_clean_failure(other, 2)
    same = cli("batch", str(path), "-o", "o.jsonl")
    assert same.exit_code == 0, same.stderr
    assert "already done" in same.stderr


def test_a_file_of_unknown_origin_is_refused(cli: Cli) -> None:
    path = prompts(cli, "a.txt", "alpha")
    row = {"id": "1", "answer": "old", "usage": None, "finish_reason": "stop", "error": None}
    (cli.home / "work" / "o.jsonl").write_text(json.dumps(row) + "\n")
    result = cli("batch", str(path), "-o", "o.jsonl")
    assert_clean_failure(result, 2)
    assert cli.server.chat_requests == []


def test_rows_on_stdout_carry_their_prompt(cli: Cli) -> None:
    path = prompts(cli, "a.txt", "one", "two")
    result = cli("batch", str(path))
    assert [json.loads(line)["prompt"] for line in result.stdout.splitlines()] == ["one", "two"]


PROFILE = """
[profiles.fast]
model = "qwen-turbo"
"""


@pytest.mark.parametrize(
    "where", [("--profile", "fast", "batch"), ("batch", "run"), ("batch",)], ids=str
)
def test_profile_applies_before_or_after_the_command(cli: Cli, where: tuple[str, ...]) -> None:
    write_config(cli.home, PROFILE)
    path = prompts(cli, "a.txt", "hi")
    after = () if "--profile" in where else ("--profile", "fast")
    result = cli(*where, str(path), *after)
    assert result.exit_code == 0, result.stderr
    assert [r.body["model"] for r in cli.server.chat_requests] == ["qwen-turbo"]


def test_status_goes_to_the_endpoint_the_batch_was_sent_to(cli: Cli, service: FakeBatches) -> None:
    path = prompts(cli, "a.txt", "later")
    service.script(Progression(("validating", "in_progress", "completed")))
    submitted = cli("batch", str(path), "--remote", "--no-wait", "-o", "out.jsonl")
    assert submitted.exit_code == 0, submitted.stderr
    batch_id = submitted.stdout.strip()
    elsewhere = cli.env(QWENCHAT_BASE_URL="http://127.0.0.1:9/v1")
    status = cli("batch", "status", batch_id, env=elsewhere)
    assert status.exit_code == 0, status.stderr
    assert status.stdout.startswith(batch_id)
    fetched = cli("batch", "results", batch_id, *FAST, env=elsewhere)
    assert fetched.exit_code == 0, fetched.stderr
    assert lines(cli.home / "work" / "out.jsonl")[0]["prompt"] == "later"


def test_no_wait_on_a_finished_batch_writes_the_new_output(cli: Cli, service: FakeBatches) -> None:
    path = prompts(cli, "a.txt", "x")
    service.script(Progression(("validating", "completed")))
    first = cli("batch", str(path), "--remote", "--no-wait", "-o", "one.jsonl")
    assert first.exit_code == 0, first.stderr
    second = cli("batch", str(path), "--remote", "--no-wait", "-o", "two.jsonl", *FAST)
    assert second.exit_code == 0, second.stderr
    assert lines(cli.home / "work" / "two.jsonl")[0]["answer"] == "echo: x"
    assert len(service.batches) == 1  # the same batch, not paid for twice


def test_remote_think_is_one_usage_error_about_the_flag(cli: Cli, service: FakeBatches) -> None:
    path = prompts(cli, "a.txt", *(f"p{n}" for n in range(20)))
    result = cli("batch", str(path), "--remote", "--think")
    assert_clean_failure(result, 2)
    assert "--think" in result.stderr
    assert "invalid" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert cli.server.requests == []


def test_results_help_says_where_it_writes(cli: Cli) -> None:
    text = " ".join(cli("batch", "results", "--help").stdout.split())
    assert "the file given when the batch was submitted" in text


def test_batch_alone_prints_its_help(cli: Cli) -> None:
    result = cli("batch")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert "error" not in result.stderr


def test_time_left_is_the_average_rate_since_the_start() -> None:
    assert time_left(0, 100, 5.0) is None
    assert time_left(25, 100, 10.0) == pytest.approx(30.0)
    assert time_left(100, 100, 10.0) == 0.0
    # a watched remote batch: only what finished since the watch began counts
    assert time_left(60, 100, 10.0, done_at_start=50) == pytest.approx(40.0)
    assert time_left(50, 100, 10.0, done_at_start=50) is None
    assert left_text(65.2) == "1:05 left"
    assert left_text(3723) == "1:02:03 left"
    assert left_text(None) == ""


def test_ctrl_c_leaves_no_second_progress_bar(cli: Cli) -> None:
    path = prompts(cli, "a.txt", "one", "two", "three")
    cli.server.enqueue(Reply(answer="fast"), Hang(seconds=30), Hang(seconds=30))
    tty = Tty("batch", str(path), "-j", "1", "-o", "out.jsonl", env=cli.env())
    try:
        tty.wait_for("1/3")
        tty.pump(0.3)
        tty.send(CTRL_C)
        assert tty.wait_exit() == 130
        screen = tty.text()
        assert "stopped after 1 of 3 requests" in screen
        assert screen.count("batch (1 at a time)") <= 1
    finally:
        tty.close()
