"""Benchmark attaching a 10 MB image: CPU before the request starts, and memory kept after.

Prints:
* the CPU time from `-a big.png` to the request body ready to send (file read, type sniffed,
  dimensions read, SHA-256, base64 data URL, the JSON the SDK sends), median of 5 (target:
  under 100 ms);
* the same for the whole `qwenchat ask -a big.png` path (settings, store, answer-cache key,
  context fit, the SDK sending it): the main thread's CPU clock, read by the loopback test
  server (running in another thread) when the request arrives;
* with tracemalloc, the peak while `qwenchat ask -a big.png` runs against the loopback test
  server, and what is still allocated after it returned (target: no copy of the image left,
  i.e. well under its size).

    python bench/attach.py [--mb 9.5]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import struct
import sys
import tempfile
import threading
import time
import tracemalloc
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qwenchat.cli.ask_flow import AskOptions, run_ask  # noqa: E402
from qwenchat.cli.settings_files import load_settings  # noqa: E402
from qwenchat.core.conversation import Conversation  # noqa: E402
from qwenchat.core.request import RequestOptions, build_request  # noqa: E402
from qwenchat.engine.attach_files import load  # noqa: E402
from qwenchat.render.terminal import Terminal  # noqa: E402
from tests.fakeserver import FakeServer  # noqa: E402

KEY = "sk-bench-attach-0000"


def big_png(size: int) -> bytes:
    """A real PNG of about `size` bytes (random pixels, stored uncompressed)."""
    width = 1024
    height = max(16, size // (width * 3 + 1))
    raw = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(raw, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def cpu_to_body(path: str) -> float:
    start = time.process_time()
    attachment = load(path, lambda: None)
    messages = Conversation().to_wire("what is in this picture?", (), (attachment,))
    plan = build_request("qwen-vl-max", messages, RequestOptions())
    json.dumps(plan.body)  # what the SDK does before sending
    return time.process_time() - start


def ask_runs(path: str | None, home: Path, runs: int) -> tuple[list[float], tuple[int, int, int]]:
    """CPU seconds of the main thread until each request arrived at the test server; then
    (before, peak, after) traced bytes around one more `ask -a`."""
    main_clock = time.pthread_getcpuclockid(threading.main_thread().ident or 0)
    arrived: list[float] = []

    def clock_on_arrival(method: str, path: str, raw: bytes, headers: dict[str, str]) -> None:
        if path.endswith("/chat/completions"):
            arrived.append(time.clock_gettime(main_clock))

    with FakeServer(api_key=KEY) as server:
        server.routes.append(clock_on_arrival)  # type: ignore[arg-type]
        env = {
            "DASHSCOPE_API_KEY": KEY, "QWENCHAT_BASE_URL": server.base_url,
            "HOME": str(home), "XDG_CONFIG_HOME": str(home / "c"),
            "XDG_DATA_HOME": str(home / "d"),
        }  # fmt: skip
        settings = load_settings({"model": "qwen-vl-max"}, env, home)
        terminal = Terminal(stdin=None, stdout=io.StringIO(), stderr=io.StringIO())
        attach = (path,) if path else ()
        options = AskOptions("what is in this picture?", RequestOptions(), "plain", attach=attach)
        run_ask(settings, terminal, options)  # warm up: imports, store created
        cpu: list[float] = []
        for _ in range(runs):
            start = time.clock_gettime(main_clock)
            run_ask(settings, terminal, options)
            cpu.append(arrived[-1] - start)
        server.reset()  # the server's own copy of what it received
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run_ask(settings, terminal, options)
        server.reset()
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return cpu, (before, peak, after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=9.5, help="image size in MB (at most 10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.png")
        data = big_png(int(args.mb * 1000 * 1000))
        Path(path).write_bytes(data)
        size = len(data)
        del data
        cpu_to_body(path)  # warm the page cache and the imports
        runs = [cpu_to_body(path) for _ in range(5)]
        print(f"image: {size / 1e6:.1f} MB PNG")
        median, low, high = (statistics.median(runs) * 1000, min(runs) * 1000, max(runs) * 1000)
        print(f"CPU from -a to the request body: median {median:.0f} ms "
              f"(min {low:.0f}, max {high:.0f}; target < 100 ms)")  # fmt: skip
        plain, _ = ask_runs(None, Path(tmp) / "plain", 5)
        cpu, (before, peak, after) = ask_runs(path, Path(tmp) / "attached", 5)
        extra = statistics.median(cpu) - statistics.median(plain)
        print(f"CPU of `ask` before the request arrived: median "
              f"{statistics.median(plain) * 1000:.0f} ms without an attachment, "
              f"{statistics.median(cpu) * 1000:.0f} ms with -a big.png: attaching costs "
              f"{extra * 1000:.0f} ms (target < 100 ms)")  # fmt: skip
        print(f"ask -a: peak {(peak - before) / 1e6:.1f} MB above the start "
              f"({(peak - before) / size:.1f}× the image) while sending")  # fmt: skip
        print(f"ask -a: {(after - before) / 1e6:.2f} MB still allocated after it returned "
              f"(target: no copy of the {size / 1e6:.1f} MB image)")  # fmt: skip


if __name__ == "__main__":
    main()
