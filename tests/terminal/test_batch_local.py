"""`qwenchat batch` with the local route, end to end against the loopback server."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Cli, assert_clean_failure
from tests.fakeserver import Error, Hang, Reply
from tests.tty import Tty


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def prompts(cli: Cli, count: int, name: str = "prompts.txt") -> Path:
    path = cli.home / "work" / name
    path.write_text("".join(f"prompt {n}\n" for n in range(1, count + 1)))
    return path


def sent_prompts(cli: Cli) -> list[str]:
    return sorted(r.body["messages"][-1]["content"] for r in cli.server.chat_requests)


def test_results_come_back_in_input_order_on_stdout(cli: Cli) -> None:
    path = prompts(cli, 12)
    result = cli("batch", str(path), "-j", "4", "-m", "qwen-turbo", "--temperature", "0.3")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [str(n) for n in range(1, 13)]
    assert records[4]["answer"] == "echo: prompt 5"
    assert records[4]["finish_reason"] == "stop"
    assert records[4]["error"] is None
    assert records[4]["usage"]["total_tokens"] > 0
    body = cli.server.chat_requests[0].body
    assert body["model"] == "qwen-turbo"
    assert body["temperature"] == 0.3
    assert "batch: 12 requests · 0 failed" in result.stderr


def test_run_subcommand_jsonl_from_stdin_and_reasoning(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="hmm", answer="yes"))
    text = json.dumps({"id": "q1", "messages": [{"role": "user", "content": "really?"}]}) + "\n"
    result = cli("batch", "run", "-", "-m", "qwen3-32b", input=text)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["id"], record["answer"], record["reasoning"]) == ("q1", "yes", "hmm")
    assert cli.server.chat_requests[0].body["stream"] is True


def test_invalid_lines_are_reported_and_nothing_is_sent(cli: Cli) -> None:
    path = cli.home / "work" / "in.jsonl"
    path.write_text('{"id": 1, "prompt": "ok"}\n{"id": 2}\n{"id": 3, "prompt": "x", "seed": -1}\n')
    result = cli("batch", str(path))
    assert_clean_failure(result, 2)
    assert "line 2:" in result.stderr
    assert "line 3: seed must be" in result.stderr
    assert cli.server.requests == []


def test_partial_failure_keeps_going_and_exits_1(cli: Cli) -> None:
    path = prompts(cli, 3)
    cli.server.enqueue(Error(400, "Range of input length should be [1, 30720]", code="bad"))
    result = cli("batch", str(path), "-j", "1", "-o", "out.jsonl")
    assert_clean_failure(result, 1)
    assert "1 of 3 requests failed" in result.stderr
    records = lines(cli.home / "work" / "out.jsonl")
    assert [r["error"] is None for r in records] == [False, True, True]
    assert records[0]["error"]["status"] == 400
    assert "Range of input length" in records[0]["error"]["message"]
    assert len(cli.server.chat_requests) == 3  # a 400 is not retried


def test_resume_skips_finished_ids_and_retries_failed_ones(cli: Cli) -> None:
    path = prompts(cli, 5)
    out = cli.home / "work" / "out.jsonl"
    done = {"id": "2", "answer": "old", "reasoning": None, "usage": None,
            "finish_reason": "stop", "error": None}  # fmt: skip
    failed = {**done, "id": "4", "answer": None, "error": {"message": "boom"}}
    assert cli("batch", str(path), "-o", str(out)).exit_code == 0  # the file is this input's
    before = len(cli.server.chat_requests)
    out.write_text(json.dumps(done) + "\n" + json.dumps(failed) + "\n")
    result = cli("batch", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    sent = sorted(r.body["messages"][-1]["content"] for r in cli.server.chat_requests[before:])
    assert sent == ["prompt 1", "prompt 3", "prompt 4", "prompt 5"]
    records = lines(out)
    assert [r["id"] for r in records] == ["1", "2", "3", "4", "5"]
    assert records[1]["answer"] == "old"
    assert records[3]["answer"] == "echo: prompt 4"
    assert "1 already done" in result.stderr
    again = cli("batch", str(path), "-o", str(out))
    assert again.exit_code == 0
    assert "already done" in again.stderr
    assert len(cli.server.chat_requests) == before + 4


def test_rate_limit_pauses_the_whole_pool(cli: Cli) -> None:
    path = prompts(cli, 16)
    cli.server.enqueue(Error(429, "Requests rate limit exceeded", code="Throttling"))
    result = cli("batch", str(path), "-j", "4", "-o", "out.jsonl")
    assert result.exit_code == 0, result.stderr
    requests = cli.server.chat_requests
    assert len(requests) == 17  # every prompt once, plus the one retry
    refused = requests[0].at
    # the pause is 1 s; allow the few requests already on their way when the 429 came back
    during = [r for r in requests[1:] if refused + 0.3 < r.at < refused + 0.9]
    assert during == []
    assert requests[-1].at - refused >= 0.9
    assert all(r["error"] is None for r in lines(cli.home / "work" / "out.jsonl"))


def test_retries_server_errors_then_records_the_failure(cli: Cli) -> None:
    path = prompts(cli, 1)
    cli.server.enqueue(*[Error(500, "internal error")] * 4)
    result = cli("batch", str(path))
    assert_clean_failure(result, 1)
    assert len(cli.server.chat_requests) == 4
    assert json.loads(result.stdout)["error"]["status"] == 500


def test_a_wrong_key_stops_the_batch(cli: Cli) -> None:
    path = prompts(cli, 20)
    result = cli("batch", str(path), "-j", "2", env=cli.env(DASHSCOPE_API_KEY="sk-wrong-key-000"))
    assert_clean_failure(result, 1)
    assert "authentication failed" in result.stderr
    assert len(cli.server.chat_requests) <= 3


def test_ctrl_c_leaves_a_valid_file_that_resumes(cli: Cli) -> None:
    path = prompts(cli, 8)
    out = cli.home / "work" / "out.jsonl"
    cli.server.enqueue(Reply(answer="a"), Reply(answer="b"), Reply(answer="c"), Hang(30))
    child = subprocess.Popen(
        [sys.executable, "-m", "qwenchat", "batch", str(path), "-j", "1", "-o", str(out)],
        env=cli.env(), stderr=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while len(cli.server.chat_requests) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=20)
    assert child.returncode == 130, stderr
    assert "run the same command again to resume" in stderr.decode()
    assert [r["answer"] for r in lines(out)] == ["a", "b", "c"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    cli.server.reset()
    result = cli("batch", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert sent_prompts(cli) == [f"prompt {n}" for n in range(4, 9)]
    assert [r["id"] for r in lines(out)] == [str(n) for n in range(1, 9)]


def test_progress_bar_on_a_terminal(cli: Cli, tmp_path: Path) -> None:
    path = prompts(cli, 5)
    tty = Tty("batch", str(path), "-o", str(tmp_path / "out.jsonl"), env=cli.env())
    try:
        tty.wait_for("batch: 5 requests")
        assert tty.wait_exit() == 0
        screen = tty.text()
        assert "5/5" in screen
        assert "0 failed" in screen
    finally:
        tty.close()


@pytest.mark.parametrize("args", [("-j", "0"), ("--format", "csv"), ("--poll", "0")])
def test_bad_options_are_usage_errors(cli: Cli, args: tuple[str, ...]) -> None:
    path = prompts(cli, 1)
    assert_clean_failure(cli("batch", str(path), *args), 2)
    assert cli.server.requests == []


def test_missing_input_file(cli: Cli) -> None:
    result = cli("batch", "nowhere.txt")
    assert_clean_failure(result, 2)
    assert "cannot read nowhere.txt" in result.stderr


def test_key_never_lands_in_the_output(cli: Cli) -> None:
    path = prompts(cli, 2)
    cli("batch", str(path), "-o", "out.jsonl")
    assert TEST_KEY not in (cli.home / "work" / "out.jsonl").read_text()


def test_batch_commands_are_in_help_and_docs(cli: Cli) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "batch.md").read_text(encoding="utf-8")
    shown = cli("batch", "--help").stdout
    for name in ("run", "status", "results", "cancel", "list"):
        assert name in shown
        assert f"qwenchat batch {name}" in doc or name == "run"
    assert "qwenchat batch run INPUT" in doc


def test_wiring_the_batch_commands_keeps_startup_light() -> None:
    heavy = "('openai', 'rich.progress')"
    code = f"import sys, qwenchat.cli.app; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
