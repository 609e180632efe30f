"""Every failure: one readable line, the documented exit code, no traceback, no key.

The rest of the fault matrix (retries, malformed streams, proxies) is in test_faults.py.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

from tests.conftest import Cli, assert_clean_failure
from tests.fakeserver import Error, FakeServer, Hang, Reply


def test_no_key_for_dashscope(cli: Cli) -> None:
    env = cli.env()
    del env["DASHSCOPE_API_KEY"], env["QWENCHAT_BASE_URL"]  # the default: DashScope
    result = cli("ask", "hi", env=env)
    assert_clean_failure(result, 2)
    assert "DASHSCOPE_API_KEY" in result.stderr
    assert "--base-url" in result.stderr
    assert ".env.example" not in result.stderr
    assert cli.server.chat_requests == []


def test_no_key_for_a_local_server_sends_the_placeholder(cli: Cli) -> None:
    env = cli.env()
    del env["DASHSCOPE_API_KEY"], env["QWENCHAT_BASE_URL"]
    with FakeServer() as local:  # a local server that takes any key
        result = cli("ask", "--base-url", local.base_url, "hi", env=env)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == "echo: hi\n"
        assert local.chat_requests[0].headers["authorization"] == "Bearer EMPTY"
    env["QWENCHAT_BASE_URL"] = cli.server.base_url  # the environment's URL counts too
    cli("ask", "hi", env=env)
    assert cli.server.chat_requests[0].headers["authorization"] == "Bearer EMPTY"


def test_wrong_key_mentions_the_region(cli: Cli) -> None:
    result = cli("ask", "hi", env=cli.env(DASHSCOPE_API_KEY="sk-test-wrong-key-9999"))
    assert_clean_failure(result, 1)
    assert "401" in result.stderr
    assert "region" in result.stderr
    assert "9999" not in result.stderr


def test_rate_limit(cli: Cli) -> None:
    cli.server.enqueue(Error(429, "Requests rate limit exceeded", code="Throttling"))
    result = cli("ask", "--retries", "0", "hi")
    assert_clean_failure(result, 1)
    assert "rate limit" in result.stderr
    assert len(cli.server.chat_requests) == 1  # the SDK's own retries are off


def test_unknown_model(cli: Cli) -> None:
    cli.server.enqueue(Error(404, "The model `qwen-nope` does not exist", code="model_not_found"))
    result = cli("ask", "-m", "qwen-nope", "hi")
    assert_clean_failure(result, 1)
    assert "unknown model 'qwen-nope'" in result.stderr


def test_bad_request_shows_the_server_message(cli: Cli) -> None:
    cli.server.enqueue(Error(400, "Range of input length should be [1, 30720]"))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert "Range of input length should be [1, 30720]" in result.stderr


def test_timeout(cli: Cli) -> None:
    cli.server.enqueue(Hang(5))
    result = cli("ask", "--timeout", "0.5", "hi")
    assert_clean_failure(result, 1)
    assert "timed out" in result.stderr


def test_connection_refused(cli: Cli) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    result = cli("ask", "--retries", "0", "hi", env=cli.env(QWENCHAT_BASE_URL=url))
    assert_clean_failure(result, 1)
    assert "cannot reach" in result.stderr
    assert "refused" in result.stderr


def test_stream_cut_keeps_the_partial_answer(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="The beginning of a long answer", chunk_size=5, cut_after=3))
    result = cli("ask", "hi")
    assert_clean_failure(result, 1)
    assert result.stdout.startswith("The beginning")
    assert "incomplete" in result.stderr


def test_binary_stdin(cli: Cli) -> None:
    result = cli("ask", "summarise", input=b"\x89PNG\r\n\x1a\n\x00\x00binary")
    assert_clean_failure(result, 2)
    assert "binary" in result.stderr
    assert cli.server.chat_requests == []


def test_no_prompt(cli: Cli) -> None:
    result = cli("ask", input="")
    assert_clean_failure(result, 2)
    assert "no prompt" in result.stderr


def test_out_of_range_option_names_the_flag(cli: Cli) -> None:
    result = cli("ask", "--temperature", "2", "hi")
    assert_clean_failure(result, 2)
    assert "--temperature" in result.stderr
    assert cli.server.chat_requests == []


def test_bad_region(cli: Cli) -> None:
    result = cli("ask", "--region", "mars", "hi", env=cli.env())
    assert_clean_failure(result, 2)


def test_ctrl_c_mid_reply_exits_130(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="word " * 400, chunk_size=5, delay=0.02))
    process = subprocess.Popen(
        [sys.executable, "-m", "qwenchat", "ask", "hi"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=cli.env(),
    )
    assert process.stdout is not None
    assert process.stdout.read(5) == b"word "
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert b"interrupted" in err
    assert len(out) < len("word " * 400)
