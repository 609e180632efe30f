"""`/compress` after `/fork`: the fork keeps its conversation's title, and the summary is shown
as a Summary, not as an Answer (the real chat in a pseudo-terminal)."""

from __future__ import annotations

import json

from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import ENTER, Tty

PROMPT = "›"


def say(repl: Tty, text: str) -> None:
    before = repl.text().count(PROMPT)
    repl.send(text + ENTER)
    repl.wait_for(PROMPT, after=before)


def titles(cli: Cli) -> dict[int, str]:
    listed = json.loads(cli("sessions", "list", "--json").stdout)
    return {s["id"]: s["title"] for s in listed}


def test_compress_after_fork_keeps_the_title_and_shows_a_summary(
    cli: Cli, tty_env: dict[str, str]
) -> None:
    repl = Tty(env=tty_env)
    try:
        repl.wait_for(PROMPT)
        for text in ("plan the garden", "which roses", "and the soil"):
            say(repl, text)
        say(repl, "/fork")
        repl.wait_for("forked #1 into #2")
        cli.server.enqueue(Reply(answer="SUMMARY: roses in loam"))
        before = repl.text().count("Answer")
        say(repl, "/compress 1")
        repl.wait_for("compressed 2 turns")
        screen = repl.text()
        assert "Summary" in screen
        assert "SUMMARY: roses in loam" in screen
        assert screen.count("Answer") == before  # the summary's panel is not an Answer
        say(repl, "more")
        repl.send("/exit" + ENTER)
        repl.wait_exit()
    finally:
        repl.close()
    assert titles(cli) == {1: "plan the garden", 2: "plan the garden"}
