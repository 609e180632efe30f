"""Saved conversations end to end: auto-save, -c/--session, `sessions …`, budget, cache, crashes."""

from __future__ import annotations

import json
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwenchat.engine.compress import SUMMARY_REQUEST
from tests.conftest import TEST_KEY, Cli, assert_clean_failure
from tests.fakeserver import Error, Reply
from tests.tty import ENTER, PROMPT, Tty, say


def database(cli: Cli) -> Path:
    return cli.home / "data" / "qwenchat" / "conversations.db"


def rows(cli: Cli, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(database(cli))
    try:
        return list(db.execute(sql))
    finally:
        db.close()


def sent(cli: Cli, index: int) -> list[dict[str, str]]:
    return list(cli.server.chat_requests[index].body["messages"])


@pytest.fixture
def spawn(tty_env: dict[str, str]) -> Iterator[type[Tty]]:
    started: list[Tty] = []

    class Started(Tty):
        def __init__(self, *args: str) -> None:
            super().__init__(*args, env=tty_env)
            started.append(self)
            self.wait_for(PROMPT)

    yield Started
    for session in started:
        session.close()


def test_ask_turns_are_saved_and_c_continues_the_last_one(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="mull", answer="Hangzhou."), Reply(answer="Nanjing."))
    assert cli("ask", "-s", "Be brief.", "Capital of Zhejiang?").exit_code == 0
    result = cli("ask", "-c", "And of Jiangsu?")
    assert result.stdout == "Nanjing.\n"
    assert sent(cli, 1) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of Zhejiang?"},
        {"role": "assistant", "content": "Hangzhou."},
        {"role": "user", "content": "And of Jiangsu?"},
    ]
    saved = rows(cli, "SELECT user, answer, reasoning, system, outcome, model FROM turns")
    assert saved == [
        ("Capital of Zhejiang?", "Hangzhou.", "mull", "Be brief.", "ok", "qwen-plus"),
        ("And of Jiangsu?", "Nanjing.", "", "Be brief.", "ok", "qwen-plus"),
    ]
    assert TEST_KEY.encode() not in database(cli).read_bytes()
    assert cli("ask", "fresh start").exit_code == 0
    assert sent(cli, 2) == [{"role": "user", "content": "fresh start"}]


def test_named_session_collects_its_own_turns(cli: Cli) -> None:
    cli("ask", "--session", "work", "task one")
    cli("ask", "elsewhere")
    cli("ask", "--session", "work", "task two")
    assert [m["content"] for m in sent(cli, 2)] == ["task one", "echo: task one", "task two"]
    listed = json.loads(cli("sessions", "list", "--json").stdout)
    assert [(s["name"], s["title"], s["turns"]) for s in listed] == [
        ("work", "task one", 2),
        (None, "elsewhere", 1),
    ]
    table = cli("sessions", "list").stdout
    assert "work" in table
    assert "TURNS" in table


def test_show_export_and_rm(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="step one\n</details> sneaky", answer="**42**"))
    cli("ask", "-m", "qwq-plus", "--session", "deep", "the question")
    shown = cli("sessions", "show", "deep").stdout
    assert "the question" in shown
    assert "step one" in shown
    markdown = cli("sessions", "export", "deep", "--format", "md").stdout
    assert markdown.startswith("# the question (deep)")
    assert "<details><summary>Reasoning</summary>\n\nstep one\n&lt;/details> sneaky" in markdown
    assert markdown.count("</details>") == 1
    assert markdown.rstrip().endswith("**42**")
    document = json.loads(cli("sessions", "export", "1", "--format", "json").stdout)
    (turn,) = document["turns"]
    assert (turn["user"], turn["answer"], turn["model"]) == ("the question", "**42**", "qwq-plus")
    assert turn["usage"]["prompt_tokens"] > 0
    assert_clean_failure(cli("sessions", "export", "deep", "--format", "pdf"), 2)
    kept = cli("sessions", "rm", "deep", input="n\n")
    assert "nothing deleted" in kept.stderr
    assert cli("sessions", "rm", "deep", input="y\n").exit_code == 0
    assert_clean_failure(cli("sessions", "show", "deep"), 2)
    cli("ask", "again")
    assert cli("sessions", "rm", "2", "--yes").exit_code == 0
    assert rows(cli, "SELECT COUNT(*) FROM turns") == [(0,)]


def test_history_over_a_small_window_is_trimmed_oldest_first(cli: Cli) -> None:
    env = cli.env(QWENCHAT_CONTEXT_WINDOW="500")  # 375 tokens for the input
    cli.server.enqueue(Reply(answer="b" * 600), Reply(answer="d" * 600), Reply(answer="fine"))
    cli("ask", "first " + "a" * 400, env=env)
    second = cli("ask", "-c", "second", env=env)
    assert "left out" not in second.stderr
    assert len(sent(cli, 1)) == 3
    third = cli("ask", "-c", "third", env=env)
    assert third.exit_code == 0
    assert [m["content"] for m in sent(cli, 2)] == ["second", "d" * 600, "third"]
    assert "left out the oldest turn" in third.stderr
    assert rows(cli, "SELECT COUNT(*) FROM turns WHERE active") == [(3,)]  # nothing lost


def test_input_range_error_trims_and_retries_once(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(answer="x" * 200),
        Error(400, "Range of input length should be [1, 20]", code="invalid_parameter_error"),
        Reply(answer="short enough"),
    )
    cli("ask", "one")
    result = cli("ask", "-c", "two")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "short enough\n"
    assert "at most 20 input tokens" in result.stderr
    assert "retrying" in result.stderr
    assert len(sent(cli, 1)) == 3
    assert sent(cli, 2) == [{"role": "user", "content": "two"}]


def test_input_range_error_with_nothing_to_drop_fails_cleanly(cli: Cli) -> None:
    cli.server.enqueue(Error(400, "Range of input length should be [1, 3]"))
    result = cli("ask", "far too long a message for three tokens")
    assert_clean_failure(result, 1)
    assert "Range of input length" in result.stderr
    assert "longer than the model's 3-token input" in result.stderr
    assert len(cli.server.chat_requests) == 1


def test_cache_reuses_answers_only_when_asked_and_not_for_thinking(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="computed"))
    cli("ask", "same question")
    cached = cli("ask", "--cache", "same question")
    assert cached.stdout == "computed\n"
    assert "cached answer" in cached.stderr
    assert len(cli.server.chat_requests) == 1
    cli("ask", "same question")
    cli("ask", "--cache", "--temperature", "0.5", "same question")
    assert len(cli.server.chat_requests) == 3
    cli.server.enqueue(Reply(reasoning="r", answer="thought"), Reply(reasoning="r", answer="again"))
    cli("ask", "-m", "qwq-plus", "think")
    assert cli("ask", "--cache", "-m", "qwq-plus", "think").stdout == "again\n"
    assert cli("ask", "--cache-thinking", "-m", "qwq-plus", "think").stdout == "again\n"
    assert len(cli.server.chat_requests) == 5


def test_repl_turns_are_saved_and_c_resumes_with_a_recap(cli: Cli, spawn: type[Tty]) -> None:
    cli("ask", "remember the number 7")
    repl = spawn("-c")
    repl.wait_for("resumed #1")
    repl.wait_for("echo: remember the number 7")
    say(repl, "which number?")
    assert [m["content"] for m in sent(cli, 1)] == [
        "remember the number 7",
        "echo: remember the number 7",
        "which number?",
    ]
    say(repl, "/rename numbers")
    repl.wait_for("renamed #1 to 'numbers'")
    say(repl, "/fork")
    repl.wait_for("forked #1 into #2")
    say(repl, "only in the fork")
    assert len(sent(cli, 2)) == 5
    say(repl, "/sessions")
    repl.wait_for("[numbers]")
    say(repl, "/resume numbers")
    say(repl, "back in the original")
    assert [m["content"] for m in sent(cli, 3)][-2:] == [
        "echo: which number?",
        "back in the original",
    ]
    repl.send("/exit" + ENTER)
    assert repl.wait_exit() == 0
    counts = rows(cli, "SELECT conversation_id, COUNT(*) FROM turns GROUP BY 1 ORDER BY 1")
    assert counts == [(1, 3), (2, 3)]
    assert rows(cli, "SELECT name, parent_id FROM conversations ORDER BY id") == [
        ("numbers", None),
        (None, 1),
    ]


def test_session_flag_creates_then_resumes_a_named_chat(cli: Cli, spawn: type[Tty]) -> None:
    repl = spawn("--session", "proj")
    repl.wait_for("new session 'proj'")
    say(repl, "hello proj")
    repl.send("/exit" + ENTER)
    assert repl.wait_exit() == 0
    again = spawn("--session", "proj")
    again.wait_for("resumed #1 proj")
    say(again, "and again")
    assert [m["content"] for m in sent(cli, 1)] == ["hello proj", "echo: hello proj", "and again"]


def test_undo_clear_and_compress_keep_the_store_in_step(cli: Cli, spawn: type[Tty]) -> None:
    repl = spawn()
    for text in ("one", "two", "three", "four"):
        say(repl, text)
    say(repl, "/undo")
    active = "SELECT user FROM turns WHERE active ORDER BY id"
    assert rows(cli, active) == [("one",), ("two",), ("three",)]
    cli.server.enqueue(Reply(answer="SUMMARY: one and two"))
    say(repl, "/compress 1")
    repl.wait_for("compressed 2 turns")
    summarised = ["one", "echo: one", "two", "echo: two", SUMMARY_REQUEST]
    assert [m["content"] for m in sent(cli, 4)] == summarised
    say(repl, "five")
    assert [m["content"] for m in sent(cli, 5)] == [
        SUMMARY_REQUEST, "SUMMARY: one and two", "three", "echo: three", "five",
    ]  # fmt: skip
    assert rows(cli, active) == [(SUMMARY_REQUEST,), ("three",), ("five",)]
    say(repl, "/clear")
    say(repl, "new topic")
    assert rows(cli, "SELECT COUNT(DISTINCT conversation_id) FROM turns WHERE active") == [(2,)]


def test_sigkill_mid_reply_keeps_every_completed_turn(cli: Cli, spawn: type[Tty]) -> None:
    cli.server.enqueue(
        Reply(answer="first done"),
        Reply(answer="second done"),
        Reply(answer="slow " * 1000, chunk_size=5, delay=0.02),
    )
    repl = spawn()
    say(repl, "one")
    say(repl, "two")
    repl.send("three" + ENTER)
    repl.wait_for("slow slow")
    repl.child.kill(signal.SIGKILL)
    repl.child.wait()
    assert rows(cli, "PRAGMA integrity_check") == [("ok",)]
    assert rows(cli, "SELECT user, answer, outcome FROM turns ORDER BY id") == [
        ("one", "first done", "ok"),
        ("two", "second done", "ok"),
    ]
    shown = cli("sessions", "show", "1")
    assert shown.exit_code == 0
    assert "second done" in shown.stdout
