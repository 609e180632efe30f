"""Costs end to end: `ask --json` costs, the store's cost columns, `qwenchat usage`, the budget."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.conversation import Turn
from qwenchat.core.cost import Cost
from qwenchat.core.events import Usage
from qwenchat.render.model_table import model_rows, with_prices
from qwenchat.store.database import Store, TurnRecord, db_path
from qwenchat.store.schema import MIGRATIONS
from qwenchat.store.usage import month_start, total, usage_report
from tests.conftest import Cli, assert_clean_failure, write_config
from tests.fakeserver import Reply

PRICES = """
[models."qwen-plus".price]
currency = "CNY"
input = 0.8
output = 2
output_thinking = 8
[models."qwen3-max*".price]
currency = "CNY"
tiers = [{up_to = 32768, input = 2.5, output = 10}, {input = 4, output = 16}]
"""


def usage_of(
    prompt: int, completion: int, cached: int = 0, reasoning: int = 0
) -> dict[str, object]:
    found: dict[str, object] = {
        "prompt_tokens": prompt, "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }  # fmt: skip
    if cached:
        found["prompt_tokens_details"] = {"cached_tokens": cached}
    if reasoning:
        found["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return found


def ask_json(cli: Cli, *args: str) -> dict[str, object]:
    result = cli("ask", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_usage_totals_equal_the_sum_of_the_saved_turns(cli: Cli) -> None:
    write_config(cli.home, PRICES)
    cli.server.enqueue(
        Reply(answer="a", usage=usage_of(1200, 300)),
        Reply(answer="b", reasoning="hmm", usage=usage_of(800, 900, reasoning=600)),
        Reply(answer="c", usage=usage_of(5000, 100, cached=4096)),
        Reply(answer="d", usage=usage_of(40_000, 2000)),
        Reply(answer="e", usage=usage_of(10, 10)),
    )
    documents = [
        ask_json(cli, "one"),
        ask_json(cli, "-c", "two"),
        ask_json(cli, "three"),
        ask_json(cli, "-m", "qwen3-max", "four"),
        ask_json(cli, "-m", "house-model", "five"),  # no price: unknown, not 0
    ]
    costs = [d["cost"] for d in documents]
    assert costs[0] == {"amount": pytest.approx((1200 * 0.8 + 300 * 2) / 1e6),
                        "currency": "CNY", "estimated": False}  # fmt: skip
    assert costs[1]["amount"] == pytest.approx((800 * 0.8 + 900 * 8) / 1e6)
    cached = ((5000 - 4096) * 0.8 + 4096 * 0.16 + 100 * 2) / 1e6
    assert costs[2]["amount"] == pytest.approx(cached)
    assert costs[3]["amount"] == pytest.approx((40_000 * 4 + 2000 * 16) / 1e6)
    assert costs[4] is None  # not DashScope and no price configured: nothing said
    report = json.loads(cli("usage", "--json").stdout)
    expected = sum(c["amount"] for c in costs if c)
    assert report["total"]["cost"] == [{"amount": pytest.approx(expected, abs=1e-6),
                                        "currency": "CNY"}]  # fmt: skip
    assert report["total"]["turns"] == 5
    assert report["total"]["unpriced_turns"] == 1
    assert report["total"]["prompt_tokens"] == 1200 + 800 + 5000 + 40_000 + 10
    assert report["total"]["cached_tokens"] == 4096
    by_model = {row["key"]: row for row in report["rows"]}
    assert set(by_model) == {"qwen-plus", "qwen3-max", "house-model"}
    assert by_model["house-model"]["cost"] == []
    table = cli("usage", "--by", "model").stdout
    assert "house-model" in table
    assert "—" in table
    assert table.splitlines()[-1].startswith("total")
    conversations = json.loads(cli("usage", "--json", "--by", "conversation").stdout)["rows"]
    assert len(conversations) == 4  # `-c` added the second turn to the first conversation
    assert conversations[0]["turns"] == 2


def test_the_store_keeps_each_turns_cost_and_tokens(cli: Cli) -> None:
    write_config(cli.home, PRICES)
    cli.server.enqueue(Reply(answer="a", usage=usage_of(1000, 10, cached=512)))
    document = ask_json(cli, "hello")
    with Store(db_path(cli.home / "data" / "qwenchat")) as store:
        (record,) = store.records(store.latest().id)
    assert record.turn.usage is not None
    assert record.turn.usage.cached_tokens == 512
    assert record.cost == Cost(document["cost"]["amount"], "CNY")
    assert record.region is None  # a loopback server is not a DashScope region


def test_bad_since_until_and_by_are_usage_errors(cli: Cli) -> None:
    for args, named in [
        (("--since", "last tuesday"), "--since"),
        (("--until", "7x"), "--until"),
        (("--by", "colour"), "--by"),
    ]:
        result = cli("usage", *args)
        assert_clean_failure(result, 2)
        assert named in result.stderr


def test_since_and_until_pick_turns_by_time(cli: Cli) -> None:
    store = Store(db_path(cli.home / "data" / "qwenchat"))
    conversation = store.create(source="ask")
    for time, tokens in [
        ("2026-10-15T10:00:00.000+00:00", 100),
        ("2026-11-02T10:00:00.000+00:00", 7),
    ]:
        turn = Turn("q", "a", model="qwen-plus", usage=Usage(tokens, 1))
        store.append(conversation, TurnRecord(turn, "http://x", time=time, cost=Cost(1.0, "CNY")))
    store.close()
    report = json.loads(cli("usage", "--json", "--since", "2026-11-01").stdout)
    assert report["total"]["prompt_tokens"] == 7
    report = json.loads(cli("usage", "--json", "--until", "2026-10-15").stdout)  # that day included
    assert report["total"]["prompt_tokens"] == 100
    assert json.loads(cli("usage", "--json", "--since", "1h").stdout)["total"]["turns"] == 0
    days = json.loads(cli("usage", "--json", "--by", "day").stdout)["rows"]
    assert [row["key"] for row in days] == ["2026-10-15", "2026-11-02"]


def test_turns_saved_before_costs_were_kept_show_a_dash(tmp_path: Path) -> None:
    path = tmp_path / "conversations.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    old.execute("INSERT INTO conversations (source, created, updated) VALUES ('ask', 't', 't')")
    old.execute(
        "INSERT INTO turns (conversation_id, time, model, base_url, user, answer, reasoning,"
        " outcome, prompt_tokens, completion_tokens) VALUES (1, '2026-01-01T00:00:00.000+00:00',"
        " 'qwen-max', 'u', 'q', 'a', '', 'ok', 50, 5)"
    )
    old.commit()
    old.close()
    with Store(path) as store:
        turn = Turn("q", "a", model="qwen-max", usage=Usage(10, 1))
        store.append(1, TurnRecord(turn, "u", cost=Cost(0.25, "CNY")))
        rows = usage_report(store, "model")
        assert store.records(1)[0].cost is None
    (row,) = rows
    assert (row.turns, row.unpriced, row.prompt_tokens) == (2, 1, 60)
    assert row.costs == {"CNY": 0.25}
    assert total(rows).costs == {"CNY": 0.25}


def test_a_fork_does_not_count_its_copied_turns_again(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        first = store.create(source="chat")
        for number in range(3):
            turn = Turn(f"q{number}", "a", model="qwen-plus", usage=Usage(10, 1))
            store.append(first, TurnRecord(turn, "u", cost=Cost(0.5, "CNY")))
        copy = store.fork(first)
        store.append(copy, TurnRecord(Turn("more", "a", model="qwen-plus", usage=Usage(10, 1)),
                                      "u", cost=Cost(0.5, "CNY")))  # fmt: skip
        assert len(store.records(copy)) == 4
        assert store.records(copy)[0].cost == Cost(0.5, "CNY")
        result = total(usage_report(store, "region"))
    assert (result.turns, result.costs) == (4, {"CNY": 2.0})


def test_budget_lines_when_this_months_spend_passes_80_and_100_percent(cli: Cli) -> None:
    write_config(cli.home, 'monthly_budget = 0.01\n[models."qwen-plus".price]\n'
                      'currency = "CNY"\ninput = 0\noutput = 1000\n')  # fmt: skip
    lines = []
    for completion in (7, 2, 1, 5):  # ¥0.007, 0.009, 0.010, 0.015
        cli.server.enqueue(Reply(answer="x", usage=usage_of(1, completion)))
        result = cli("ask", "--plain", "q")
        assert result.exit_code == 0, result.stderr
        lines.append([line for line in result.stderr.splitlines() if "budget" in line])
    assert lines[0] == []
    assert lines[1] == ["qwenchat: this month's spend ¥0.0090 has passed 80% of the monthly "
                        "budget of ¥0.0100"]  # fmt: skip
    assert lines[2] == ["qwenchat: this month's spend ¥0.0100 has passed the monthly budget "
                        "of ¥0.0100"]  # fmt: skip
    assert lines[3] == []


def test_month_start_is_the_first_of_the_utc_month() -> None:
    from datetime import datetime, timezone

    moment = datetime(2026, 12, 3, 8, 30, tzinfo=timezone.utc)
    assert month_start(moment) == "2026-12-01T00:00:00.000+00:00"


def test_models_json_shows_the_price_that_applies(cli: Cli, tmp_path: Path) -> None:
    write_config(cli.home, PRICES)
    rows = json.loads(cli("models", "--json").stdout)
    plus = next(row for row in rows if row["name"] == "qwen-plus")
    assert plus["price"]["tiers"][0]["output_thinking"] == 8
    assert plus["price"]["tag"] == "config"
    assert next(row for row in rows if row["name"] == "qwen-max")["price"] is None
    dashscope = load_settings(
        {}, {"QWENCHAT_REGION": "intl", "XDG_CONFIG_HOME": str(tmp_path)}, tmp_path
    )
    rows = with_prices(model_rows(dashscope.catalogue, None), dashscope)
    turbo = next(row for row in rows if row["name"] == "qwen-turbo")["price"]
    assert (turbo["currency"], turbo["region"], turbo["tiers"][0]["input"]) == ("USD", "intl", 0.05)
    assert "2026" in turbo["source"]


def test_without_usage_from_the_server_the_cost_is_estimated(cli: Cli) -> None:
    write_config(cli.home, PRICES)
    cli.server.enqueue(Reply(answer="a fairly short answer", send_usage=False))
    document = ask_json(cli, "a question of some length")
    assert document["usage"] is None
    cost = document["cost"]
    assert cost["estimated"] is True
    assert cost["currency"] == "CNY"
    assert 0 < cost["amount"] < 0.001
    with Store(db_path(cli.home / "data" / "qwenchat")) as store:
        (record,) = store.records(store.latest().id)
    assert record.cost == Cost(cost["amount"], "CNY", estimated=True)
    cli.server.enqueue(Reply(answer="again", send_usage=False))
    plain = cli("ask", "--plain", "-c", "next")
    assert plain.exit_code == 0, plain.stderr
    report = json.loads(cli("usage", "--json").stdout)["total"]
    assert report["unpriced_turns"] == 0
    assert report["cost"][0]["amount"] > cost["amount"]
