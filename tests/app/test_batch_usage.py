"""Batch runs in `qwenchat usage`: local at the real-time price, remote at the Batch price."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qwenchat.core.cost import turn_cost
from qwenchat.core.events import Usage
from qwenchat.core.prices import DEFAULT_PRICES
from tests.conftest import Cli
from tests.fakebatch import FakeBatches, Progression

PRICE = '[models."qwen-turbo".price]\ncurrency = "USD"\ninput = 0.05\noutput = 0.2\n'


def setup(cli: Cli, count: int) -> Path:
    config = cli.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(PRICE)
    path = cli.home / "work" / "in.txt"
    path.write_text("".join(f"prompt number {n}\n" for n in range(count)))
    return path


def expected(out: Path, factor: float) -> tuple[float, int]:
    records = [json.loads(line) for line in out.read_text().splitlines()]
    cost = sum(
        (r["usage"]["prompt_tokens"] * 0.05 + r["usage"]["completion_tokens"] * 0.2) / 1e6
        for r in records
    )
    return cost * factor, sum(r["usage"]["prompt_tokens"] for r in records)


def report(cli: Cli, *args: str) -> dict[str, object]:
    result = cli("usage", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_local_batch_is_counted_at_the_real_time_price(cli: Cli) -> None:
    path = setup(cli, 5)
    result = cli("batch", str(path), "-m", "qwen-turbo", "-o", "out.jsonl")
    assert result.exit_code == 0, result.stderr
    cost, prompt = expected(cli.home / "work" / "out.jsonl", 1.0)
    total = report(cli)["total"]
    assert total["turns"] == 5
    assert total["prompt_tokens"] == prompt
    assert total["cost"] == [{"amount": pytest.approx(cost, abs=1e-6), "currency": "USD"}]
    rows = report(cli, "--by", "conversation")["rows"]
    assert [row["key"] for row in rows] == [f"batch {path}"]


def test_a_remote_batch_is_counted_once_at_half_price(cli: Cli) -> None:
    service = FakeBatches(cli.server)
    path = setup(cli, 4)
    service.script(Progression(("validating", "completed")))
    result = cli("batch", str(path), "--remote", "-m", "qwen-turbo", "-o", "out.jsonl",
                 "--poll", "0.01")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    cost, _ = expected(cli.home / "work" / "out.jsonl", 0.5)
    assert report(cli)["total"]["cost"] == [
        {"amount": pytest.approx(cost, abs=1e-6), "currency": "USD"}
    ]
    (batch_id,) = service.batches
    again = cli("batch", "results", batch_id, "--poll", "0.01")  # fetched again: counted once
    assert again.exit_code == 0, again.stderr
    total = report(cli, "--by", "model")["total"]
    assert total["turns"] == 4
    assert total["cost"][0]["amount"] == pytest.approx(cost, abs=1e-6)


def test_the_batch_price_is_half_the_table_price() -> None:
    price = DEFAULT_PRICES.find("qwen-plus", "cn")
    assert price is not None
    tier = price.tiers[0]
    usage = Usage(prompt_tokens=400 * 120, completion_tokens=400 * 80)
    full = (usage.prompt_tokens * tier.input + usage.completion_tokens * tier.output) / 1e6
    assert turn_cost(price, usage, batch=True).amount == pytest.approx(full / 2)


def test_results_fetched_later_are_priced_for_the_model_that_answered(cli: Cli) -> None:
    FakeBatches(cli.server)  # the Batch service on the fake server
    path = setup(cli, 3)
    submitted = cli("batch", str(path), "--remote", "--no-wait", "-m", "qwen-turbo")
    assert submitted.exit_code == 0, submitted.stderr
    fetched = cli("batch", "results", submitted.stdout.strip(), "-o", "out.jsonl", "--poll", "0.01")
    assert fetched.exit_code == 0, fetched.stderr
    cost, _ = expected(cli.home / "work" / "out.jsonl", 0.5)
    rows = report(cli, "--by", "model")["rows"]
    assert [(r["key"], r["unpriced_turns"]) for r in rows] == [("qwen-turbo", 0)]
    assert rows[0]["cost"][0]["amount"] == pytest.approx(cost, abs=1e-6)


def test_budget_lines_before_and_after_a_batch(cli: Cli) -> None:
    path = setup(cli, 5)
    config = cli.home / "config" / "qwenchat" / "config.toml"
    config.write_text("monthly_budget = 0.0001\n" + PRICE.replace("0.05", "100"))
    result = cli("batch", str(path), "-m", "qwen-turbo", "-o", "out.jsonl")
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "budget" in line]
    assert len(notes) == 2, result.stderr
    assert notes[0].startswith("this batch, about $")
    assert "for 5 prompts (from their input size)" in notes[0]
    assert notes[0].endswith("past the monthly budget of $0.0001")
    assert "this month's spend $" in notes[1]
    assert notes[1].endswith("has passed the monthly budget of $0.0001")
    again = cli("batch", str(path), "-m", "qwen-turbo", "-o", "more.jsonl")
    assert "budget" not in again.stderr  # already past it: said once
