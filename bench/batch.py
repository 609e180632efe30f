"""Benchmark the local batch engine against the fake server with 50 ms of latency per request.

Prints: wall time for 200 prompts at -j 1 and -j 16 (target: at least 10x faster), then
qwenchat's own CPU time per request as the count grows (target: flat). The fake server runs
in a subprocess, so the CPU measured here (this process, all threads) is qwenchat's alone.

    python bench/batch.py [--latency 0.05] [--prompts 200]
    python bench/batch.py --memory 1000000
    python bench/batch.py --prepare 50000

`--memory N` measures the peak memory (max RSS) of a batch of N prompts (target: at most
200 MB for a million): input read and checked, requests made, records written to an output
file and put in order, all as `qwenchat batch` does. The network is left out: each request
is answered at once in-process (parsed as a real reply body), so the run takes minutes,
not the hours a million HTTP round trips would; a worker's HTTP client is constant memory.

`--prepare N` measures what checking an input of N lines holds (Python's traced peak): the
requests are made as the workers take them, not kept (target: under 16 MiB for 50,000 lines;
holding every request takes about 40 MiB). It exits 1 past the target.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qwenchat.batch.runner import BatchOptions, run_batch  # noqa: E402
from qwenchat.cli.settings_files import load_settings  # noqa: E402
from qwenchat.core.events import Done, Event  # noqa: E402
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
        str(source), output, RequestOptions(stream=stream), route="local", concurrency=jobs
    )
    cpu, wall = time.process_time(), time.perf_counter()
    code = run_batch(settings, terminal, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    lines = output.read_text().count("\n")
    if code != 0 or lines != count:
        raise SystemExit(f"batch failed: exit {code}, {lines} lines")
    return wall, cpu


class InstantSource:
    """Answers every request at once with a parsed reply body of 400 characters."""

    def __init__(self) -> None:
        self.body = {
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "x" * 400}}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 100, "total_tokens": 109},
        }  # fmt: skip

    def stream(self, body: dict[str, Any], *, notify: Any = None) -> Iterator[Event]:
        from qwenchat.core.events import parse_completion

        return iter([*parse_completion(self.body), Done()])


def memory(count: int, work: Path) -> None:
    """Peak RSS of a batch of `count` prompts through the local engine, in a fresh process."""
    from qwenchat.batch.local import run_local
    from qwenchat.batch.runner import make_sink, prepare
    from qwenchat.render.progress import display_for

    source = work / "million.txt"
    with source.open("w", encoding="utf-8") as out:
        out.writelines(f"Prompt number {n}: say something.\n" for n in range(count))
    output = work / "million.out.jsonl"
    settings = load_settings(
        {}, {"DASHSCOPE_API_KEY": "sk-bench-not-a-key", "HOME": str(work)}, work
    )
    terminal = Terminal(stdin=None, stdout=io.StringIO(), stderr=io.StringIO())
    options = BatchOptions(str(source), output, RequestOptions(), route="local", concurrency=16)
    wall = time.perf_counter()
    work_, _remote = prepare(settings, terminal, options)
    sink = make_sink(terminal, work_, output)
    tally = run_local(work_.jobs, InstantSource(), sink=sink, watcher=display_for(terminal),
                      concurrency=16)  # fmt: skip
    sink.close(complete=True)
    wall = time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with output.open("rb") as handle:
        lines = sum(1 for _ in handle)
    ok = lines == count and tally.requests == count
    print(f"{count:,} prompts: peak {peak:.0f} MB (target <= 200 MB), {wall:.0f} s, "
          f"{lines:,} lines written{'' if ok else ' -- WRONG COUNT'}")  # fmt: skip


def prepared(count: int, work: Path) -> bool:
    """The traced peak of checking `count` lines and making the work, without its requests."""
    from qwenchat.batch.runner import prepare

    source = work / "long.txt"
    source.write_text("".join(f"Prompt number {n}: say something.\n" for n in range(count)))
    environ = {"DASHSCOPE_API_KEY": "sk-bench-not-a-key", "HOME": str(work)}
    settings = load_settings({}, environ, work)
    terminal = Terminal(stdin=None, stdout=io.StringIO(), stderr=io.StringIO())
    options = BatchOptions(str(source), None, RequestOptions(), route="local")
    tracemalloc.start()
    try:
        work_, remote = prepare(settings, terminal, options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    first = next(iter(work_.jobs))
    right = (len(work_.jobs), remote) == (count, False) and (
        first.body["messages"][-1]["content"] == "Prompt number 0: say something."
    )
    target = 16 * 2**20 * count / 50_000
    print(f"{count:,} lines checked: traced peak {peak / 2**20:.1f} MiB "
          f"(target < {target / 2**20:.0f} MiB){'' if right else ' -- WRONG WORK'}")  # fmt: skip
    return right and peak < target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--memory", type=int, default=0, help="peak memory of N prompts")
    parser.add_argument("--prepare", type=int, default=0, help="what checking N lines holds")
    args = parser.parse_args()
    if args.prepare:
        with tempfile.TemporaryDirectory() as tmp:
            sys.exit(0 if prepared(args.prepare, Path(tmp)) else 1)
    if args.memory:
        with tempfile.TemporaryDirectory() as tmp:
            memory(args.memory, Path(tmp))
        return
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
