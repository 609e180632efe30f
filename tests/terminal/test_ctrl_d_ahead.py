"""Ctrl-D typed while a reply streams leaves the chat when the reply ends, as /exit does; lines
typed before it are sent first (pure rule, then the real chat in a pseudo-terminal)."""

from __future__ import annotations

from qwenchat.core.typed_keys import END, typed_lines
from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import CTRL_D, ENTER, Tty


def keys(*typed: str) -> list[tuple[float, bytes]]:
    return [(n * 1.0, key.encode()) for n, key in enumerate(typed)]


def test_ctrl_d_on_an_empty_line_ends_the_input() -> None:
    assert typed_lines(keys("a", "\r", "\x04", "b", "\r")) == (["a", END], "")
    assert typed_lines(keys("a", "\x04")) == ([], "a")  # not on an empty line: ignored


def test_ctrl_d_during_a_reply_leaves_when_it_ends(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(
        Reply(answer="a slow answer that streams for a while", chunk_size=2, delay=0.05),
        Reply(answer="the typed-ahead one"),
    )
    repl.send("first" + ENTER)
    repl.wait_for("a slow")
    for key in ("n", "e", "x", "t", ENTER, CTRL_D):
        repl.send(key)
        repl.pump(0.04)
    assert repl.wait_exit() == 0
    assert "for a while" in repl.text()  # the reply was shown to its end
    sent = [r.body["messages"][-1]["content"] for r in cli.server.chat_requests]
    assert sent == ["first", "next"]  # the line typed before Ctrl-D was sent, then the chat left
    listed = cli("sessions", "list", "--json").stdout
    assert '"turns": 2' in listed
