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
``escape``
    An answer and reasoning full of terminal control sequences (``ESCAPES``): colours, a
    title (OSC 0), a clipboard write (OSC 52), the end of a bracketed paste, C1 CSI, BEL.
``bomb:WHERE``
    JSON nested 100,000 deep: ``body`` (a non-streamed reply), ``args`` (a tool call's
    arguments); the stream form is ``nested-chunk``.
``surrogate``
    Lone surrogates (``"\\ud800"`` in the JSON) in the answer and the reasoning.
``huge-usage``
    A normal answer whose usage counts are above 2**63.
``huge-index``
    A tool call whose ``index`` has 4,000 digits.
``echo-key``
    An error status whose request id and message quote the request's API key (whole and a
    20-character prefix).
``finish-surrogate``
    An answer whose ``finish_reason`` is a lone surrogate (``"\\ud800"``).
``redirect``
    A 307 to ``/redirected/…``, where the stream is answered.
``not-sse:TYPE``
    A 200 whose body is not an event stream, with that content type (``none``: no type at all;
    ``binary``: bytes that are not UTF-8).
``call-escape``
    One tool call whose name is full of control sequences (``ESCAPES``).

``HostileFiles`` is the Files API (``FakeBatches``) answering with hostile ids: the id given to
the next upload (``upload_id``), and listed files whose fields hold newlines and escapes
(``plant``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.fakebatch import FakeBatches, StoredFile
from tests.fakeserver import (
    DONE_FRAME,
    Error,
    FakeServer,
    Frames,
    Raw,
    Reply,
    Response,
    chunk_frame,
    stream_frames,
)

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


ESCAPES = (
    "\x1b[31mred\x1b[0m \x1b]0;owned\x07title \x1b]52;c;cm0gLXJmIH4=\x07clip "
    "\x1b[201~paste-end \x9b2Jc1 bell\x07 done"
)
HUGE = 2**63 + 7


def _escape(rest: str, body: Any) -> Response:
    return Reply(answer=ESCAPES, reasoning=ESCAPES)


def _bomb(rest: str, body: Any) -> Response:
    nested = "[" * NEST_DEPTH + "]" * NEST_DEPTH
    if rest == "args":
        return Reply(tool_calls=[{"function": {"name": "current_time", "arguments": nested}}])
    return Raw(body=('{"choices": ' + nested + "}").encode(), content_type="application/json")


def _surrogate(rest: str, body: Any) -> Response:
    delta = '{"choices":[{"index":0,"delta":{"reasoning_content":"think \\ud800","content":"X"}}]}'
    return Frames(
        [
            "data: " + delta.replace("X", "before") + "\n\n",
            "data: " + delta.replace("X", "lone \\udc00 after") + "\n\n",
            DONE_FRAME,
        ]
    )


def _huge_usage(rest: str, body: Any) -> Response:
    usage = {"prompt_tokens": HUGE, "completion_tokens": HUGE, "total_tokens": HUGE * 2}
    return Reply(answer="counted", usage=usage)


def _huge_index(rest: str, body: Any) -> Response:
    call = '{"index":IDX,"id":"c1","function":{"name":"current_time","arguments":"{}"}}'
    chunk = '{"choices":[{"index":0,"delta":{"content":"partial ","tool_calls":[CALL]}}]}'
    chunk = chunk.replace("CALL", call.replace("IDX", "9" * 4000))
    return Frames(["data: " + chunk + "\n\n", DONE_FRAME])


def _call_escape(rest: str, body: Any) -> Response:
    return Reply(tool_calls=[{"function": {"name": ESCAPES, "arguments": "{}"}}])


def _echo_key(rest: str, body: Any) -> Response:
    return Error(0, "")  # replaced by HostileServer, which knows the key


def _finish_surrogate(rest: str, body: Any) -> Response:
    finish = '{"choices":[{"index":0,"delta":{"content":""},"finish_reason":"\\ud800"}]}'
    kept = chunk_frame({"role": "assistant", "content": "kept"})
    return Frames([kept, f"data: {finish}\n\n", DONE_FRAME])


REDIRECTED = "/redirected/v1/chat/completions"


def _redirect(rest: str, body: Any) -> Response:
    return Error(307, "moved", headers={"Location": REDIRECTED})


def _redirected(
    method: str, path: str, raw: bytes, headers: dict[str, str]
) -> tuple[int, str, bytes] | None:
    """Where ``redirect`` sends the request: a short streamed answer."""
    if not path.startswith(REDIRECTED):
        return None
    frames = stream_frames(Reply(answer="moved here"), {"stream": True})[0]
    return 200, "text/event-stream", "".join(frames).encode()


def _not_sse(rest: str, body: Any) -> Response:
    if rest == "binary":
        return Raw(body=b"\xff\xfe\x00binary\x1b[31m", content_type="application/octet-stream")
    return Raw(body=b"plain words, no events", content_type="" if rest == "none" else rest)


SCENARIOS: dict[str, Callable[[str, Any], Response]] = {
    "call": _call_scenario,
    "flood": _flood_scenario,
    "nested-chunk": _nested_chunk,
    "u2028": _separators,
    "escape": _escape,
    "bomb": _bomb,
    "surrogate": _surrogate,
    "huge-usage": _huge_usage,
    "huge-index": _huge_index,
    "echo-key": _echo_key,
    "finish-surrogate": _finish_surrogate,
    "redirect": _redirect,
    "not-sse": _not_sse,
    "call-escape": _call_escape,
}


def scenario_for(model: str, body: Any) -> Response | None:
    """The scripted answer for a scenario model name; None for an ordinary model."""
    name, _, rest = model.partition(":")
    scenario = SCENARIOS.get(name)
    return scenario(rest, body) if scenario is not None else None


class HostileServer(FakeServer):
    """The fake server, answering scenario model names with their attack."""

    def __init__(self, *, api_key: str | None = None, port: int = 0) -> None:
        super().__init__(api_key=api_key, port=port)
        self.routes.append(_redirected)

    def _next_response(self, body: Any) -> Response:
        model = body.get("model") if isinstance(body, dict) else None
        scripted = scenario_for(model, body) if isinstance(model, str) else None
        if isinstance(scripted, Error) and scripted.status == 0:
            key = self.api_key or ""
            return Error(
                400,
                f"bad request from {key} (prefix {key[:20]})",
                request_id=f"req-{key}",
            )
        return scripted if scripted is not None else super()._next_response(body)


class HostileFiles(FakeBatches):
    """The Files API with hostile ids: `upload_id` names the next upload; `plant` lists a file."""

    def __init__(self, server: FakeServer, upload_id: str | None = None) -> None:
        super().__init__(server)
        self.upload_id = upload_id

    def plant(self, file_id: str, filename: str, purpose: str = "file-extract") -> None:
        self.files[file_id] = StoredFile(file_id, filename, purpose, b"x")

    def _upload(self, raw: bytes, content_type: str) -> tuple[int, str, bytes]:
        status, kind, body = super()._upload(raw, content_type)
        if self.upload_id is None or status != 200:
            return status, kind, body
        answer = json.loads(body)
        stored = self.files.pop(answer["id"])
        stored.id = answer["id"] = self.upload_id
        self.files[stored.id] = stored
        return status, kind, json.dumps(answer).encode()
