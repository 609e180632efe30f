"""Running the model's tool calls: the session (tools, consent, round cap) and one call's life.

A call is shown, checked against its schema, put to consent, run, and its result shown. Every
call gets a result, so the history stays valid: its output, an error, a refusal, or "not run".
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from qwenchat.core.conversation import ToolResult
from qwenchat.core.reply import ToolCall
from qwenchat.tools.consent import Consent
from qwenchat.tools.spec import Tool, ToolSet, clean, execute, prepare

DEFAULT_ROUNDS = 8
DECLINED = "declined: the user did not allow this call"
UNATTENDED = (
    "not run: there was no terminal to ask the user for consent "
    "(the user can allow tools in scripts with --yes-tools)"
)
INTERRUPTED = "not run: the user interrupted the turn"
MAX_CALLS = 16  # per round; the rest are answered TOO_MANY
TOO_MANY = f"not run: too many calls in one round (at most {MAX_CALLS} run)"


class ToolView(Protocol):
    """Shows tool calls and their results to the user."""

    def tool_call(self, call: ToolCall) -> None: ...

    def tool_result(self, call: ToolCall, result: ToolResult) -> None: ...

    def notice(self, text: str) -> None: ...


@dataclass(frozen=True)
class ToolSession:
    """What a turn with tools needs: the tools, who may run them, the round cap."""

    toolset: ToolSet
    consent: Consent
    rounds: int = DEFAULT_ROUNDS


def run_calls(
    calls: Sequence[ToolCall], tools: ToolSession, view: ToolView
) -> tuple[tuple[ToolResult, ...], bool]:
    """A result for every call (past MAX_CALLS: "not run"); on Ctrl-C the rest are "not run"."""
    done: list[ToolResult] = []
    for call in calls[:MAX_CALLS]:
        try:
            done.append(run_call(call, tools, view))
        except KeyboardInterrupt:
            done += [ToolResult(c.id, INTERRUPTED, "not run") for c in calls[len(done) :]]
            return tuple(done), True
    if len(calls) > MAX_CALLS:
        view.notice(f"the model asked for {len(calls)} tool calls at once; {MAX_CALLS} ran")
    return tuple(done + [ToolResult(c.id, TOO_MANY, "not run") for c in calls[MAX_CALLS:]]), False


def run_call(call: ToolCall, tools: ToolSession, view: ToolView) -> ToolResult:
    """Show the call, check it, ask for consent, run it; show and return the result."""
    view.tool_call(call)
    prepared = prepare(tools.toolset, call)
    if isinstance(prepared, str):
        result = ToolResult(call.id, clean(f"error: {prepared}"), "error")
    else:
        tool, arguments = prepared
        match tools.consent.decide(call, tool):
            case "run":
                result = _watched(tool, call, arguments, view)
            case "declined":
                result = ToolResult(call.id, DECLINED, "declined")
            case "unattended":
                result = ToolResult(call.id, UNATTENDED, "declined")
    view.tool_result(call, result)
    return result


def _watched(tool: Tool, call: ToolCall, arguments: dict[str, Any], view: ToolView) -> ToolResult:
    """Run the tool; a thread it leaves running is named (qwenchat does not wait for it)."""
    before = set(threading.enumerate())
    result = execute(tool, call.id, arguments)
    left = [t.name for t in threading.enumerate() if t not in before and not t.daemon]
    if left:
        view.notice(
            f"the tool {tool.name} left {len(left)} thread{'s' if len(left) > 1 else ''} "
            f"running ({', '.join(left[:3])}); qwenchat does not wait for "
            f"{'them' if len(left) > 1 else 'it'} when it exits"
        )
    return result
