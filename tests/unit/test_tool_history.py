"""Tool rounds in the history: wire order, ids, no reasoning; and how tool calls are shown."""

from __future__ import annotations

import io

from rich.console import Console

from qwenchat.core.conversation import Conversation, ToolResult, ToolStep, Turn
from qwenchat.core.events import Usage
from qwenchat.core.reply import ToolCall
from qwenchat.engine.tool_loop import total_usage
from qwenchat.render.output import Output
from qwenchat.render.toolpanel import PlainToolView, RichToolView, describe_arguments

STEP = ToolStep(
    calls=(
        ToolCall("c1", "calculator", '{"expression": "1+1"}'),
        ToolCall("c2", "current_time", "{}"),
    ),
    results=(ToolResult("c1", "2"), ToolResult("c2", "declined: no", "declined")),
    text="Checking.",
)


def test_a_turn_with_tool_rounds_replays_in_api_order() -> None:
    conversation = Conversation(system="sys").with_turn(
        Turn(user="q1", answer="a1", reasoning="secret thoughts", steps=(STEP,))
    )
    assert conversation.to_wire("q2") == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "q1"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {"id": "c1", "type": "function",
                 "function": {"name": "calculator", "arguments": '{"expression": "1+1"}'}},
                {"id": "c2", "type": "function",
                 "function": {"name": "current_time", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "2"},
        {"role": "tool", "tool_call_id": "c2", "content": "declined: no"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
    ]  # fmt: skip
    assert "secret" not in str(conversation.to_wire("q2"))


def test_pending_steps_follow_the_new_user_message() -> None:
    wire = Conversation().to_wire("q", (STEP,))
    assert [m["role"] for m in wire] == ["user", "assistant", "tool", "tool"]


def test_a_turn_stopped_after_tools_keeps_its_rounds() -> None:
    turn = Turn(user="q1", answer="", steps=(STEP,), outcome="incomplete")
    wire = Conversation().with_turn(turn).to_wire("go on")
    assert [m["role"] for m in wire] == ["user", "assistant", "tool", "tool", "user"]
    assert Conversation().with_turn(Turn(user="lost")).to_wire("q") == [
        {"role": "user", "content": "q"}
    ]


def test_usage_is_summed_over_rounds() -> None:
    total = total_usage([Usage(10, 2, None, 12), None, Usage(20, 3, None, 23)])
    assert total == Usage(30, 5, None, 35)
    assert total_usage([None]) is None


def test_rich_panel_escapes_markup_and_control_sequences() -> None:
    out = io.StringIO()
    console = Console(file=out, width=60, force_terminal=True, color_system=None)
    view = RichToolView(console, console)
    arguments = '{"path": "[red]a\\u001b]52;c;aGk=\\u0007.txt"}'  # valid JSON, hostile value
    view.call(ToolCall("x", "read[bold]_file\x1b[2J", arguments))
    view.result(ToolCall("x", "read_file", "{}"), ToolResult("x", "line one\nline two"))
    text = out.getvalue()
    assert "tool read[bold]_file" in text
    assert "path: [red]a.txt" in text
    assert "\x1b]52" not in text
    assert "\x1b[2J" not in text
    assert "↳ 17 characters: line one" in text
    assert text.splitlines()[0].startswith("╭─ tool")


def test_plain_view_is_one_line_per_call() -> None:
    err = io.StringIO()
    view = PlainToolView(Output(io.StringIO(), err))
    call = ToolCall("x", "calculator", '{"expression": "1 +\\n 2"}')
    view.call(call)
    view.result(call, ToolResult("x", "3"))
    assert err.getvalue() == "qwenchat: tool calculator expression: 1 + 2\n"
    view.result(call, ToolResult("x", "declined: the user did not allow this call", "declined"))
    assert err.getvalue().splitlines()[-1] == (
        "qwenchat: tool calculator: declined: the user did not allow this call"
    )


def test_arguments_that_are_not_json_are_shown_as_sent() -> None:
    assert describe_arguments('{"a": 1') == '{"a": 1\n(not valid JSON)'
    assert describe_arguments("") == "(no arguments)"
    assert describe_arguments('{"n": [1, 2]}') == "n: [1, 2]"


def test_complete_messages_number_their_calls_and_accept_object_arguments() -> None:
    from qwenchat.core.events import parse_completion
    from qwenchat.core.reply import ReplyBuilder

    builder = ReplyBuilder()
    calls = [
        {"id": "a", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}},
        {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
    ]
    body = {"choices": [{"message": {"tool_calls": calls}, "finish_reason": "tool_calls"}]}
    for event in parse_completion(body):
        builder.feed(event)
    assert builder.build().tool_calls == (ToolCall("a", "f", '{"x": 1}'), ToolCall("b", "g", "{}"))
