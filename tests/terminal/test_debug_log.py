"""`--debug` and `QWENCHAT_DEBUG=1`: every request and response on stderr, the key never."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TEST_KEY, Cli
from tests.fakeserver import Error


@pytest.mark.parametrize("how", ["flag", "env"])
def test_each_attempt_is_logged_with_status_timing_and_bodies(cli: Cli, how: str) -> None:
    cli.server.enqueue(Error(500, f"oops, the key {TEST_KEY} is fine"))
    args = ("--debug", "ask", "hi") if how == "flag" else ("ask", "hi")
    env = cli.env(QWENCHAT_DEBUG="1") if how == "env" else cli.env()
    result = cli.subprocess(*args, env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "echo: hi\n"
    err = result.stderr
    url = f"{cli.server.base_url}/chat/completions"
    assert f"debug: → #1 POST {url}" in err
    assert f"debug: → #2 POST {url}" in err  # the retry is logged too
    assert re.search(r"debug: ← #1 500 in \d+\.\d{3} s \(application/json\)", err)
    assert re.search(r"debug: ← #2 200 in \d+\.\d{3} s \(text/event-stream", err)
    assert '"messages": [{"role": "user", "content": "hi"}]' in err
    assert '"message": "oops, the key sk-…1a2b is fine"' in err
    assert TEST_KEY not in err
    assert "authorization" not in err.lower()


def test_nothing_is_logged_without_debug(cli: Cli) -> None:
    result = cli.subprocess("ask", "hi")
    assert result.exit_code == 0
    assert "debug:" not in result.stderr
