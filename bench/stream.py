"""Streaming benchmark: qwenchat against the bare openai SDK printing deltas.

Starts the project's fake DashScope server on 127.0.0.1 and runs, in one go, each
scenario several times for both programs, each as a child process whose own CPU time
and peak memory are read with wait4(). Prints medians and the ratio to the baseline.

    python bench/stream.py            # full run (a few minutes on 2 cores)
    python bench/stream.py --quick    # fewer repeats, smaller answers

Scenarios: start-up (`--version` vs `import openai`), a short answer, and a long
answer with reasoning (20,000 chunks by default, and twice that to check linear
growth), each piped (stdout to a pipe) and on a pseudo-terminal (Rich panels, and
`--no-panels` beside them).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


KEY = "sk-test-bench-key-0000"
BASELINE = r"""
import sys, openai
client = openai.OpenAI(base_url=sys.argv[1], api_key=sys.argv[2], max_retries=0)
stream = client.chat.completions.create(
    model="qwen-plus", messages=[{"role": "user", "content": "go"}], stream=True,
    stream_options={"include_usage": True},
)
for chunk in stream:
    if chunk.choices:
        delta = chunk.choices[0].delta
        reasoning = getattr(delta, "reasoning_content", None)
        if reasoning:
            sys.stderr.write(reasoning); sys.stderr.flush()
        if delta.content:
            sys.stdout.write(delta.content); sys.stdout.flush()
"""
# The server runs in its own process, so that the parent's memory (which a forked child's
# peak-memory figure would otherwise inherit) stays small.
SERVER = r"""
import sys, threading
sys.path.insert(0, sys.argv[1])
from tests.fakeserver import FakeServer, Reply, long_text
answer_chars, reasoning_chars, size = map(int, sys.argv[2:5])
server = FakeServer(api_key=sys.argv[5])
server.default_reply = Reply(
    answer=long_text(answer_chars, sys.argv[6]) if answer_chars else "Hello there.",
    reasoning=long_text(reasoning_chars, "Let me think about this step by step. "),
    chunk_size=size,
)
server.start()
print("READY", server.base_url, flush=True)
sys.stdin.read()
"""
ANSWER_SEED = (
    "## Section\n\nQwen streams tokens quickly. 通义千问是一个大型语言模型，支持中文和英文。 "
    "Here is **bold**, `inline code`, and a [link](https://example.com):\n\n"
    "- one item\n- another item\n\n```python\nprint('hello')\n```\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    maxrss_mb: float


def run_piped(argv: list[str], env: dict[str, str]) -> Run:
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        process = subprocess.Popen(
            argv, stdout=null, stderr=null, stdin=subprocess.DEVNULL, env=env
        )
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{argv} exited {process.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def run_tty(argv: list[str], env: dict[str, str], rows: int = 40, cols: int = 120) -> Run:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    drained = threading.Thread(target=_drain, args=(master,), daemon=True)
    drained.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    drained.join(5)
    os.close(master)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} exited {os.waitstatus_to_exitcode(status)} on a tty")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _drain(fd: int) -> None:
    while True:
        try:
            if not os.read(fd, 1 << 16):
                return
        except OSError:
            return


def median(runs: list[Run]) -> Run:
    return Run(
        *(statistics.median(getattr(r, f) for r in runs) for f in ("wall", "cpu", "maxrss_mb"))
    )


def measure(
    label: str, commands: dict[str, list[str]], env: dict[str, str], *, tty: bool, repeats: int
) -> dict[str, Run]:
    results: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeats):  # interleave the programs so noise hits both alike
        for name, argv in commands.items():
            results[name].append(run_tty(argv, env) if tty else run_piped(argv, env))
    medians = {name: median(runs) for name, runs in results.items()}
    base = medians["baseline"]
    for name, m in medians.items():
        print(
            f"{label:<34} {name:<9} wall {m.wall:7.3f} s  cpu {m.cpu:7.3f} s  "
            f"peak {m.maxrss_mb:6.1f} MB  cpu ratio {m.cpu / base.cpu:5.2f}x  "
            f"wall ratio {m.wall / base.wall:5.2f}x",
            flush=True,
        )
    return medians


@contextlib.contextmanager
def serve(answer_chars: int, reasoning_chars: int, size: int) -> Iterator[str]:
    """A fake DashScope server in a child process; yields its base URL."""
    argv = [sys.executable, "-c", SERVER, str(ROOT), str(answer_chars), str(reasoning_chars),
            str(size), KEY, ANSWER_SEED]  # fmt: skip
    server = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    try:
        yield server.stdout.readline().split()[1]
    finally:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--chunks", type=int, default=20000)
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    chunks = args.chunks // 4 if args.quick else args.chunks
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, medians of {repeats}")
    scenarios = [("short answer", 0, 0, 4, repeats)] + [
        # n chunks of 3 characters, 70% answer and 30% reasoning
        (f"{n:,} chunks + reasoning", n * 3 * 7 // 10, n * 3 * 3 // 10, 3, max(2, repeats - 2))
        for n in (chunks, 2 * chunks)
    ]
    with tempfile.TemporaryDirectory() as home:
        for label, answer_chars, reasoning_chars, size, times in scenarios:
            with serve(answer_chars, reasoning_chars, size) as base_url:
                env = {
                    "PATH": os.environ.get("PATH", ""), "HOME": home, "TERM": "xterm-256color",
                    "DASHSCOPE_API_KEY": KEY, "QWENCHAT_BASE_URL": base_url,
                    "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1",
                }  # fmt: skip
                qwenchat = [sys.executable, "-m", "qwenchat"]
                if label == "short answer":
                    openai_only = [sys.executable, "-c", "import openai"]
                    for what in ("--version", "--help", "config"):
                        measure(
                            f"start-up ({what})",
                            {"baseline": openai_only, "qwenchat": [*qwenchat, what]},
                            env,
                            tty=False,
                            repeats=times,
                        )
                programs = {
                    "baseline": [sys.executable, "-c", BASELINE, base_url, KEY],
                    "qwenchat": [*qwenchat, "ask", "go"],
                }
                measure(f"{label}, piped", programs, env, tty=False, repeats=times)
                # on a terminal, also the borderless rendering (`--no-panels`)
                borderless = [*qwenchat, "ask", "--no-panels", "go"]
                on_tty = {**programs, "no-panels": borderless}
                measure(f"{label}, tty", on_tty, env, tty=True, repeats=times)


if __name__ == "__main__":
    main()
