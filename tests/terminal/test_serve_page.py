"""The page of `qwenchat serve`, used as a person would: in a real headless Chromium.

Debian's chromium and chromedriver (installed by .ci/run) drive the real page served by the
real `qwenchat serve`, which talks to the loopback DashScope server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Cli
from tests.fakeserver import Error, Reply
from tests.serving import Served
from tests.webdriver import Browser

ENTER, SHIFT, RELEASE = "\ue007", "\ue008", "\ue000"
LAST = ".message.assistant:last-of-type"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as running:
        yield running


@pytest.fixture
def page(cli: Cli, browser: Browser) -> Iterator[Served]:
    with Served(cli.env(QWENCHAT_RETRIES="0")) as served:
        browser.resize(1100, 800)
        browser.get(served.url)
        browser.wait(lambda: browser.run("return document.querySelector('#model').value"))
        yield served


def status(browser: Browser) -> str:
    return str(browser.text(f"{LAST} .status") or "")


def finished(browser: Browser, *, count: int = 1) -> None:
    browser.wait(
        lambda: (
            browser.run(
                "return [...document.querySelectorAll('.message.assistant .status')]"
                ".filter(s => ['finished', 'stopped', 'error'].includes(s.textContent)).length"
            )
            >= count
        ),
        what="the reply to end",
    )


def send(browser: Browser, text: str) -> None:
    browser.type("#input", text + ENTER)


def reload(browser: Browser) -> None:
    """Reload the page and wait until the new one has its conversation list."""
    browser.run("window.__before = true; location.reload()")
    browser.wait(lambda: browser.run("return window.__before === undefined"), what="the reload")
    browser.wait(lambda: browser.text("#conversations li .title"), what="the list")


def choose_model(browser: Browser, name: str) -> None:
    browser.run(
        "const s = document.querySelector('#model'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'));",
        name,
    )


def test_a_reply_streams_into_the_page_with_its_status(page: Served, cli: Cli, browser: Browser):
    cli.server.enqueue(Reply(answer="**Bold** words " * 60, chunk_size=6, delay=0.02))
    send(browser, "tell me something")
    seen = set()

    def streaming() -> bool:
        seen.add(status(browser))
        shown = browser.text(f"{LAST} .answer") or ""
        return status(browser) == "generating" and 0 < len(shown) < len("Bold words " * 60)

    browser.wait(streaming, what="part of the answer while it streams")
    finished(browser)
    assert status(browser) == "finished"
    assert "generating" in seen
    assert browser.run(f"return document.querySelectorAll('{LAST} .answer strong').length") == 60
    assert " in · " in browser.text(f"{LAST} .usage")
    assert browser.text(".message.user") == "tell me something"
    assert browser.wait(lambda: browser.text("#conversations li .title")) == "tell me something"


def test_the_thinking_block_is_apart_from_the_answer(page: Served, cli: Cli, browser: Browser):
    choose_model(browser, "qwq-plus")
    cli.server.enqueue(Reply(reasoning="First, the premises.", answer="So: yes.", delay=0.01))
    send(browser, "is it so?")
    finished(browser)
    assert browser.run(f"return document.querySelector('{LAST} .thinking').hidden") is False
    assert browser.text(f"{LAST} .thinking .reasoning") == ""  # folded once the answer came
    assert browser.text(f"{LAST} .answer") == "So: yes."
    browser.click(f"{LAST} .thinking summary")
    assert browser.text(f"{LAST} .thinking .reasoning") == "First, the premises."
    assert cli.server.chat_requests[-1].body["model"] == "qwq-plus"


def test_stop_keeps_the_partial_answer_after_a_reload(page: Served, cli: Cli, browser: Browser):
    full = "step " * 600
    cli.server.enqueue(Reply(answer=full, chunk_size=5, delay=0.02))
    send(browser, "count slowly")
    browser.wait(lambda: len(browser.text(f"{LAST} .answer") or "") > 20, what="some answer")
    browser.click("#stop")
    browser.wait(lambda: status(browser) == "stopped", what="stopped")
    partial = browser.text(f"{LAST} .answer")
    assert partial.startswith("step step")
    assert len(partial) < len(full.strip())
    reload(browser)
    assert browser.text("#conversations li .title") == "count slowly"
    browser.click("#conversations li")
    browser.wait(lambda: status(browser) == "stopped", what="the saved reply")
    assert browser.text(f"{LAST} .answer").startswith(partial[:20])
    number = json.loads(page.request("GET", "/api/conversations").body)[0]["id"]
    shown = cli.subprocess("sessions", "show", str(number))
    assert "step step" in shown.stdout


def test_a_hostile_answer_is_shown_as_text(page: Served, cli: Cli, browser: Browser):
    hostile = (
        '<script>window.pwned = 1</script> <img src="x" onerror="window.pwned = 2">\n\n'
        "[click me](javascript:window.pwned=3) ![tracker](http://127.0.0.1:9/pixel.png)\n\n"
        '<iframe src="javascript:parent.pwned=4"></iframe> \x1b[31mred\x1b]0;title\x07 end'
    )
    cli.server.enqueue(Reply(answer=hostile))
    send(browser, "be nasty")
    finished(browser)
    answer = f"{LAST} .answer"
    assert browser.run("return window.pwned === undefined")
    for tag in ("script", "img", "iframe"):
        assert browser.run(f"return document.querySelectorAll('{answer} {tag}').length") == 0
    hrefs = browser.run(f"return [...document.querySelectorAll('{answer} a')].map(a => a.href)")
    assert hrefs == ["http://127.0.0.1:9/pixel.png"]  # the image, as a link to click
    text = browser.text(answer)
    assert "<script>window.pwned = 1</script>" in text
    assert "[image: tracker]" in text
    assert "click me" in text
    assert "\x1b" not in text
    assert "red end" in text


def test_errors_are_one_line_and_the_conversation_stays(page: Served, cli: Cli, browser: Browser):
    cli.server.enqueue(Reply(answer="all good"))
    send(browser, "first")
    finished(browser)
    cli.server.enqueue(Error(401, "Invalid API-key provided.", code="invalid_api_key"))
    send(browser, "second")
    finished(browser, count=2)
    line = browser.wait(lambda: browser.text(f"{LAST} .error-line"), what="the error line")
    assert "401" in line
    assert "\n" not in line
    assert status(browser) == "error"
    cli.server.enqueue(Error(429, "Requests rate limit exceeded", code="Throttling"))
    send(browser, "third")
    finished(browser, count=3)
    assert "429" in browser.wait(lambda: browser.text(f"{LAST} .error-line"), what="the line")
    assert browser.text(".message.assistant .answer") == "all good"
    number = json.loads(page.request("GET", "/api/conversations").body)[0]["id"]
    turns = json.loads(page.request("GET", f"/api/conversations/{number}").body)["turns"]
    assert [t["answer"] for t in turns] == ["all good"]


def test_enter_sends_shift_enter_breaks_the_line_and_the_model_switches(
    page: Served, cli: Cli, browser: Browser
):
    choose_model(browser, "qwen-max")
    browser.type("#input", f"line one{SHIFT}{ENTER}{RELEASE}line two")
    assert browser.run("return document.querySelector('#input').value") == "line one\nline two"
    assert cli.server.chat_requests == []
    browser.type("#input", ENTER)
    finished(browser)
    request = cli.server.chat_requests[-1].body
    assert request["model"] == "qwen-max"
    assert request["messages"][-1]["content"] == "line one\nline two"
    assert browser.text(".message.user") == "line one\nline two"


def test_the_key_is_nowhere_in_the_page(page: Served, cli: Cli, browser: Browser):
    send(browser, f"repeat {TEST_KEY}")  # the test server echoes the message back
    finished(browser)
    assert browser.text(f"{LAST} .answer") == "echo: repeat [key]"
    reload(browser)
    browser.click("#conversations li")
    browser.wait(lambda: status(browser) == "finished", what="the saved reply")
    assert browser.text(".message.user") == "repeat [key]"  # what the server sends back
    html = browser.run("return document.documentElement.outerHTML")
    assert TEST_KEY not in html


def test_a_phone_sized_window_and_the_dark_scheme(page: Served, browser: Browser):
    browser.resize(390, 844)
    right = "return document.querySelector('aside').getBoundingClientRect().right"
    browser.wait(lambda: browser.run(right) <= 0, what="the list folded away")
    assert browser.run("return getComputedStyle(document.querySelector('#menu')).display") != "none"
    browser.click("#menu")
    browser.wait(lambda: browser.run(right) > 200, what="the list shown")
    background = "return getComputedStyle(document.body).backgroundColor"
    assert browser.run(background) == "rgb(255, 255, 255)"
    browser.cdp(
        "Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark"}]
    )
    assert browser.run(background) == "rgb(23, 23, 26)"
    browser.cdp("Emulation.setEmulatedMedia", features=[])


def test_thinking_is_a_switch_only_where_the_model_has_one(
    page: Served, cli: Cli, browser: Browser
):
    disabled = "return document.querySelector('#think').disabled"
    checked = "return document.querySelector('#think').checked"
    choose_model(browser, "qwq-plus")  # always thinks
    assert browser.run(disabled) is True
    assert browser.run(checked) is True
    choose_model(browser, "qwen-max")  # never does
    assert browser.run(disabled) is True
    assert browser.run(checked) is False
    choose_model(browser, "qwen-plus")  # either; off unless asked
    assert browser.run(disabled) is False
    assert browser.run(checked) is False
    browser.click("#think")
    assert browser.run(checked) is True
    cli.server.enqueue(Reply(reasoning="Hmm.", answer="Yes."))
    send(browser, "think first")
    finished(browser)
    from_page = cli.server.chat_requests[-1].body
    cli.server.enqueue(Reply(reasoning="Hmm.", answer="Yes."))
    assert cli.subprocess("ask", "-m", "qwen-plus", "--think", "think first").exit_code == 0
    from_ask = cli.server.chat_requests[-1].body
    assert from_page == from_ask  # the same request as `ask --think` sends
    assert "thinking" in json.dumps(from_page)


def test_a_text_file_is_attached_and_a_binary_one_refused(
    page: Served, cli: Cli, browser: Browser, tmp_path: Path
):
    notes = tmp_path / "notes.txt"
    notes.write_text("The meeting moved to Thursday.", encoding="utf-8")
    browser.upload("#files", str(notes))
    browser.wait(lambda: "notes.txt" in browser.text("#attached"), what="the file listed")
    send(browser, "when is the meeting?")
    finished(browser)
    assert "moved to Thursday" in json.dumps(cli.server.chat_requests[-1].body["messages"])
    assert "attached: notes.txt" in browser.text(".message.user")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02\x03 not text")
    browser.upload("#files", str(junk))
    browser.wait(lambda: "junk.bin" in browser.text("#attached"), what="the file listed")
    send(browser, "and this?")
    finished(browser, count=2)
    line = browser.wait(lambda: browser.text(f"{LAST} .error-line"), what="the refusal")
    assert "junk.bin is a binary file" in line
    assert len(cli.server.chat_requests) == 1  # nothing was sent for it
