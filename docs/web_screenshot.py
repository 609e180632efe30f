"""Regenerate docs/web.png: the page of `qwenchat serve`, in a real headless Chromium.

    .venv/bin/python docs/web_screenshot.py [OUTPUT.png]

It starts the test server (tests/fakeserver.py) on 127.0.0.1 with one scripted QwQ reply (the
same as docs/screenshot.py: reasoning, then a Markdown answer with a code block), runs the real
`qwenchat serve` against it in a fresh home, and drives Debian's chromium through
tests/webdriver.py: type the prompt, press Enter, wait for the reply to finish, save the
screenshot. Needs the `chromium` and `chromium-driver` packages.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docs.screenshot import ANSWER, MODEL, PROMPT, REASONING  # noqa: E402
from tests.conftest import TEST_KEY, clean_env  # noqa: E402
from tests.fakeserver import FakeServer, Reply  # noqa: E402
from tests.serving import Served  # noqa: E402
from tests.webdriver import Browser  # noqa: E402


def render(output: Path) -> str:
    """Answer PROMPT in the page; save the screenshot; return the answer's text as shown."""
    with tempfile.TemporaryDirectory() as home, FakeServer(api_key=TEST_KEY) as fake:
        fake.enqueue(
            Reply(answer="Noted: Python 3.12.", reasoning="Worth keeping in mind.", chunk_size=8)
        )
        fake.enqueue(Reply(answer=ANSWER, reasoning=REASONING, chunk_size=12))
        env = clean_env(
            Path(home), DASHSCOPE_API_KEY=TEST_KEY, QWENCHAT_BASE_URL=fake.base_url,
            QWENCHAT_MODEL=MODEL,
        )  # fmt: skip
        with Served(env) as served, Browser(width=1180, height=760) as browser:
            browser.get(served.url)
            browser.wait(lambda: browser.run("return document.querySelector('#model').value"))
            browser.type("#input", "Remember: I write Python 3.12.\ue007")
            browser.wait(lambda: _finished(browser, 1), what="the first reply")
            browser.type("#input", PROMPT + "\ue007")
            browser.wait(lambda: _finished(browser, 2), what="the second reply")
            browser.run("document.querySelector('#input').blur()")
            browser.screenshot(str(output))
            return str(browser.text(".message.assistant:last-of-type .answer"))


def _finished(browser: Browser, count: int) -> bool:
    done = browser.run(
        "return [...document.querySelectorAll('.message.assistant .status')]"
        ".filter(s => s.textContent === 'finished').length"
    )
    return int(done) >= count


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "web.png"
    shown = render(target)
    print(f"wrote {target} ({len(shown)} characters of answer shown)")  # noqa: T201
