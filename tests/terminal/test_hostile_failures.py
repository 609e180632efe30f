"""Failures a user (or a server) can cause: each one line with its documented exit code, the
turn saved where there is one, never `internal error` (exit 70)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.app.test_hostile_replies import saved_turns
from tests.conftest import Cli, Result, assert_clean_failure
from tests.fakebatch import FakeBatches
from tests.hostileserver import REDIRECTED


def no_bug(result: Result) -> None:
    assert "internal error" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def finish_reasons(cli: Cli) -> list[str | None]:
    listed = cli("sessions", "list", "--json")
    reasons = []
    for summary in reversed(json.loads(listed.stdout)):
        exported = cli("sessions", "export", str(summary["id"]), "-f", "json")
        reasons += [t["finish_reason"] for t in json.loads(exported.stdout)["turns"]]
    return reasons


def test_a_lone_surrogate_as_finish_reason_is_shown_and_saved_as_a_replacement(
    hostile: Cli,
) -> None:
    result = hostile("ask", "-m", "finish-surrogate", "hi")
    no_bug(result)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "kept\n"
    as_json = hostile("ask", "--json", "-m", "finish-surrogate", "hi")
    assert json.loads(as_json.stdout)["finish_reason"] == "\ufffd"
    assert saved_turns(hostile) == [("finish-surrogate", "kept")] * 2
    assert finish_reasons(hostile) == ["\ufffd", "\ufffd"]


@pytest.mark.parametrize("kind", ["none", "text/event-stream", "text/plain"])
def test_a_reply_that_is_not_an_event_stream_says_so(hostile: Cli, kind: str) -> None:
    result = hostile("ask", "-m", f"not-sse:{kind}", "hi")
    assert_clean_failure(result, 1)
    if kind == "text/plain":  # a named type says which
        assert "answered with text/plain instead of an event stream" in result.stderr
    else:
        assert (
            "qwenchat: error: the server answered without an event stream: "
            "'plain words, no events'" in result.stderr
        )


def test_debug_logs_a_redirect_without_reading_the_streamed_body(hostile: Cli) -> None:
    result = hostile("--debug", "ask", "-m", "redirect", "hi")
    no_bug(result)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "moved here\n"
    assert "307 in" in result.stderr
    assert f"redirected to {REDIRECTED}" in result.stderr
    assert f"→ #2 POST {hostile.server.base_url.removesuffix('/v1')}{REDIRECTED}" in result.stderr
    assert "(a streamed body: not logged)" in result.stderr
    paths = [r.path for r in hostile.server.requests]
    assert paths == ["/v1/chat/completions", REDIRECTED]


def closed_stdout() -> None:
    os.close(1)


def run_to(cli: Cli, stdout: str, *args: str) -> Result:
    """`qwenchat ARGS` with stdout closed (`>&-`) or sent to a device (`> /dev/full`)."""
    with open(os.devnull if stdout == "closed" else stdout, "wb") as target:
        done = subprocess.run(
            [sys.executable, "-m", "qwenchat", *args],
            stdout=target, stderr=subprocess.PIPE, env=cli.env(), timeout=60, check=False,
            preexec_fn=closed_stdout if stdout == "closed" else None,
        )  # fmt: skip
    return Result(done.returncode, "", done.stderr.decode("utf-8", "replace"))


@pytest.mark.parametrize(
    ("stdout", "args", "said"),
    [
        ("closed", ("ask", "hi"), "it is closed"),
        ("/dev/full", ("ask", "hi"), "No space left on device"),
        ("/dev/full", ("ask", "--json", "hi"), "No space left on device"),
        ("closed", ("models",), "it is closed"),
        ("/dev/full", ("sessions", "list"), "No space left on device"),
    ],
)
def test_a_stdout_closed_or_full_is_one_line_and_the_turn_is_saved(
    hostile: Cli, stdout: str, args: tuple[str, ...], said: str
) -> None:
    if args[0] == "sessions":
        hostile("ask", "first")
    result = run_to(hostile, stdout, *args)
    assert_clean_failure(result, 1)
    assert f"qwenchat: error: cannot write to stdout: {said}" in result.stderr
    if args[0] == "ask":
        assert [answer for _, answer in saved_turns(hostile)] == ["echo: hi"]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--since", "99999999d"),
        ("--since", "9" * 5000 + "d"),
        ("--since", "0001-01-01T00:00+05:00"),
    ],
)
def test_a_period_outside_the_calendar_is_a_usage_error(
    hostile: Cli, option: str, value: str
) -> None:
    result = hostile("usage", option, value)
    assert_clean_failure(result, 2)
    assert "is outside the calendar (years 1 to 9999)" in result.stderr


def test_until_the_last_day_of_the_calendar_is_no_end_at_all(hostile: Cli) -> None:
    hostile("ask", "hi")
    result = hostile("usage", "--until", "9999-12-31", "--json")
    assert result.exit_code == 0, result.stderr
    assert [row["turns"] for row in json.loads(result.stdout)["rows"]] == [1]


def test_a_batch_whose_fingerprint_cannot_be_written_sends_nothing(hostile: Cli) -> None:
    source = hostile.home / "work" / "in.jsonl"
    source.write_text('{"id": "1", "prompt": "p1"}\n{"id": "2", "prompt": "p2"}\n')
    out = hostile.home / "work" / "out.jsonl"
    hostile("ask", "make the store first")  # the limit hits the batch's own files only
    hostile.server.reset()

    def tiny_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (10, 10))  # a full disk, as far as writes go

    done = subprocess.run(
        [sys.executable, "-m", "qwenchat", "batch", str(source), "-o", str(out)],
        capture_output=True, env=hostile.env(), timeout=60, preexec_fn=tiny_files, check=False,
    )  # fmt: skip
    result = Result(done.returncode, done.stdout.decode(), done.stderr.decode())
    assert_clean_failure(result, 1)
    assert f"cannot write {out}.fingerprint: File too large; nothing was sent" in result.stderr
    assert hostile.server.chat_requests == []
    assert not Path(f"{out}.fingerprint").exists()  # no torn fingerprint is left to trust
    again = hostile("batch", str(source), "-o", str(out))  # with room again, it runs
    assert again.exit_code == 0, again.stderr
    assert len(out.read_text().splitlines()) == 2


def test_a_remote_batch_line_with_a_lone_surrogate_is_refused_before_upload(hostile: Cli) -> None:
    batches = FakeBatches(hostile.server)
    source = hostile.home / "work" / "in.jsonl"
    source.write_text('{"id": "1", "prompt": "fine"}\n{"id": "2", "prompt": "bad \\ud800 here"}\n')
    result = hostile("batch", str(source), "--remote", "--poll", "0.01")
    assert_clean_failure(result, 2)
    assert "in.jsonl: 1 invalid line, nothing was sent: line 2: the text is not valid Unicode" in (
        result.stderr
    )
    assert batches.uploads() == []
    assert hostile.server.requests == []


FUNCTIONS = '''
import sys
import threading
import time


def forever() -> str:
    """Start a worker that never ends."""
    threading.Thread(target=lambda: time.sleep(10**6), name="worker").start()
    return "started"


def leave() -> str:
    """Call sys.exit."""
    sys.exit(3)


def surrogate() -> str:
    """Return a lone surrogate."""
    return "bad \\ud800 text"


def deep() -> list:
    """Return a deeply nested list."""
    value: list = []
    for _ in range(100_000):
        value = [value]
    return value
'''


def with_functions(cli: Cli) -> Callable[[str], Result]:
    Path("tools.py").write_text(FUNCTIONS, encoding="utf-8")

    def call(tool: str) -> Result:
        return cli("ask", "--functions", "tools.py", "--yes-tools", "-m", f"call:{tool}:", "hi")

    return call


@pytest.mark.parametrize(
    ("tool", "said"),
    [
        ("leave", "tool said: error: SystemExit: 3"),
        ("surrogate", "tool said: bad \ufffd text"),
        ("deep", "tool said: error: the tool's result is nested too deeply to send"),
    ],
)
def test_a_tool_that_exits_or_returns_what_cannot_be_sent_is_an_error_for_the_model(
    hostile: Cli, tool: str, said: str
) -> None:
    result = with_functions(hostile)(tool)
    no_bug(result)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == said + "\n"
    assert saved_turns(hostile) == [(f"call:{tool}:", said)]


def test_a_tool_that_leaves_a_thread_running_does_not_keep_qwenchat_from_exiting(
    hostile: Cli,
) -> None:
    Path("tools.py").write_text(FUNCTIONS, encoding="utf-8")
    args = ("ask", "--functions", "tools.py", "--yes-tools", "-m", "call:forever:", "hi")
    result = hostile.subprocess(*args)  # (60 s timeout: it used to wait for the thread forever)
    no_bug(result)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "tool said: started\n"
    assert "the tool forever left 1 thread running (worker)" in result.stderr
    assert saved_turns(hostile) == [("call:forever:", "tool said: started")]


@pytest.mark.parametrize(
    ("price", "said", "line"),
    [
        ('currency = "CNY"\ninput = 1e308\noutput = 2', "input: must be at most 1,000,000", 3),
        ('currency = "XYZ"\ninput = 1\noutput = 2', "currency: must be a currency code", 2),
        (
            'currency = "EUR"\ntiers = [{up_to = 10, input = 1, output = 2},'
            " {input = 1, output = 1e308}]",
            "tiers[2].output: must be at most 1,000,000",
            3,
        ),
    ],
)
def test_an_absurd_price_or_an_unknown_currency_in_config_is_refused_with_its_line(
    hostile: Cli, price: str, said: str, line: int
) -> None:
    config = hostile.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[models."qwen-plus".price]\n{price}\n')
    result = hostile("ask", "-m", "qwen-plus", "hi")
    assert_clean_failure(result, 2)
    assert f'config {config}: [models."qwen-plus".price] {said}' in result.stderr
    assert f"(line {line})" in result.stderr
    assert hostile.server.requests == []
