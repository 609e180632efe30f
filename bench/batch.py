"""Benchmark the local batch engine against the fake server with 50 ms of latency per request.

Prints: wall time for 200 prompts at -j 1 and -j 16 (target: at least 10x faster), then
qwenchat's own CPU time per request as the count grows (target: flat). The fake server runs
in a subprocess, so the CPU measured here (this process, all threads) is qwenchat's alone.

    python bench/batch.py [--latency 0.05] [--prompts 200]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qwenchat.batch.runner import BatchOptions, run_batch  # noqa: E402
from qwenchat.cli.settings_files import load_settings  # noqa: E402
from qwenchat.core.request import RequestOptions  # noqa: E402
from qwenchat.render.terminal import Terminal  # noqa: E402


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fakeserver.py"), "--latency", str(latency),
         "--answer-chars", "400", "--chunks", "20"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    line = server.stdout.readline().strip()
    if not line.startswith("READY "):
        server.kill()
        raise SystemExit(f"the fake server did not start: {line!r}")
    return server, line.split(" ", 1)[1]


def run(
    base_url: str, work: Path, count: int, jobs: int, *, stream: bool = True
) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one batch of `count` prompts."""
    source = work / f"prompts-{count}-{jobs}.txt"
    source.write_text("".join(f"Prompt number {n}: say something.\n" for n in range(count)))
    output = work / f"out-{count}-{jobs}.jsonl"
    output.unlink(missing_ok=True)
    settings = load_settings(
        {"base_url": base_url}, {"DASHSCOPE_API_KEY": "sk-bench-not-a-key", "HOME": str(work)}, work
    )
    terminal = Terminal(stdin=None, stdout=io.StringIO(), stderr=io.StringIO())
    options = BatchOptions(
        str(source), output, RequestOptions(stream=stream), engine="local", concurrency=jobs
    )
    cpu, wall = time.process_time(), time.perf_counter()
    code = run_batch(settings, terminal, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    lines = output.read_text().count("\n")
    if code != 0 or lines != count:
        raise SystemExit(f"batch failed: exit {code}, {lines} lines")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--prompts", type=int, default=200)
    args = parser.parse_args()
    server, base_url = start_server(args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            run(base_url, work, 16, 16)  # warm up: imports, first connections
            print(f"latency {args.latency * 1000:.0f} ms per request, answers of 400 chars")
            serial, _ = run(base_url, work, args.prompts, 1)
            pooled, _ = run(base_url, work, args.prompts, 16)
            print(f"{args.prompts} prompts  -j 1: {serial:6.2f} s   -j 16: {pooled:6.2f} s   "
                  f"speed-up {serial / pooled:4.1f}x (target >= 10x)")  # fmt: skip
            print("CPU per request at -j 16 (target: flat)")
            for count in (50, 200, 800, 1600):
                wall, cpu = run(base_url, work, count, 16)
                print(f"  {count:5d} prompts: {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
                      f"{cpu / count * 1000:5.2f} ms CPU/request")  # fmt: skip
            wall, cpu = run(base_url, work, args.prompts, 16, stream=False)
            print(f"  {args.prompts:5d} prompts unstreamed: {wall:6.2f} s wall, "
                  f"{cpu / args.prompts * 1000:5.2f} ms CPU/request")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
