"""`qwenchat ask` end to end: real Typer app, real openai SDK, loopback server."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TEST_KEY, Cli
from tests.fakeserver import Reply
from tests.tty import Tty


def test_piped_text_follows_the_instruction(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="A short summary."))
    result = cli("ask", "summarise", input="line one\nline two\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "A short summary.\n"
    sent = cli.server.chat_requests[0].body
    assert sent["messages"] == [{"role": "user", "content": "summarise\n\nline one\nline two"}]


def test_stdin_alone_is_the_prompt(cli: Cli) -> None:
    result = cli("ask", input="hi\n")
    assert result.exit_code == 0
    assert result.stdout == "echo: hi\n"


def test_request_streams_with_usage_and_key_only_in_header(cli: Cli) -> None:
    cli("ask", "-m", "qwen-turbo", "hello")
    request = cli.server.chat_requests[0]
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.body["model"] == "qwen-turbo"
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert TEST_KEY not in request.raw.decode()
    other_headers = {k: v for k, v in request.headers.items() if k != "authorization"}
    assert TEST_KEY not in json.dumps(other_headers)


def test_reasoning_goes_to_stderr_and_answer_to_stdout(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="Let me think.", answer="42"))
    result = cli("ask", "-m", "qwq-plus", "question")
    assert result.stdout == "42\n"
    assert "Let me think." in result.stderr


def test_hide_thinking(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="secret musings", answer="42"))
    result = cli("ask", "-m", "qwq-plus", "--hide-thinking", "question")
    assert result.stdout == "42\n"
    assert "secret musings" not in result.stderr


@pytest.mark.parametrize(("flag", "expected"), [("--think", True), ("--no-think", False)])
def test_think_flag_sends_enable_thinking(cli: Cli, flag: str, expected: bool) -> None:
    cli.server.enqueue(Reply(reasoning="r" if expected else "", answer="ok"))
    cli("ask", "-m", "qwen3-32b", flag, "hi")
    body = cli.server.chat_requests[0].body
    assert body["enable_thinking"] is expected
    assert body["stream"] is True


def test_thinking_forces_streaming_even_with_no_stream(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="hmm", answer="done"))
    result = cli("ask", "-m", "qwq-plus", "--no-stream", "hi")
    assert cli.server.chat_requests[0].body["stream"] is True
    assert result.stdout == "done\n"


def test_non_streamed_hybrid_model_turns_thinking_off(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="plain"))
    result = cli("ask", "-m", "qwen-plus", "--no-stream", "hi")
    body = cli.server.chat_requests[0].body
    assert body["stream"] is False
    assert body["enable_thinking"] is False
    assert "stream_options" not in body
    assert result.stdout == "plain\n"


def test_qwq_ignored_sampling_warns_once_and_is_not_sent(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="a"))
    result = cli("ask", "-m", "qwq-32b", "--temperature", "0.5", "--top-p", "0.9", "hi")
    body = cli.server.chat_requests[0].body
    assert "temperature" not in body
    assert "top_p" not in body
    warnings = [line for line in result.stderr.splitlines() if "ignores" in line]
    assert len(warnings) == 1
    assert "--temperature" in warnings[0]
    assert "--top-p" in warnings[0]


def test_sampling_options_reach_the_server(cli: Cli) -> None:
    cli(
        "ask", "--temperature", "0.3", "--top-p", "0.8", "--max-tokens", "50", "--seed", "7",
        "--stop", "END", "--presence-penalty", "1.5", "-s", "Be brief.", "hi",
    )  # fmt: skip
    body = cli.server.chat_requests[0].body
    assert body["temperature"] == 0.3
    assert body["top_p"] == 0.8
    assert body["max_tokens"] == 50
    assert body["seed"] == 7
    assert body["stop"] == "END"
    assert body["presence_penalty"] == 1.5
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_json_output(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="because", answer="yes"))
    result = cli("ask", "-m", "qwq-plus", "--json", "hi")
    document = json.loads(result.stdout)
    assert document["answer"] == "yes"
    assert document["reasoning"] == "because"
    assert document["finish_reason"] == "stop"
    assert document["model"] == "qwq-plus"
    assert document["usage"]["completion_tokens"] > 0


def test_answer_file_holds_only_the_answer(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="thinking hard", answer="# Title\n\nBody.\n"))
    result = cli.subprocess("ask", "-m", "qwq-plus", "write it")
    assert result.exit_code == 0
    assert result.stdout == "# Title\n\nBody.\n"
    assert "thinking hard" in result.stderr


def test_escape_sequences_never_reach_stdout(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="safe\x1b]52;c;aGk=\x07 text\x1b[2J end", chunk_size=3))
    result = cli("ask", "hi")
    assert "\x1b" not in result.stdout
    assert result.stdout == "safe text end\n"


def test_version_and_module_entry_point(cli: Cli) -> None:
    result = cli.subprocess("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("qwenchat ")


def test_terminal_shows_thinking_then_answer_then_usage(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(reasoning="First, recall the province.", answer="It is **Hangzhou**.", chunk_size=3)
    )
    tty = Tty("ask", "-m", "qwq-plus", "capital?", env=cli.env(TERM="xterm-256color"))
    assert tty.wait_exit() == 0
    lines = tty.lines()
    thinking = next(i for i, line in enumerate(lines) if "Thinking" in line)
    reasoning = next(i for i, line in enumerate(lines) if "First, recall the province." in line)
    answer = next(i for i, line in enumerate(lines) if "─ Answer" in line)
    text = next(i for i, line in enumerate(lines) if "It is Hangzhou." in line)
    usage = next(i for i, line in enumerate(lines) if " out · " in line)
    assert thinking < reasoning < answer < text < usage
    assert lines[reasoning].startswith("│")
    assert lines[text].startswith("│")
    assert "reasoning" in lines[usage]
    assert "total" in lines[usage]
