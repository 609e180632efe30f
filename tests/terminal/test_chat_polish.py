"""Small chat behaviours a new user meets in the first hour, in a real pseudo-terminal."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from qwenchat.chat.saved_chat import listing
from qwenchat.core.conversation import Turn
from qwenchat.render.chat_view import ChatView
from qwenchat.render.terminal import Terminal
from qwenchat.store.database import Store, Summary, TurnRecord
from tests.conftest import Cli, fake_clipboard
from tests.fakeserver import Error, Reply
from tests.tty import CTRL_C, CTRL_D, ENTER, Tty, say

PROMPT = "›"


def test_continue_shows_the_resumed_conversations_model(cli: Cli, tty_env: dict[str, str]) -> None:
    cli.server.enqueue(Reply(answer="from max"))
    assert cli("ask", "-m", "qwen-max", "hello").exit_code == 0
    session = Tty("-c", env=tty_env)
    try:
        session.wait_for(PROMPT)
        assert " · qwen-max · " in session.lines()[0]
    finally:
        session.close()


def test_think_with_a_wrong_word_is_an_error(cli: Cli, repl: Tty) -> None:
    say(repl, "/think on")
    say(repl, "/think maybe")
    repl.wait_for("qwenchat: error: /think takes on, off or default, not 'maybe'")
    say(repl, "/think")
    repl.wait_for("thinking: on (use")


def test_banner_and_toolbar_are_cut_to_a_narrow_terminal(cli: Cli, tty_env: dict[str, str]) -> None:
    tty_env["COLUMNS"] = "40"
    session = Tty(env=tty_env, cols=40)
    try:
        session.wait_for(PROMPT)
        session.pump(0.3)
        lines = [line for line in session.lines() if line]
        assert lines[0].startswith("qwenchat ")
        assert lines[0].endswith("…")
        assert lines[1].startswith(PROMPT)
        assert len(lines) == 2
        session.send(CTRL_D)
        assert session.wait_exit() == 0
    finally:
        session.close()


def test_the_toolbar_stays_one_row_on_a_narrow_terminal(cli: Cli, tty_env: dict[str, str]) -> None:
    """prompt_toolkit draws its toolbar once it knows the cursor's row: the test terminal
    answers the cursor-position query here, as a real one does."""
    del tty_env["PROMPT_TOOLKIT_NO_CPR"]
    tty_env["COLUMNS"] = "40"
    session = Tty(env=tty_env, cols=40, rows=12)
    try:
        session.wait_for(" qwen-plus · thinking default")
        say(session, "hello")
        session.wait_for(" qwen-plus · thinking default · 8 toke")
        session.pump(0.3)
        bottom = session.lines()[-1]
        assert bottom.startswith(" qwen-plus · thinking default")
        assert bottom.endswith("…")  # cut to the width, not wrapped onto a second row
        assert len(bottom) <= 40
        assert "/help for commands" not in session.text()
        assert session.lines()[-2] == ""
        session.send(CTRL_D)
        assert session.wait_exit() == 0
    finally:
        session.close()


def test_a_line_is_cut_to_the_console_width() -> None:
    out = io.StringIO()
    view = ChatView(Terminal(stdin=None, stdout=out, stderr=out))
    view.console.width = 20
    assert view.fit("short") == "short"
    assert view.fit(" qwen-plus · thinking default · 0 tokens ") == " qwen-plus · think…"


def test_history_marks_a_failed_turn_as_not_sent(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(Error(500, "boom"), Error(500, "boom"), Error(500, "boom"))
    cli.server.enqueue(Error(500, "boom"), Reply(answer="fine now"))
    say(repl, "broken question")
    say(repl, "next question")
    repl.wait_for("fine now")
    say(repl, "/history")
    repl.wait_for("[error · not sent to the model]")
    assert {"role": "user", "content": "broken question"} not in cli.server.chat_requests[-1].body[
        "messages"
    ]


def summary(number: int) -> Summary:
    return Summary(
        number, None, f"talk {number}", "chat", None, "2026", "2026-01-01T10:00", 1, None
    )


def test_sessions_lists_the_newest_twenty_unless_all() -> None:
    summaries = [summary(n) for n in range(30, 0, -1)]
    page = listing(summaries).splitlines()
    assert len(page) == 21
    assert page[0].startswith("  #30 talk 30")
    assert page[-1] == "… 10 older conversations (/sessions all)"
    assert len(listing(summaries, every=True).splitlines()) == 30


def test_the_title_follows_the_first_turn_left_after_undo(tmp_path: Path) -> None:
    store = Store(tmp_path / "conversations.db")
    try:
        talk = store.create(source="chat")
        first = store.append(talk, TurnRecord(Turn("first topic", "a"), "http://x"))
        store.append(talk, TurnRecord(Turn("second topic", "b"), "http://x"))
        store.deactivate([first])
        assert [s.title for s in store.summaries()] == ["second topic"]
    finally:
        store.close()


CODE_ANSWER = "Run this:\n\n```sh\nfirst --block\n```\n\nthen:\n\n```python\nprint('last')\n```\n"


def test_copy_code_copies_the_last_code_block(
    cli: Cli, tty_env: dict[str, str], tmp_path: Path
) -> None:
    clipboard, tty_env["PATH"] = fake_clipboard(tmp_path)
    cli.server.enqueue(Reply(answer=CODE_ANSWER))
    session = Tty(env=tty_env)
    try:
        session.wait_for(PROMPT)
        say(session, "how?")
        say(session, "/copy code")
        session.wait_for("copied 13 characters")
        assert clipboard.read_text() == "print('last')"
    finally:
        session.close()


def test_copy_without_a_clipboard_tool_asks_the_terminal(
    cli: Cli, tty_env: dict[str, str], tmp_path: Path
) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    tty_env["PATH"] = str(empty)
    cli.server.enqueue(Reply(answer="copy \x1b[31mme"))
    session = Tty(env=tty_env)
    try:
        session.wait_for(PROMPT)
        say(session, "question")
        say(session, "/copy")
        session.wait_for("OSC 52")
        payload = base64.b64encode(b"copy me").decode()
        assert f"\x1b]52;c;{payload}\x07".encode() in bytes(session.raw)
    finally:
        session.close()


def test_a_stall_mid_answer_shows_the_waiting_line(cli: Cli, tty_env: dict[str, str]) -> None:
    # one silence, long enough for the line to count to 2 s, then the rest at once
    cli.server.enqueue(
        Reply(answer="the first half, then the rest", chunk_size=16, stall_after=2, stall=3.2)
    )
    session = Tty("ask", "question", env=tty_env)
    try:
        session.wait_for("the first half")
        session.wait_for("waiting… 2 s")
        assert session.wait_exit() == 0
        screen = session.text()
        assert "waiting…" not in screen
        assert screen.count("the first half, then the rest") == 1
    finally:
        session.close()


def test_ctrl_c_during_thinking_leaves_one_partial_line(cli: Cli, repl: Tty) -> None:
    reasoning = "pondering " + " ".join(f"step{i}" for i in range(800))
    cli.server.enqueue(Reply(reasoning=reasoning, answer="never", chunk_size=4, delay=0.02))
    repl.send("think hard" + ENTER)
    repl.wait_for("step40 ")
    repl.send(CTRL_C)
    repl.wait_for("interrupted:")
    repl.wait_for(PROMPT, after=1)
    repl.pump(0.3)
    lines = repl.lines()
    assert not any("^C" in line for line in lines)
    assert any(line.startswith("interrupted") for line in lines)
    thinking = [line for line in lines if "step" in line]
    assert len(thinking) == len(set(thinking))  # no row of the thinking twice


def test_resumed_turns_are_rendered_as_markdown(cli: Cli, tty_env: dict[str, str]) -> None:
    cli.server.enqueue(Reply(answer="A **bold** claim:\n\n```\ncode line\n```\n"))
    assert cli("ask", "tell me *stars*").exit_code == 0
    session = Tty("-c", env=tty_env)
    try:
        session.wait_for("resumed #1")
        session.wait_for("code line")
        screen = session.text()
        assert "A bold claim:" in screen
        assert "**" not in screen
        assert "```" not in screen
        assert "you: tell me *stars*" in screen  # the user's words as written
    finally:
        session.close()


def test_edited_text_is_shown_and_the_editor_gets_an_echoing_terminal(
    cli: Cli, tty_env: dict[str, str], tmp_path: Path
) -> None:
    modes = tmp_path / "modes.txt"
    tty_env["EDITOR"] = (
        f'sh -c \'stty -a < /dev/tty > {modes}; printf "from the editor" > "$1"\' editor'
    )
    session = Tty(env=tty_env)
    try:
        session.wait_for(PROMPT)
        say(session, "/edit")
        session.wait_for("echo: from the editor")
        assert "› from the editor" in session.text()
        assert " echo " in f" {modes.read_text()} ".replace("\n", " ")
    finally:
        session.close()


def test_ctrl_c_before_the_first_token_keeps_the_chat(cli: Cli, repl: Tty) -> None:
    cli.server.enqueue(Reply(answer="too late", first_delay=30))
    repl.send("slow one" + ENTER)
    repl.wait_for("waiting for the reply")
    repl.send(CTRL_C)
    repl.wait_for("interrupted")
    repl.wait_for(PROMPT, after=1)
    assert "too late" not in repl.text()
    assert "Traceback" not in repl.text()
    cli.server.enqueue(Reply(answer="still here"))
    say(repl, "next")
    repl.wait_for("still here")
    sent = list(cli.server.chat_requests[-1].body["messages"])
    assert sent[-1] == {"role": "user", "content": "next"}
    assert all(message.get("content") != "too late" for message in sent)


def test_ctrl_c_at_the_prompt_clears_the_line_and_the_chat_goes_on(cli: Cli, repl: Tty) -> None:
    repl.send("half a thought")
    repl.wait_for("half a thought")
    repl.send(CTRL_C)
    repl.pump(0.3)
    cli.server.enqueue(Reply(answer="fresh answer"))
    say(repl, "a new line")
    repl.wait_for("fresh answer")
    assert cli.server.chat_requests[-1].body["messages"][-1]["content"] == "a new line"
    assert len(cli.server.chat_requests) == 1  # the cleared line was never sent
    repl.send(CTRL_D)
    assert repl.wait_exit() == 0
