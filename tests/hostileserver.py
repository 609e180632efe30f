"""A hostile OpenAI-compatible server: the fake server, with scenarios chosen by the model name.

Listens on 127.0.0.1 only (it is a ``FakeServer``). A request whose ``model`` names a scenario
gets that scenario's scripted answer; any other model gets the fake server's usual behaviour
(its queue, else the echo). Scenarios, by model name:

``call:TOOL:ARGUMENT``
    First round: one call of TOOL (``read_file`` or ``list_dir``: ``{"path": ARGUMENT}``;
    any other tool: ``{}``). Once the request carries the tool's result, the answer is
    ``tool said: <the result>``, so a test sees exactly what the model was given.
``flood:N``
    First round: N calls of ``current_time``; then ``results: <how many ran>/<N>``.
``nested-chunk``
    A stream whose one content chunk is JSON nested 100,000 deep (a parser's recursion bomb).
``u2028``
    The answer ``line one\\u2028still line one\\u2029and\\x85this`` (separators that
    ``str.splitlines`` would split on).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.fakeserver import DONE_FRAME, FakeServer, Frames, Reply, Response, chunk_frame

NEST_DEPTH = 100_000
SEPARATORS_ANSWER = "line one\u2028still line one\u2029and\x85this"


def _tool_results(body: Any) -> list[str]:
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        return []
    tools = [m for m in messages if isinstance(m, dict) and m.get("role") == "tool"]
    return [str(m.get("content")) for m in tools]


def _call(tool: str, argument: str) -> dict[str, Any]:
    arguments = {"path": argument} if tool in ("read_file", "list_dir") else {}
    return {"function": {"name": tool, "arguments": json.dumps(arguments)}}


def _call_scenario(rest: str, body: Any) -> Response:
    results = _tool_results(body)
    if results:
        return Reply(answer=f"tool said: {results[-1]}")
    tool, _, argument = rest.partition(":")
    return Reply(tool_calls=[_call(tool, argument)])


def _flood_scenario(rest: str, body: Any) -> Response:
    count = int(rest)
    results = _tool_results(body)
    if results:
        ran = sum(1 for r in results if not r.startswith("not run"))
        return Reply(answer=f"results: {ran}/{len(results)}")
    return Reply(tool_calls=[_call("current_time", "") for _ in range(count)])


def _nested_chunk(rest: str, body: Any) -> Response:
    bomb = "data: " + "[" * NEST_DEPTH + "]" * NEST_DEPTH + "\n\n"
    return Frames([chunk_frame({"role": "assistant", "content": ""}), bomb, DONE_FRAME])


def _separators(rest: str, body: Any) -> Response:
    return Reply(answer=SEPARATORS_ANSWER)


SCENARIOS: dict[str, Callable[[str, Any], Response]] = {
    "call": _call_scenario,
    "flood": _flood_scenario,
    "nested-chunk": _nested_chunk,
    "u2028": _separators,
}


def scenario_for(model: str, body: Any) -> Response | None:
    """The scripted answer for a scenario model name; None for an ordinary model."""
    name, _, rest = model.partition(":")
    scenario = SCENARIOS.get(name)
    return scenario(rest, body) if scenario is not None else None


class HostileServer(FakeServer):
    """The fake server, answering scenario model names with their attack."""

    def _next_response(self, body: Any) -> Response:
        model = body.get("model") if isinstance(body, dict) else None
        scripted = scenario_for(model, body) if isinstance(model, str) else None
        return scripted if scripted is not None else super()._next_response(body)
