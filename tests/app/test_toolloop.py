"""The tool loop end to end: `qwenchat ask --tools` against the fake server, real openai SDK.

Each test asserts the exact messages sent back: the assistant's tool_calls message, then one
`tool` message per call with its tool_call_id, in order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import Cli, assert_clean_failure
from tests.fakeserver import DONE_FRAME, Error, Frames, Reply, chunk_frame

BUILTINS = ["current_time", "calculator", "read_file", "list_dir"]


def call(name: str, arguments: Any, call_id: str) -> dict[str, Any]:
    return {"id": call_id, "function": {"name": name, "arguments": arguments}}


def wire_call(name: str, arguments: str, call_id: str) -> dict[str, Any]:
    """A call as the client must send it back in the assistant message."""
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def tool(call_id: str, content: str) -> dict[str, str]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def sent(cli: Cli, index: int) -> list[dict[str, Any]]:
    return list(cli.server.chat_requests[index].body["messages"])


def test_one_call_result_goes_back_with_its_id(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(tool_calls=[call("calculator", {"expression": "6 * 7"}, "call_a")]),
        Reply(answer="It is 42."),
    )
    result = cli("ask", "--tools", "--yes-tools", "what is six times seven?")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "It is 42.\n"
    first = cli.server.chat_requests[0].body
    assert [t["function"]["name"] for t in first["tools"]] == BUILTINS
    assert all(t["type"] == "function" for t in first["tools"])
    assert sent(cli, 1) == [
        {"role": "user", "content": "what is six times seven?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [wire_call("calculator", '{"expression":"6 * 7"}', "call_a")],
        },
        tool("call_a", "42"),
    ]
    assert "qwenchat: tool calculator expression: 6 * 7" in result.stderr


def test_two_parallel_calls_answered_in_order(cli: Cli, home: Path) -> None:
    Path("notes.txt").write_text("buy tea\n", encoding="utf-8")
    cli.server.enqueue(
        Reply(
            tool_calls=[
                call("read_file", {"path": "notes.txt"}, "call_1"),
                call("calculator", {"expression": "2 ** 10"}, "call_2"),
            ]
        ),
        Reply(answer="done"),
    )
    result = cli("ask", "--tools", "--yes-tools", "go")
    assert result.exit_code == 0, result.stderr
    assert sent(cli, 1)[1:] == [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                wire_call("read_file", '{"path":"notes.txt"}', "call_1"),
                wire_call("calculator", '{"expression":"2 ** 10"}', "call_2"),
            ],
        },
        tool("call_1", "buy tea\n"),
        tool("call_2", "1024"),
    ]


def test_parallel_calls_in_a_non_streamed_reply(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(
            tool_calls=[
                call("calculator", {"expression": "1 + 1"}, "c1"),
                call("calculator", {"expression": "2 + 2"}, "c2"),
            ]
        ),
        Reply(answer="2 and 4"),
    )
    result = cli("ask", "--tools", "--yes-tools", "--no-stream", "sums")
    assert result.exit_code == 0, result.stderr
    assert [r.body["stream"] for r in cli.server.chat_requests] == [False, False]
    assert sent(cli, 1)[2:] == [tool("c1", "2"), tool("c2", "4")]


def test_a_chain_of_two_rounds(cli: Cli, home: Path) -> None:
    Path("data").mkdir()
    Path("data/a.txt").write_text("alpha", encoding="utf-8")
    cli.server.enqueue(
        Reply(tool_calls=[call("list_dir", {"path": "data"}, "r1")]),
        Reply(
            answer="Let me read it.", tool_calls=[call("read_file", {"path": "data/a.txt"}, "r2")]
        ),
        Reply(answer="It says alpha."),
    )
    result = cli("ask", "--tools", "--yes-tools", "what is in data?")
    assert result.exit_code == 0, result.stderr
    assert len(cli.server.chat_requests) == 3
    assert sent(cli, 2) == [
        {"role": "user", "content": "what is in data?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [wire_call("list_dir", '{"path":"data"}', "r1")],
        },
        tool("r1", "a.txt  (5 bytes)"),
        {
            "role": "assistant",
            "content": "Let me read it.",
            "tool_calls": [wire_call("read_file", '{"path":"data/a.txt"}', "r2")],
        },
        tool("r2", "alpha"),
    ]
    assert result.stdout == "Let me read it.\nIt says alpha.\n"


def test_malformed_arguments_become_an_error_result(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(tool_calls=[call("calculator", '{"expression": "1 +', "bad")]),
        Reply(answer="sorry"),
    )
    result = cli("ask", "--tools", "--yes-tools", "x")
    assert result.exit_code == 0, result.stderr
    assistant, back = sent(cli, 1)[1:]
    assert assistant["tool_calls"][0]["function"]["arguments"] == '{"expression": "1 +'
    assert back["tool_call_id"] == "bad"
    assert back["content"].startswith("error: the arguments are not valid JSON (")
    assert "not valid JSON" in result.stderr


def test_unknown_tool_name_is_an_error_result(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(tool_calls=[call("get_weather", {"city": "Hangzhou"}, "w1")]),
        Reply(answer="I cannot check the weather."),
    )
    result = cli("ask", "--tools", "hi")
    assert result.exit_code == 0, result.stderr
    assert sent(cli, 1)[-1] == tool(
        "w1",
        "error: unknown tool 'get_weather'; the tools offered are: "
        "current_time, calculator, read_file, list_dir",
    )


def test_wrong_argument_types_are_reported_to_the_model(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(tool_calls=[call("calculator", {"expression": "1", "extra": 1}, "t1")]),
        Reply(tool_calls=[call("calculator", {"expression": 5}, "t2")]),
        Reply(answer="ok"),
    )
    cli("ask", "--tools", "--yes-tools", "hi")
    assert sent(cli, 1)[-1]["content"].startswith("error: unexpected argument 'extra'")
    assert (
        sent(cli, 2)[-1]["content"] == "error: argument 'expression' must be of type string, got 5"
    )


def test_round_limit_stops_the_loop(cli: Cli) -> None:
    again = [Reply(tool_calls=[call("calculator", {"expression": "1"}, f"n{i}")]) for i in range(4)]
    cli.server.enqueue(*again)
    result = cli("ask", "--tools", "--yes-tools", "--tool-rounds", "2", "loop")
    assert_clean_failure(result, 1)
    assert "stopped after 2 tool rounds; the model still asked for calculator" in result.stderr
    assert len(cli.server.chat_requests) == 3
    assert cli.server.pending == 1
    assert [m.get("tool_call_id") for m in sent(cli, 2) if m["role"] == "tool"] == ["n0", "n1"]


def test_round_limit_default_is_eight(cli: Cli) -> None:
    cli.server.enqueue(
        *[Reply(tool_calls=[call("calculator", {"expression": "1"}, f"n{i}")]) for i in range(10)]
    )
    result = cli("ask", "--tools", "--yes-tools", "loop")
    assert result.exit_code == 1
    assert len(cli.server.chat_requests) == 9


def test_config_file_sets_rounds_and_pre_approvals(cli: Cli, home: Path) -> None:
    config = home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('tool_rounds = 1\napproved_tools = ["calculator"]\n', encoding="utf-8")
    cli.server.enqueue(
        Reply(tool_calls=[call("calculator", {"expression": "5 - 4"}, "k1")]),
        Reply(tool_calls=[call("calculator", {"expression": "5 - 3"}, "k2")]),
    )
    result = cli("ask", "--tools", "count")
    assert_clean_failure(result, 1)
    assert "stopped after 1 tool round; the model still asked for calculator" in result.stderr
    assert sent(cli, 1)[-1] == tool("k1", "1")


def test_bad_round_limit_is_a_usage_error(cli: Cli) -> None:
    result = cli("ask", "--tools", "x", env=cli.env(QWENCHAT_TOOL_ROUNDS="0"))
    assert_clean_failure(result, 2)
    assert "tool rounds must be a whole number from 1 to 100" in result.stderr


def test_without_a_terminal_calls_are_not_run_unless_allowed(cli: Cli, home: Path) -> None:
    Path("secret.txt").write_text("private", encoding="utf-8")
    cli.server.enqueue(
        Reply(tool_calls=[call("read_file", {"path": "secret.txt"}, "s1")]),
        Reply(answer="I was not allowed."),
    )
    result = cli("ask", "--tools", "read my file")
    assert result.exit_code == 0
    content = sent(cli, 1)[-1]["content"]
    assert content.startswith("not run: there was no terminal to ask the user for consent")
    assert "private" not in json.dumps(sent(cli, 1))
    assert "qwenchat: tool read_file: not run" in result.stderr


def test_builtins_can_be_pre_approved_by_configuration(cli: Cli, home: Path) -> None:
    Path("secret.txt").write_text("private", encoding="utf-8")
    cli.server.enqueue(
        Reply(
            tool_calls=[
                call("calculator", {"expression": "3 * 3"}, "a"),
                call("read_file", {"path": "secret.txt"}, "b"),
            ]
        ),
        Reply(answer="ok"),
    )
    result = cli("ask", "--tools", "x", env=cli.env(QWENCHAT_APPROVED_TOOLS="calculator"))
    assert result.exit_code == 0, result.stderr
    first, second = sent(cli, 1)[2:]
    assert first == tool("a", "9")
    assert second["content"].startswith("not run:")


def test_only_builtins_can_be_pre_approved(cli: Cli) -> None:
    result = cli("ask", "--tools", "x", env=cli.env(QWENCHAT_APPROVED_TOOLS="calculator,rm_rf"))
    assert_clean_failure(result, 2)
    assert "rm_rf is not a built-in tool" in result.stderr
    assert cli.server.chat_requests == []


FUNCTIONS = '''
from typing import Literal


def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> dict:
    """The weather for a city.

    Args:
        city: The city, in English.
        unit: Degrees to report.
    """
    return {"city": city, "temperature": 21, "unit": unit}


def explode(reason: str) -> str:
    """Always fails.

    Args:
        reason: Why.
    """
    raise RuntimeError(reason)


def noisy() -> str:
    """Returns hostile, huge output."""
    return "\\x1b]52;c;aGk=\\x07hello\\x1b[2J" + "x" * 100_000
'''


def test_user_functions_run_and_their_failures_go_back_as_errors(cli: Cli, home: Path) -> None:
    Path("tools.py").write_text(FUNCTIONS, encoding="utf-8")
    cli.server.enqueue(
        Reply(
            tool_calls=[
                call("get_weather", {"city": "Hangzhou"}, "g"),
                call("explode", {"reason": "boom"}, "e"),
                call("noisy", {}, "n"),
            ]
        ),
        Reply(answer="21 degrees"),
    )
    result = cli("ask", "--functions", "tools.py", "--yes-tools", "weather?")
    assert result.exit_code == 0, result.stderr
    schemas = {
        t["function"]["name"]: t["function"] for t in cli.server.chat_requests[0].body["tools"]
    }
    assert schemas["get_weather"]["parameters"] == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city, in English."},
            "unit": {
                "type": "string",
                "enum": ["celsius", "fahrenheit"],
                "description": "Degrees to report.",
            },
        },
        "required": ["city"],
    }
    weather, error, noise = sent(cli, 1)[2:]
    assert json.loads(weather["content"]) == {
        "city": "Hangzhou",
        "temperature": 21,
        "unit": "celsius",
    }
    assert error == tool("e", "error: RuntimeError: boom")
    assert "\x1b" not in noise["content"]
    assert noise["content"].startswith("hellox")
    assert len(noise["content"]) < 16_100
    assert noise["content"].endswith("[truncated: 84,005 more characters]")


def test_a_bad_functions_file_names_the_function(cli: Cli, home: Path) -> None:
    Path("bad.py").write_text('def f(x):\n    """Doc."""\n', encoding="utf-8")
    result = cli("ask", "--functions", "bad.py", "hi")
    assert_clean_failure(result, 2)
    assert "qwenchat: error: --functions bad.py: function f: parameter 'x' has no type hint" in (
        result.stderr
    )
    assert cli.server.chat_requests == []


def test_streaming_refused_falls_back_once(cli: Cli) -> None:
    cli.server.enqueue(
        Error(400, "tools are not supported with stream=true", code="InvalidParameter"),
        Reply(tool_calls=[call("calculator", {"expression": "2 + 2"}, "f1")]),
        Reply(answer="4"),
    )
    result = cli("ask", "--tools", "--yes-tools", "add")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "4\n"
    bodies = [r.body for r in cli.server.chat_requests]
    assert [b["stream"] for b in bodies] == [True, False, False]
    assert all(b["enable_thinking"] is False and "stream_options" not in b for b in bodies[1:])
    assert result.stderr.count("refused to stream") == 1
    assert bodies[2]["messages"][-1] == tool("f1", "4")


def test_other_errors_do_not_fall_back(cli: Cli) -> None:
    cli.server.enqueue(Error(400, "messages is invalid"))
    result = cli("ask", "--tools", "hi")
    assert_clean_failure(result, 1)
    assert len(cli.server.chat_requests) == 1


def test_json_output_is_one_document(cli: Cli) -> None:
    cli.server.enqueue(
        Reply(tool_calls=[call("calculator", {"expression": "1 + 2"}, "j")]),
        Reply(answer="3"),
    )
    result = cli("ask", "--tools", "--yes-tools", "--json", "sum")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["answer"] == "3"


def test_without_tools_no_tools_are_sent(cli: Cli) -> None:
    cli("ask", "hi")
    assert "tools" not in cli.server.chat_requests[0].body


def test_interleaved_fragments_of_parallel_calls_are_assembled_by_index(cli: Cli) -> None:
    def head(index: int, call_id: str) -> str:
        function = {"name": "calculator", "arguments": ""}
        fragment = {"index": index, "id": call_id, "type": "function", "function": function}
        return chunk_frame({"content": None, "tool_calls": [fragment]})

    def piece(index: int, text: str) -> str:
        return chunk_frame({"tool_calls": [{"index": index, "function": {"arguments": text}}]})

    cli.server.enqueue(
        Frames(
            [
                chunk_frame({"role": "assistant", "content": ""}),
                head(0, "p0"),
                head(1, "p1"),
                piece(1, '{"expression"'),
                piece(0, '{"expression": "3'),
                piece(1, ': "4 * 5"}'),
                piece(0, ' + 4"}'),
                chunk_frame({"content": ""}, "tool_calls"),
                DONE_FRAME,
            ]
        ),
        Reply(answer="7 and 20"),
    )
    result = cli("ask", "--tools", "--yes-tools", "two sums")
    assert result.exit_code == 0, result.stderr
    assistant, first, second = sent(cli, 1)[1:]
    assert [c["function"]["arguments"] for c in assistant["tool_calls"]] == [
        '{"expression": "3 + 4"}',
        '{"expression": "4 * 5"}',
    ]
    assert (first, second) == (tool("p0", "7"), tool("p1", "20"))
