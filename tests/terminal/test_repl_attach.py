"""The chat's /attach, /attachments and /detach, driven in a real pseudo-terminal."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from tests.conftest import Cli
from tests.images import png
from tests.terminal.test_repl import messages
from tests.tty import PROMPT, Tty, say


@pytest.fixture
def vl_repl(cli: Cli) -> Iterator[Tty]:
    (cli.home / "work" / "cat.png").write_bytes(png())
    (cli.home / "work" / "notes.txt").write_text("remember", encoding="utf-8")
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="30")
    session = Tty("chat", "-m", "qwen-vl-max", env=env)
    session.wait_for(PROMPT)
    yield session
    session.close()


def test_attach_goes_with_the_next_message_and_follow_ups_resend_it(cli: Cli, vl_repl: Tty) -> None:
    path = str(cli.home / "work" / "cat.png")
    say(vl_repl, f"/attach {path}")
    vl_repl.wait_for(f"📎 cat.png · {len(png())} B · 64×48")
    say(vl_repl, "/attach notes.txt")
    say(vl_repl, "/attachments")
    vl_repl.wait_for("2. notes.txt · 8 B")
    say(vl_repl, "what is this?")
    say(vl_repl, "and again?")
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    first = [
        {"type": "image_url", "image_url": {"url": url}},
        {"type": "text", "text": "what is this?\n\nnotes.txt:\n```\nremember\n```"},
    ]
    assert messages(cli, 0) == [{"role": "user", "content": first}]
    assert messages(cli, 1)[0] == {"role": "user", "content": first}
    assert messages(cli, 1)[2] == {"role": "user", "content": "and again?"}


def test_bad_attach_is_one_line_and_detach_drops(cli: Cli, vl_repl: Tty) -> None:
    say(vl_repl, "/attach nope.png")
    vl_repl.wait_for("nope.png: no such file")
    say(vl_repl, "/attach file:///etc/passwd")
    vl_repl.wait_for("file:// URLs are refused")
    say(vl_repl, "/attach cat.png")
    say(vl_repl, "/detach")
    vl_repl.wait_for("detached 1")
    say(vl_repl, "plain question")
    assert messages(cli, 0) == [{"role": "user", "content": "plain question"}]
    assert "Traceback" not in vl_repl.text()


def test_image_for_a_text_model_is_refused_and_kept_for_another_model(
    cli: Cli, vl_repl: Tty
) -> None:
    say(vl_repl, "/model qwen-plus")
    say(vl_repl, "/attach cat.png")
    say(vl_repl, "look")
    vl_repl.wait_for("qwen-plus cannot see images")
    assert cli.server.chat_requests == []
    say(vl_repl, "/model qwen-vl-plus")
    say(vl_repl, "look")
    content = messages(cli, 0)[0]["content"]
    assert isinstance(content, list)
    assert content[0]["type"] == "image_url"


def test_ask_on_a_terminal_shows_each_attachment_as_one_line(cli: Cli) -> None:
    image = cli.home / "work" / "cat.png"
    image.write_bytes(png())
    env = cli.env(TERM="xterm-256color", COLUMNS="100", LINES="30")
    session = Tty("ask", "-m", "qwen-vl-max", "-a", str(image), "what?", env=env)
    try:
        session.wait_for("echo: what?")
        assert session.wait_exit() == 0
        assert f"📎 cat.png · {len(png())} B · 64×48" in session.text()
    finally:
        session.close()


def test_the_chat_refuses_an_image_for_qwen_long_before_any_upload(cli: Cli) -> None:
    (cli.home / "work" / "report.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    (cli.home / "work" / "cat.png").write_bytes(png())
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="30")
    session = Tty("chat", "-m", "qwen-long", env=env)
    try:
        session.wait_for(PROMPT)
        say(session, "/attach report.pdf")
        say(session, "/attach cat.png")
        say(session, "what is in them?")
        session.wait_for("qwen-long cannot see images")
    finally:
        session.close()
    assert cli.server.requests == []  # no upload, no question
