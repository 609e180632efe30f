"""`qwenchat serve` benchmark: Enter to the first token shown, in the page and in the terminal;
the memory of an idle server; what `serve` adds to the start-up of the other commands.

    python bench/serve.py            # 15 turns each
    python bench/serve.py --turns 5

Starts the project's fake DashScope server on 127.0.0.1 (answers echo the message). The page:
the real `qwenchat serve` in headless Chromium (Debian's chromium and chromedriver), the time
from the Enter keydown to the first answer text in the DOM, measured in the page with
`performance.now()`. The terminal: the real chat in a pseudo-terminal, the time from writing
Enter to the first answer text on the emulated screen (tests/tty.py). Memory: VmRSS of the
serve process after start-up and after the turns. Start-up: `python -X importtime` of the
command-line app (what `cli/serve.py` costs every command) and whether anything of
`qwenchat.web` is imported by `--version`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import TEST_KEY, clean_env  # noqa: E402
from tests.fakeserver import FakeServer  # noqa: E402
from tests.serving import Served  # noqa: E402
from tests.tty import ENTER, Tty  # noqa: E402
from tests.webdriver import Browser  # noqa: E402

WATCH = """
window.__firsts = [];
const input = document.querySelector('#input');
input.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter') return;
  const start = performance.now();
  const seen = document.querySelectorAll('.message.assistant').length;
  const watcher = new MutationObserver(() => {
    const answers = document.querySelectorAll('.message.assistant .answer');
    if (answers.length > seen && answers[answers.length - 1].textContent.length) {
      window.__firsts.push(performance.now() - start);
      watcher.disconnect();
    }
  });
  watcher.observe(document.querySelector('#messages'), {subtree: true, childList: true,
                                                        characterData: true});
}, true);
"""


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def page(env: dict[str, str], turns: int) -> tuple[list[float], int, int]:
    """(first-token times in s, RSS at start, RSS after the turns) for the page."""
    with Served(env) as served, Browser() as browser:
        time.sleep(1.0)
        idle = rss_kb(served.proc.pid)
        browser.get(served.url)
        browser.wait(lambda: browser.run("return document.querySelector('#model').value"))
        browser.run(WATCH)
        for number in range(turns):
            browser.type("#input", f"page message {number}\ue007")
            browser.wait(lambda n=number: len(browser.run("return window.__firsts")) > n)
            browser.wait(lambda: browser.run("return !document.querySelector('#send').hidden"))
        firsts = [ms / 1000 for ms in browser.run("return window.__firsts")]
        return firsts, idle, rss_kb(served.proc.pid)


def terminal(env: dict[str, str], turns: int) -> list[float]:
    """First-token times in s for the chat in a pseudo-terminal."""
    session = Tty(env=env)
    firsts = []
    try:
        session.wait_for("›")
        for number in range(turns):
            session.send(f"tty message {number}")
            session.pump(0.1)
            start = time.monotonic()
            session.send(ENTER)
            session.wait_for(f"echo: tty message {number}", timeout=20)
            firsts.append(time.monotonic() - start)
            session.wait_for("›", timeout=20)
            session.pump(0.2)
    finally:
        session.close()
    return firsts


def startup() -> tuple[float, bool, float]:
    """(cumulative ms importing cli.serve, whether --version imports web/, --version in s)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "qwenchat", "--version"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    serve_us = 0
    web = False
    for line in done.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "qwenchat.cli.serve":
            serve_us = int(parts[1])
        web = web or (len(parts) == 3 and parts[2].startswith("qwenchat.web"))
    times = []
    for _ in range(10):
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "qwenchat", "--version"], capture_output=True,
                       check=True, cwd=ROOT)  # fmt: skip
        times.append(time.monotonic() - start)
    return serve_us / 1000, web, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=15)
    turns = parser.parse_args().turns
    with tempfile.TemporaryDirectory() as home, FakeServer(api_key=TEST_KEY) as fake:
        env = clean_env(Path(home), DASHSCOPE_API_KEY=TEST_KEY, QWENCHAT_BASE_URL=fake.base_url)
        page_firsts, idle, after = page(env, turns)
        tty_firsts = terminal(env, turns)
    serve_ms, web, version = startup()
    p, t = statistics.median(page_firsts), statistics.median(tty_firsts)
    print(f"Enter to first token, median of {turns}: page {p * 1000:.0f} ms, "
          f"terminal {t * 1000:.0f} ms (page/terminal {p / t:.2f})")  # fmt: skip
    print(f"serve RSS: idle {idle / 1024:.1f} MiB, after {turns} turns {after / 1024:.1f} MiB")
    print(f"--version: {version * 1000:.0f} ms median of 10; cli.serve import {serve_ms:.2f} ms "
          f"cumulative; qwenchat.web imported: {web}")  # fmt: skip


if __name__ == "__main__":
    main()
