"""Qwen's rules end to end: the request bodies the test server receives, and what is shown."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.conversation import Conversation
from qwenchat.core.request import RequestOptions
from qwenchat.engine.turn import Asked, Question, run_turn
from qwenchat.net.client import ChatClient
from qwenchat.render.output import Output
from qwenchat.render.plain import PlainRenderer
from tests.conftest import TEST_KEY, Cli, assert_clean_failure
from tests.fakeserver import DONE_FRAME, FakeServer, Frames, Reply, usage_frame


@pytest.mark.parametrize(
    ("model", "flags", "stream", "thinking"),
    [
        ("qwen-plus", ["--no-stream"], False, False),  # hybrid, off: said explicitly
        ("qwen-plus", ["--think"], True, True),
        ("qwen3-8b", [], True, None),  # hybrid, on by default
        ("qwen3-8b", ["--no-stream"], True, None),  # ...so streamed anyway
        ("qwen3-8b", ["--no-think", "--no-stream"], False, False),
        ("qwq-plus", ["--no-stream"], True, None),  # thinking-only and stream-only
        ("qwen-max", ["--no-stream"], False, None),  # no thinking: nothing sent
    ],
)
def test_thinking_and_streaming_per_model_kind(
    cli: Cli, model: str, flags: list[str], stream: bool, thinking: bool | None
) -> None:
    cli.server.enqueue(Reply(reasoning="r" if stream else "", answer="ok"))
    result = cli("ask", "-m", model, *flags, "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "ok\n"
    body = cli.server.chat_requests[0].body
    assert body["stream"] is stream
    assert body.get("enable_thinking") is thinking


def test_thinking_budget_is_sent(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="brief", answer="ok"))
    cli("ask", "-m", "qwen-plus", "--thinking-budget", "256", "hi")
    body = cli.server.chat_requests[0].body
    assert body["thinking_budget"] == 256
    assert body["enable_thinking"] is True
    assert body["stream"] is True


def test_ignored_parameters_give_one_warning(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="a"))
    result = cli("ask", "-m", "qwq-plus", "--presence-penalty", "1", "--seed", "3", "hi")
    body = cli.server.chat_requests[0].body
    assert "presence_penalty" not in body
    assert body["seed"] == 3
    assert [line for line in result.stderr.splitlines() if "ignores" in line] == [
        "qwenchat: warning: qwq-plus ignores --presence-penalty; not sent"
    ]


def test_json_mode_and_search(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer='{"a": 1}'))
    result = cli("ask", "--json-mode", "--search", "give json")
    body = cli.server.chat_requests[0].body
    assert body["response_format"] == {"type": "json_object"}
    assert body["enable_search"] is True
    assert json.loads(result.stdout) == {"a": 1}


def test_json_mode_is_rejected_for_qwq_before_sending(cli: Cli) -> None:
    result = cli("ask", "-m", "qwq-plus", "--json-mode", "hi")
    assert_clean_failure(result, 2)
    assert "--json-mode" in result.stderr
    assert cli.server.chat_requests == []


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["-n", "5"], "-n"),
        (["--thinking-budget", "0"], "--thinking-budget"),
        (["--temperature", "2"], "--temperature"),
        (["--top-p", "0"], "--top-p"),
        (["-m", "qwen-max", "-n", "2"], "-n 2"),
    ],
)
def test_bad_values_are_usage_errors(cli: Cli, args: list[str], flag: str) -> None:
    result = cli("ask", *args, "hi")
    assert_clean_failure(result, 2)
    assert flag in result.stderr
    assert cli.server.chat_requests == []


def choice_frame(index: int, text: str, finish: str | None = None) -> str:
    choice = {"index": index, "delta": {"content": text}, "finish_reason": finish}
    return f"data: {json.dumps({'choices': [choice]})}\n\n"


def test_several_choices_are_numbered(cli: Cli) -> None:
    cli.server.enqueue(
        Frames(
            [
                choice_frame(0, "first "), choice_frame(1, "second "), choice_frame(0, "one"),
                choice_frame(1, "two"), choice_frame(0, "", "stop"), choice_frame(1, "", "stop"),
                usage_frame({"prompt_tokens": 1, "completion_tokens": 4, "total_tokens": 5}),
                DONE_FRAME,
            ]
        )
    )  # fmt: skip
    result = cli("ask", "-n", "2", "hi")
    assert result.exit_code == 0, result.stderr
    assert cli.server.chat_requests[0].body["n"] == 2
    assert result.stdout == "### Choice 1\n\nfirst one\n\n### Choice 2\n\nsecond two\n"


def test_several_choices_in_json(cli: Cli) -> None:
    cli.server.enqueue(
        Frames([choice_frame(0, "a", "stop"), choice_frame(1, "b", "stop"), DONE_FRAME])
    )
    document = json.loads(cli("ask", "-n", "2", "--json", "hi").stdout)
    assert document["answer"] == "a"
    assert document["choices"] == ["a", "b"]


def test_inline_thinking_from_a_local_server(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(answer="<think>\nweighing it up\n</think>\n\nForty-two.", chunk_size=3)
    )
    result = cli("ask", "-m", "Qwen/Qwen3-8B", "hi")
    assert result.stdout == "Forty-two.\n"
    assert "weighing it up" in result.stderr


def test_inline_thinking_stays_out_of_history(server: FakeServer, tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "DASHSCOPE_API_KEY": TEST_KEY}
    settings = load_settings({"base_url": server.base_url}, environ, tmp_path)
    server.enqueue(Reply(answer="private musing</think>The answer.", chunk_size=2))
    out, err = io.StringIO(), io.StringIO()
    client = ChatClient(settings)
    try:
        asked = Asked(
            Question(Conversation(), "q", RequestOptions()), "qwq:32b", settings.catalogue
        )
        result = run_turn(client, asked, PlainRenderer(Output(out, err)))
    finally:
        client.close()
    assert (result.turn.answer, result.turn.reasoning) == ("The answer.", "private musing")
    history = Conversation().with_turn(result.turn).to_wire("next")
    assert "private musing" not in json.dumps(history)
    assert out.getvalue() == "The answer.\n"
    assert "private musing" in err.getvalue()
