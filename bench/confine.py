"""Benchmark the key check every confined read makes (`core.confine.key_refusal`).

Prints, for a 10 MiB random file (an image) and a 10 MiB text file full of backslashes, the
median of 5 runs of the whole check (the key as it is, unescaped, split, base64 in three
alignments and two alphabets) and its ratio to one plain `key in data` search, the least any
check must do (target: the whole check under 0.5 s for 10 MiB, which a batch line's image is at
most).

    python bench/confine.py [--mb 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qwenchat.core.confine import key_refusal

KEY = "sk-bench-not-a-real-key-0000"


def median_seconds(run: Callable[[], object], times: int = 5) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=10.0)
    size = int(parser.parse_args().mb * 1024 * 1024)
    line = b'"path": "C:\\\\Users\\\\me\\\\notes.txt", "escaped": "\\u00e9\\n"\n'
    for name, data in (
        ("random bytes (an image)", os.urandom(size)),
        ("text with escapes", line * (size // len(line))),
    ):
        whole = median_seconds(partial(key_refusal, data, KEY))
        plain = median_seconds(partial(data.__contains__, KEY.encode()))
        print(f"{name}: {whole * 1000:.0f} ms for {len(data) / 2**20:.1f} MiB "
              f"({whole / plain:.0f}x one plain search)")  # fmt: skip


if __name__ == "__main__":
    main()
