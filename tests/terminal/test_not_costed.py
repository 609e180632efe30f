"""A request of which nothing came back (never reached the server, or refused at once) costs
nothing: no usage line, no estimate saved for `usage` to total (the real CLI in a terminal)."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import Cli
from tests.fakeserver import Error, Reply
from tests.tty import ENTER, Tty

PRICE = '[models."qwen-plus".price]\ncurrency = "CNY"\ninput = 0.8\noutput = 2\n'


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def priced(cli: Cli) -> Cli:
    config = cli.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(PRICE)
    return cli


def run_on_a_terminal(cli: Cli, *args: str, **env: str) -> str:
    session = Tty(*args, env=cli.env(TERM="xterm-256color", COLUMNS="100", LINES="30", **env))
    try:
        assert session.wait_exit() == 1
        return session.text()
    finally:
        session.close()


def test_a_refused_connection_prints_no_usage_line(priced: Cli) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    screen = run_on_a_terminal(priced, "ask", "hi", QWENCHAT_BASE_URL=url, QWENCHAT_RETRIES="0")
    assert "connection refused" in screen
    assert "total" not in screen
    assert "¥" not in screen
    assert "usage unknown" not in screen


def test_a_refused_request_is_not_costed_and_not_totalled(priced: Cli) -> None:
    priced.server.enqueue(Error(400, "bad request", code="InvalidParameter"))
    screen = run_on_a_terminal(priced, "ask", "hi")
    assert "bad request" in screen
    assert "¥" not in screen
    assert "total" not in screen
    assert "no saved turns" in priced("usage").stdout


def test_in_the_chat_a_turn_that_never_arrived_adds_nothing(priced: Cli) -> None:
    usage = {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100}
    priced.server.enqueue(Error(400, "refused", code="InvalidParameter"), Reply("ok", usage=usage))
    env = priced.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="120", LINES="30")
    session = Tty(env=env)
    try:
        session.wait_for("›")
        for text in ("one", "two"):
            before = session.text().count("›")
            session.send(text + ENTER)
            session.wait_for("›", after=before)
        session.send("/usage" + ENTER)
        session.wait_for("· ¥0.0010")
        assert "~¥" not in session.text()  # no estimate for the refused turn
        assert "unknown cost" not in session.text()
        session.send("/exit" + ENTER)
        session.wait_exit()
    finally:
        session.close()
    report = priced("usage").stdout
    assert "¥0.0010" in report
    assert "~" not in report
    assert "unknown" not in report
