"""`qwenchat batch --remote` and `batch status|results|cancel|list` against the fake service."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Cli, assert_clean_failure
from tests.fakebatch import FakeBatches, Progression
from tests.fakeserver import Error, Reply

FAST = ("--poll", "0.01")


@pytest.fixture
def service(cli: Cli) -> FakeBatches:
    return FakeBatches(cli.server)


def write_jsonl(cli: Cli, *objs: object) -> Path:
    path = cli.home / "work" / "in.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objs))
    return path


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def created(cli: Cli) -> list[dict[str, object]]:
    return [
        r.body for r in cli.server.requests if r.method == "POST" and r.path.endswith("/batches")
    ]


def test_uploaded_file_is_exactly_what_the_service_expects(cli: Cli, service: FakeBatches) -> None:
    path = write_jsonl(
        cli, {"id": "a", "prompt": "你好"}, {"id": "b", "prompt": "bye", "max_tokens": 5}
    )
    result = cli("batch", str(path), "--remote", "-m", "qwen-turbo", "-s", "be brief", *FAST)
    assert result.exit_code == 0, result.stderr
    (upload,) = service.uploads()
    assert upload.purpose == "batch"
    assert upload.filename.endswith(".jsonl")
    system = {"role": "system", "content": "be brief"}
    # the test service is not a DashScope host: thinking is switched both ways
    local_switch = {"chat_template_kwargs": {"enable_thinking": False}}
    assert [json.loads(line) for line in upload.data.decode().splitlines()] == [
        {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",
         "body": {"model": "qwen-turbo", "enable_thinking": False, **local_switch,
                  "messages": [system, {"role": "user", "content": "你好"}]}},
        {"custom_id": "b", "method": "POST", "url": "/v1/chat/completions",
         "body": {"model": "qwen-turbo", "enable_thinking": False, "max_tokens": 5,
                  **local_switch, "messages": [system, {"role": "user", "content": "bye"}]}},
    ]  # fmt: skip
    (body,) = created(cli)
    assert body["input_file_id"] == upload.id
    assert body["endpoint"] == "/v1/chat/completions"
    assert body["completion_window"] == "24h"
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["answer"]) for r in records] == [("a", "echo: 你好"), ("b", "echo: bye")]
    assert "completed" in result.stderr
    assert "batch: 2 requests · 0 failed" in result.stderr


def test_partial_failure_maps_errors_back_by_id(cli: Cli, service: FakeBatches) -> None:
    path = write_jsonl(cli, *({"id": f"r{n}", "prompt": f"p{n}"} for n in range(3)))
    refused = Error(
        400, "Input data may contain inappropriate content", code="data_inspection_failed"
    )
    cli.server.enqueue(Reply(answer="one"), refused)
    result = cli("batch", str(path), "--remote", "-o", "out.jsonl", *FAST)
    assert_clean_failure(result, 1)
    assert "1 of 3 requests failed" in result.stderr
    records = lines(cli.home / "work" / "out.jsonl")
    assert [r["id"] for r in records] == ["r0", "r1", "r2"]
    assert records[0]["answer"] == "one"
    assert records[1]["error"] == {"message": "Input data may contain inappropriate content",
                                   "status": 400, "code": "data_inspection_failed"}  # fmt: skip
    assert records[2]["answer"] == "echo: p2"


@pytest.mark.parametrize("status", ["expired", "cancelled"])
def test_unprocessed_requests_are_failures_to_retry(
    cli: Cli, service: FakeBatches, status: str
) -> None:
    path = write_jsonl(cli, *({"id": n, "prompt": f"p{n}"} for n in range(3)))
    service.script(Progression(("validating", "in_progress", status), processed=1))
    result = cli("batch", str(path), "--remote", "-o", "out.jsonl", *FAST)
    assert_clean_failure(result, 1)
    records = lines(cli.home / "work" / "out.jsonl")
    assert records[0]["error"] is None
    assert records[1]["error"]["message"] == f"not processed: the batch ended {status}"
    again = cli("batch", str(path), "--remote", "-o", "out.jsonl", *FAST)
    assert again.exit_code == 0, again.stderr
    second = service.uploads()[-1].data.decode().splitlines()
    assert [json.loads(line)["custom_id"] for line in second] == ["1", "2"]
    assert [r["error"] for r in lines(cli.home / "work" / "out.jsonl")] == [None] * 3


def test_failed_batch_reports_the_services_reasons(cli: Cli, service: FakeBatches) -> None:
    path = write_jsonl(cli, {"id": "a", "prompt": "p"})
    service.script(Progression(("validating", "failed")))
    result = cli("batch", str(path), "--remote", *FAST)
    assert_clean_failure(result, 1)
    (batch_id,) = service.batches
    assert f"qwenchat: error: batch {batch_id} failed" in result.stderr


def test_no_wait_then_status_results_and_list(cli: Cli, service: FakeBatches) -> None:
    path = write_jsonl(cli, {"id": "x", "prompt": "later"})
    service.script(Progression(("validating", "in_progress", "in_progress", "completed")))
    submitted = cli("batch", str(path), "--remote", "--no-wait", "-o", "out.jsonl")
    assert submitted.exit_code == 0, submitted.stderr
    batch_id = submitted.stdout.strip()
    assert batch_id in service.batches
    status = cli("batch", "status", batch_id)
    assert status.stdout.startswith(f"{batch_id}  in_progress")
    early = cli("batch", "results", batch_id, "--no-wait")
    assert_clean_failure(early, 2)
    fetched = cli("batch", "results", batch_id, *FAST)
    assert fetched.exit_code == 0, fetched.stderr
    assert "writing results to out.jsonl" in fetched.stderr  # the file named at submission
    assert lines(cli.home / "work" / "out.jsonl")[0]["answer"] == "echo: later"
    listed = cli("batch", "list")
    assert listed.stdout.startswith(f"{batch_id}  completed")


def test_cancel(cli: Cli, service: FakeBatches) -> None:
    path = write_jsonl(cli, {"id": "x", "prompt": "stop me"})
    batch_id = cli("batch", str(path), "--remote", "--no-wait").stdout.strip()
    result = cli("batch", "cancel", batch_id)
    assert result.exit_code == 0, result.stderr
    assert "cancelling" in result.stdout
    assert "cancelled" in cli("batch", "status", batch_id).stdout


def test_unknown_batch_is_one_clean_error(cli: Cli, service: FakeBatches) -> None:
    result = cli("batch", "status", "batch_nope")
    assert_clean_failure(result, 1)
    assert "does not know it (404)" in result.stderr


def test_interrupted_wait_resumes_the_same_batch(cli: Cli, service: FakeBatches) -> None:
    path = write_jsonl(cli, {"id": "a", "prompt": "slow"}, {"id": "b", "prompt": "poke"})
    service.script(Progression(("validating", *["in_progress"] * 400, "completed")))
    args = [sys.executable, "-m", "qwenchat", "batch", str(path), "--remote", "--poll", "0.05"]
    child = subprocess.Popen(args, env=cli.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not service.batches and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=20)
    assert child.returncode == 130, stderr
    (batch_id,) = service.batches
    assert f"qwenchat batch results {batch_id}" in stderr.decode()
    service.batches[batch_id].step = 400  # the service finished meanwhile
    result = cli("batch", str(path), "--remote", "-o", "out.jsonl", *FAST)
    assert result.exit_code == 0, result.stderr
    assert f"resuming {batch_id}" in result.stderr
    assert len(service.uploads()) == 1
    assert len(service.batches) == 1
    answers = [r["answer"] for r in lines(cli.home / "work" / "out.jsonl")]
    assert answers == ["echo: slow", "echo: poke"]
    saved = cli.home / "data" / "qwenchat" / "batches" / f"{batch_id}.json"
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    assert TEST_KEY not in saved.read_text()


def test_remote_refuses_thinking_before_uploading(cli: Cli, service: FakeBatches) -> None:
    path = write_jsonl(cli, {"id": "a", "prompt": "p"})
    result = cli("batch", str(path), "--remote", "-m", "qwq-plus")
    assert_clean_failure(result, 2)
    assert "only by streaming" in result.stderr
    assert cli.server.requests == []
