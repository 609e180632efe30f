"""The fault matrix (docs/faults.md), row by row, through the real CLI and the fake server.

Each test asserts what the user sees, the exit code, how many requests reached the server
(retries) and that the process ends within a bound.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import Cli, Result, assert_clean_failure
from tests.fakeserver import DONE_FRAME, Error, Frames, Hang, Raw, Reply, chunk_frame

BOUND = 10.0  # seconds: no fault may keep qwenchat busy longer than this here
MODERATION = (
    'data: {"error": {"code": "DataInspectionFailed", '
    '"message": "Output data may contain inappropriate content."}}\n\n'
)


@contextmanager
def within(seconds: float = BOUND) -> Iterator[None]:
    start = time.monotonic()
    yield
    assert time.monotonic() - start < seconds


def requests(cli: Cli) -> int:
    return len(cli.server.chat_requests)


def announced(result: Result) -> int:
    return result.stderr.count("; retrying in ")


# --- reaching the server -------------------------------------------------------------------


def test_connection_refused_is_retried_then_reported(cli: Cli) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with within():
        result = cli(
            "ask",
            "--retries",
            "1",
            "hi",
            env=cli.env(QWENCHAT_BASE_URL=f"http://127.0.0.1:{port}/v1"),
        )
    assert_clean_failure(result, 1)
    assert "connection refused" in result.stderr
    assert announced(result) == 1


def test_server_that_closes_at_once_is_retried(cli: Cli) -> None:
    cli.server.enqueue(Hang(0), Hang(0))
    with within():
        result = cli("ask", "--retries", "1", "hi")
    assert_clean_failure(result, 1)
    assert "cannot reach" in result.stderr
    assert "without sending a response" in result.stderr
    assert requests(cli) == 2
    assert announced(result) == 1


def test_server_that_closes_once_then_answers(cli: Cli) -> None:
    cli.server.enqueue(Hang(0), Reply(answer="second time lucky"))
    with within():
        result = cli("ask", "--retries", "1", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "second time lucky\n"
    assert requests(cli) == 2


def test_server_that_never_answers_times_out_without_retry(cli: Cli) -> None:
    cli.server.enqueue(Hang(30))
    with within():
        result = cli("ask", "--timeout", "0.5", "hi")
    assert_clean_failure(result, 1)
    assert "timed out after 0.5 s" in result.stderr
    assert requests(cli) == 1


# --- error statuses ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(cli: Cli, status: int) -> None:
    cli.server.enqueue(Error(status, "try later", headers={"Retry-After": "0"}), Reply(answer="ok"))
    with within():
        result = cli("ask", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "ok\n"
    assert f"server error {status}; retrying in 0.0 s (attempt 2 of 3)" in result.stderr
    assert requests(cli) == 2


def test_persistent_server_error_gives_up_after_the_last_attempt(cli: Cli) -> None:
    cli.server.enqueue(
        *[Error(503, "overloaded", headers={"Retry-After": "0"}, request_id="r-503")] * 3
    )
    with within():
        result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "server error: overloaded (503)" in result.stderr
    assert "r-503" in result.stderr
    assert requests(cli) == 3
    assert announced(result) == 2


def test_rate_limit_is_retried_after_the_servers_retry_after(cli: Cli) -> None:
    cli.server.enqueue(
        Error(429, "Requests rate limit exceeded", headers={"Retry-After": "0.3"}),
        Reply(answer="ok"),
    )
    start = time.monotonic()
    result = cli("ask", "hi")
    assert result.exit_code == 0, result.stderr
    assert "rate limited (429); retrying in 0.3 s" in result.stderr
    assert time.monotonic() - start >= 0.3
    assert requests(cli) == 2


def test_rate_limit_asking_for_a_long_wait_is_not_retried(cli: Cli) -> None:
    cli.server.enqueue(Error(429, "Requests rate limit exceeded", headers={"Retry-After": "3600"}))
    with within():
        result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "asks to wait 3600 s" in result.stderr
    assert requests(cli) == 1


def test_quota_429_is_not_retried_and_explained(cli: Cli) -> None:
    cli.server.enqueue(
        Error(429, "You exceeded your current quota", code="quota_exceeded", request_id="r-q")
    )
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "the quota is used up" in result.stderr
    assert "console" in result.stderr
    assert "(request id r-q)" in result.stderr
    assert requests(cli) == 1


@pytest.mark.parametrize(
    ("status", "message", "shown"),
    [
        (400, "Range of input length should be [1, 30720]", "Range of input length"),
        (401, "Incorrect API key provided.", "authentication failed"),
        (403, "Access denied.", "authentication failed"),
        (404, "The model `qwen-nope` does not exist", "unknown model"),
    ],
)
def test_client_errors_are_never_retried(cli: Cli, status: int, message: str, shown: str) -> None:
    cli.server.enqueue(Error(status, message, headers={"Retry-After": "0"}))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert shown in result.stderr
    assert requests(cli) == 1


def test_moderation_error_before_the_reply(cli: Cli) -> None:
    cli.server.enqueue(
        Error(400, "Input data may contain inappropriate content.", code="DataInspectionFailed")
    )
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "content moderation" in result.stderr
    assert requests(cli) == 1


def test_proxy_html_error_page_is_retried_and_named(cli: Cli) -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    cli.server.enqueue(Raw(502, page, "text/html"), Raw(502, page, "text/html"))
    with within():
        result = cli("ask", "--retries", "1", "hi")
    assert_clean_failure(result, 1)
    assert "an HTML page: 502 Bad Gateway (502)" in result.stderr
    assert "<html>" not in result.stderr
    assert requests(cli) == 2


# --- the stream ----------------------------------------------------------------------------


def test_stream_cut_after_the_first_chunk_is_not_retried(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="The beginning of a long answer", chunk_size=5, cut_after=3))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert result.stdout.startswith("The beginning")
    assert "broke mid-reply; the reply is incomplete" in result.stderr
    assert requests(cli) == 1


def test_stalled_stream_times_out_keeping_the_partial_answer(cli: Cli) -> None:
    frames = [chunk_frame({"content": "Partial "}), chunk_frame({"content": "rest"}, "stop")]
    cli.server.enqueue(Frames([*frames, DONE_FRAME], delay=30))
    with within():
        result = cli("ask", "--timeout", "0.5", "hi")
    assert_clean_failure(result, 1)
    assert result.stdout == "Partial \n"
    assert "no data from the server for 0.5 s; the reply is incomplete" in result.stderr
    assert requests(cli) == 1


def test_malformed_json_chunk(cli: Cli) -> None:
    cli.server.enqueue(Frames([chunk_frame({"content": "Hel"}), "data: {not json\n\n"]))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "malformed chunk: '{not json'" in result.stderr
    assert result.stdout == "Hel\n"
    assert requests(cli) == 1


def test_chunk_without_choices_is_skipped(cli: Cli) -> None:
    no_choices = 'data: {"id": "x", "object": "chat.completion.chunk"}\n\n'
    frames = [chunk_frame({"content": "Hi"}), no_choices, chunk_frame({}, "stop"), DONE_FRAME]
    cli.server.enqueue(Frames(frames))
    result = cli("ask", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Hi\n"


def test_sse_comment_lines_are_ignored(cli: Cli) -> None:
    frames = [": ping\n\n", chunk_frame({"content": "Hi"}), ": keep-alive\n\n"]
    cli.server.enqueue(Frames([*frames, chunk_frame({}, "stop"), DONE_FRAME]))
    result = cli("ask", "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Hi\n"


def test_stream_without_done_is_incomplete(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="almost", done=False))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert result.stdout == "almost\n"
    assert "ended before the server finished" in result.stderr


def test_stream_without_finish_reason_is_incomplete(cli: Cli) -> None:
    # llama.cpp's Python server does this, with HTTP 200, when the prompt is too long
    cli.server.enqueue(Reply(answer="", finish_reason=None))
    result = cli("ask", "--json", "hi")
    assert_clean_failure(result, 1)
    assert json.loads(result.stdout)["outcome"] == "incomplete"
    assert "may be incomplete" in result.stderr


def test_server_without_usage_still_works(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="fine", send_usage=False))
    result = cli("ask", "--json", "hi")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["answer"] == "fine"
    assert document["usage"] is None


def test_html_page_with_status_200(cli: Cli) -> None:
    cli.server.enqueue(Raw(200, b"<html><body>Login required</body></html>", "text/html"))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "text/html instead of an event stream" in result.stderr
    assert requests(cli) == 1


def test_json_body_for_a_streamed_request(cli: Cli) -> None:
    body = b'{"id": "x", "object": "chat.completion", "choices": []}'
    cli.server.enqueue(Raw(200, body, "application/json"))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "without streaming" in result.stderr


def test_empty_reply_says_so(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer=""))
    result = cli("ask", "hi")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "the model returned an empty answer" in result.stderr


def test_finish_reason_length_tells_the_user(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="cut he", finish_reason="length"))
    result = cli("ask", "--max-tokens", "3", "hi")
    assert result.exit_code == 0
    assert result.stdout == "cut he\n"
    assert "cut short by the token limit (raise --max-tokens)" in result.stderr


def test_moderation_error_mid_stream_keeps_the_partial_answer(cli: Cli) -> None:
    cli.server.enqueue(Frames([chunk_frame({"content": "Once upon"}), MODERATION]))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert result.stdout == "Once upon\n"
    assert "DataInspectionFailed" in result.stderr
    assert "content moderation" in result.stderr
    assert requests(cli) == 1


def test_ctrl_c_cancels_the_retry_wait(cli: Cli) -> None:
    cli.server.enqueue(Error(503, "overloaded", headers={"Retry-After": "60"}), Reply(answer="x"))
    process = subprocess.Popen(
        [sys.executable, "-m", "qwenchat", "ask", "hi"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=cli.env(),
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert b"retrying in 60.0 s" in line
    start = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=BOUND)
    assert time.monotonic() - start < 5
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert requests(cli) == 1
