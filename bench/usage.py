"""`qwenchat usage` benchmark: the report over many saved turns (SQL aggregation).

Fills a temporary conversation database with `--turns` turns (several models, regions and
days, a share of them with no known cost) and prints the median time of each report, and of
the whole `qwenchat usage --json` command run in-process.

    python bench/usage.py [--turns 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from qwenchat.store.database import Store, db_path
from qwenchat.store.usage import total, usage_report

MODELS = ("qwen-plus", "qwen-max", "qwen-turbo", "qwen3-max", "qwq-plus", "qwen3-8b")


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def fill(path: Path, turns: int, conversations: int) -> None:
    """Rows written directly, in one transaction: the schema is the store's own."""
    Store(path).close()
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.executemany(
        "INSERT INTO conversations (title, source, created, updated) VALUES (?, 'chat', '', '')",
        [(f"conversation {n}",) for n in range(conversations)],
    )
    rows = []
    for number in range(turns):
        region = rng.choice(("cn", "intl", None))
        priced = rng.random() > 0.1
        currency = {"cn": "CNY", "intl": "USD"}.get(region or "", "CNY")
        rows.append((
            rng.randrange(1, conversations + 1), f"2026-{rng.randrange(1, 13):02d}-"
            f"{rng.randrange(1, 29):02d}T10:00:{number % 60:02d}.000+00:00",
            rng.choice(MODELS), region, rng.randrange(10, 50_000), rng.randrange(1, 4000),
            rng.randrange(0, 2000), rng.random() / 100 if priced else None,
            currency if priced else None,
        ))  # fmt: skip
    db.executemany(
        "INSERT INTO turns (conversation_id, time, model, base_url, region, user, answer,"
        " reasoning, outcome, prompt_tokens, completion_tokens, cached_tokens, cost, currency)"
        " VALUES (?, ?, ?, 'https://dashscope.aliyuncs.com/compatible-mode/v1', ?, 'q', 'a',"
        " '', 'ok', ?, ?, ?, ?, ?)",
        rows,
    )
    db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--conversations", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        path = db_path(data / "qwenchat")
        path.parent.mkdir(parents=True)
        fill(path, args.turns, args.conversations)
        store = Store(path)
        figures = [
            (f"by {by}", median_ms(lambda by=by: total(usage_report(store, by)), 7))
            for by in ("model", "day", "conversation", "region")
        ]
        figures.append((
            "by model --since 2026-11-01",
            median_ms(lambda: usage_report(store, "model", since="2026-11-01"), 7),
        ))  # fmt: skip
        store.close()
        figures.append(("`usage --json` (in-process)", median_ms(lambda: _command(tmp), 5)))
        load = os.getloadavg()[0]
        size = path.stat().st_size / 1e6
        print(f"{args.turns:,} saved turns, {size:.1f} MB, load average {load:.1f}")
        for label, ms in figures:
            print(f"{label + ':':<32}{ms:8.1f} ms")


def _command(home: str) -> None:
    from typer.testing import CliRunner

    from qwenchat.cli.app import app

    env = {**os.environ, "XDG_DATA_HOME": str(Path(home) / "data"), "XDG_CONFIG_HOME": home}
    result = CliRunner().invoke(app, ["usage", "--json", "--by", "model"], env=env)
    assert result.exit_code == 0, result.output


if __name__ == "__main__":
    main()
