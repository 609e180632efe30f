"""`qwenchat batch results BATCH_ID`: rows from the output and error files alone (the service never
gives an uploaded batch input back), prompts from the local record, and counts checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import Cli, assert_clean_failure
from tests.fakebatch import FakeBatches, Progression
from tests.fakeserver import Error, Reply

FAST = ("--poll", "0.01")
LATER = Progression(("validating", "in_progress", "completed"))


@pytest.fixture
def service(cli: Cli) -> FakeBatches:
    return FakeBatches(cli.server)


def submit(cli: Cli, service: FakeBatches, *prompts: str) -> str:
    path = cli.home / "work" / "in.jsonl"
    path.write_text("".join(json.dumps({"id": str(n), "prompt": p}) + "\n"
                            for n, p in enumerate(prompts)))  # fmt: skip
    service.script(LATER)
    submitted = cli("batch", str(path), "--remote", "--no-wait", "-o", "out.jsonl")
    assert submitted.exit_code == 0, submitted.stderr
    return submitted.stdout.strip()


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def content_reads(cli: Cli) -> list[str]:
    return [r.path for r in cli.server.requests if r.path.endswith("/content")]


def test_results_never_download_the_input_and_take_prompts_from_the_record(
    cli: Cli, service: FakeBatches
) -> None:
    cli.server.enqueue(Reply(answer="first"), Error(400, "bad line", code="invalid_parameter"))
    batch_id = submit(cli, service, "why is the sky blue", "and the sea")
    fetched = cli("batch", "results", batch_id, *FAST)
    assert_clean_failure(fetched, 1)  # one of the two failed: said, and the rows are written
    written = rows(cli.home / "work" / "out.jsonl")
    assert [(r["id"], r["prompt"]) for r in written] == [
        ("0", "why is the sky blue"),
        ("1", "and the sea"),
    ]
    assert written[0]["answer"] == "first"
    assert written[1]["error"] is not None
    input_id = service.batches[batch_id].input_file_id
    assert content_reads(cli)  # the result files were read ...
    assert not any(input_id in path for path in content_reads(cli))  # ... the input never


def test_results_of_a_batch_with_no_local_record_are_written_in_file_order(
    cli: Cli, service: FakeBatches
) -> None:
    batch_id = submit(cli, service, "one", "two")
    shutil.rmtree(cli.home / "data" / "qwenchat" / "batches")
    fetched = cli("batch", "results", batch_id, "-o", "elsewhere.jsonl", *FAST)
    assert fetched.exit_code == 0, fetched.stderr
    written = rows(cli.home / "work" / "elsewhere.jsonl")
    assert [r["answer"] for r in written] == ["echo: one", "echo: two"]
    assert "2 requests" in fetched.stderr


def test_counts_beyond_the_results_read_are_a_failure(cli: Cli, service: FakeBatches) -> None:
    batch_id = submit(cli, service, "one")
    shutil.rmtree(cli.home / "data" / "qwenchat" / "batches")
    assert cli("batch", "status", batch_id).exit_code == 0  # validating → in_progress
    assert cli("batch", "status", batch_id).exit_code == 0  # → completed, files written
    batch = service.batches[batch_id]
    batch.output_file_id = None  # a service that counts 5 results and gives no file
    batch.completed, batch.total = 5, 5
    fetched = cli("batch", "results", batch_id, *FAST)
    assert_clean_failure(fetched, 1)
    assert f"batch {batch_id} reports 5 finished requests but no result file" in fetched.stderr
    assert "exit 0" not in fetched.stderr
