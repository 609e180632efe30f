"""Store and budget benchmark: what saving and trimming cost per turn.

Fills a temporary conversation database and prints medians: committing one turn
(its own transaction, fsync included), opening the store, `sessions list` over many
conversations, loading a long conversation, and fitting a long history to a window.

    python bench/store.py [--conversations 1000] [--turns 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from qwenchat.core import context_fit as context
from qwenchat.core.conversation import Turn
from qwenchat.core.events import Usage
from qwenchat.store.database import Store, TurnRecord

ANSWER = "Qwen streams tokens quickly. 通义千问支持中文和英文。 " * 40


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def record(number: int) -> TurnRecord:
    turn = Turn(f"question {number}", ANSWER, "", "qwen-plus", "stop", Usage(100, 200, None, 300))
    return TurnRecord(turn=turn, base_url="https://dashscope.aliyuncs.com/compatible-mode/v1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=200, help="turns in the long conversation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "conversations.db"
        store = Store(path)
        for number in range(args.conversations):
            store.append(store.create(source="ask"), record(number))
        long = store.create(source="chat")
        for number in range(args.turns):
            store.append(long, record(number))
        conversation = store.conversation(long)
        messages = conversation.to_wire("next")
        ratio = context.calibration(conversation)
        figures = [
            ("commit one turn", median_ms(lambda: store.append(long, record(0)), 50)),
            ("open the store", median_ms(lambda: Store(path).close(), 20)),
            (f"list {args.conversations} conversations", median_ms(store.summaries, 10)),
            (
                f"load {len(conversation.turns)} turns",
                median_ms(lambda: store.conversation(long), 10),
            ),
            (
                f"fit {len(messages)} messages to 8k",
                median_ms(lambda: context.fit(messages, limit=8000, ratio=ratio), 10),
            ),
        ]
        for label, ms in figures:
            print(f"{label + ':':<30}{ms:8.2f} ms")
        print(f"{'database size:':<30}{path.stat().st_size / 1e6:7.2f} MB")
        store.close()


if __name__ == "__main__":
    main()
