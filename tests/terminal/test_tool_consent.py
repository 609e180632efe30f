"""Consent on a real terminal: the call is shown in a panel and nothing runs without a yes."""

from __future__ import annotations

from typing import Any

from qwenchat.tools.session import DECLINED
from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import ENTER, Tty

QUESTION = "Run calculator? [y]es / [n]o / [a]lways in this conversation:"


def calc(expression: str, call_id: str) -> dict[str, Any]:
    return {
        "id": call_id,
        "function": {"name": "calculator", "arguments": {"expression": expression}},
    }


def tool_messages(cli: Cli, index: int) -> list[dict[str, Any]]:
    return [m for m in cli.server.chat_requests[index].body["messages"] if m["role"] == "tool"]


def test_yes_runs_the_call(cli: Cli, tty_env: dict[str, str]) -> None:
    cli.server.enqueue(Reply(tool_calls=[calc("6 * 7", "y1")]), Reply(answer="It is 42."))
    tty = Tty("ask", "--tools", "six times seven?", env=tty_env)
    try:
        tty.wait_for(QUESTION)
        screen = tty.text()
        assert "╭─ tool calculator" in screen
        assert "│ expression: 6 * 7 │" in screen
        assert len(cli.server.chat_requests) == 1  # nothing sent back before the answer
        tty.send("y" + ENTER)
        tty.wait_for("It is 42.")
        assert tty.wait_exit() == 0
    finally:
        tty.close()
    assert tool_messages(cli, 1) == [{"role": "tool", "tool_call_id": "y1", "content": "42"}]
    assert "↳ 2 characters: 42" in tty.text()


def test_no_declines_and_tells_the_model(cli: Cli, tty_env: dict[str, str]) -> None:
    cli.server.enqueue(Reply(tool_calls=[calc("1 + 1", "n1")]), Reply(answer="Understood."))
    tty = Tty("ask", "--tools", "add", env=tty_env)
    try:
        tty.wait_for(QUESTION)
        tty.send("maybe" + ENTER)
        tty.wait_for("please answer y, n or a")
        tty.send("n" + ENTER)
        tty.wait_for("Understood.")
        assert tty.wait_exit() == 0
    finally:
        tty.close()
    assert tool_messages(cli, 1) == [{"role": "tool", "tool_call_id": "n1", "content": DECLINED}]
    assert "↳ declined" in tty.text()


def test_always_approves_the_tool_for_the_rest_of_the_chat(
    cli: Cli, tty_env: dict[str, str]
) -> None:
    cli.server.enqueue(
        Reply(tool_calls=[calc("1 + 1", "a1"), calc("2 + 2", "a2")]),
        Reply(answer="2 and 4."),
        Reply(tool_calls=[calc("3 + 3", "a3")]),
        Reply(answer="Six."),
    )
    tty = Tty("--tools", env=tty_env)
    try:
        tty.wait_for("›")
        tty.send("first" + ENTER)
        tty.wait_for(QUESTION)
        tty.send("a" + ENTER)
        tty.wait_for("2 and 4.")
        tty.wait_for("›", after=1)
        tty.send("second" + ENTER)
        tty.wait_for("Six.")
        tty.wait_for("›", after=2)
        assert tty.text().count(QUESTION) == 1
    finally:
        tty.close()
    assert [m["content"] for m in tool_messages(cli, 1)] == ["2", "4"]
    # the second question carries the first turn's tool round, in order, then its own
    history = cli.server.chat_requests[3].body["messages"]
    assert [m["role"] for m in history] == [
        "user", "assistant", "tool", "tool", "assistant", "user", "assistant", "tool",
    ]  # fmt: skip
    assert [m.get("tool_call_id") for m in history if m["role"] == "tool"] == ["a1", "a2", "a3"]
    assert history[4] == {"role": "assistant", "content": "2 and 4."}


def test_always_lasts_for_this_conversation_and_endpoint_only(
    cli: Cli, tty_env: dict[str, str]
) -> None:
    rounds = []
    for n in range(5):
        rounds += [Reply(tool_calls=[calc(f"{n} + 1", f"s{n}")]), Reply(answer=f"done {n}.")]
    cli.server.enqueue(*rounds)
    tty = Tty("--tools", env=tty_env)
    prompts = 0

    def turn(text: str, answer: str | None) -> None:
        nonlocal prompts
        tty.send(text + ENTER)
        if answer is not None:
            tty.wait_for(QUESTION, after=tty.text().count(QUESTION))
            tty.send(answer + ENTER)
        tty.wait_for("›", after=prompts)
        prompts += 1

    try:
        tty.wait_for("›")
        prompts = 1
        turn("one", "a")  # always…
        turn("two", None)  # …so not asked again in this conversation
        turn("/clear", None)
        turn("three", "a")  # a new conversation: asked again
        turn("/tools off", None)
        turn("/tools on", None)
        turn("four", "a")  # tools were off in between: asked again
        turn("five", None)
        assert tty.text().count(QUESTION) == 3
    finally:
        tty.close()
