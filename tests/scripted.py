"""A scripted event source, for tests of the turn engine on its own (no HTTP, no SDK).

The engine reads replies from an `EventSource` (`engine.turn.EventSource`); in the app and
terminal lanes that is the real client against the loopback server. Here each request gets the
next scripted reply, a list of events, and the request bodies are kept, so a test can drive the
engine directly and say what it sent and what it showed. `Recorder` and `RecordingFront` are
the view and front end such tests hand to the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from qwenchat.core.conversation import Outcome, ToolResult
from qwenchat.core.events import AnswerDelta, Done, Event, Finish, ReasoningDelta, Usage
from qwenchat.core.reply import Reply, Timing, ToolCall


def reply(answer: str = "", reasoning: str = "", *, finish: str = "stop") -> list[Event]:
    """The events of one ordinary reply: reasoning, then the answer, usage, the end."""
    events: list[Event] = [ReasoningDelta(reasoning)] if reasoning else []
    events += [AnswerDelta(piece) for piece in _pieces(answer)]
    return [*events, Usage(1, max(1, len(answer) // 4)), Finish(finish), Done()]


def _pieces(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


class ScriptedSource:
    """Answers each request with the next scripted reply; keeps every body it was sent."""

    def __init__(self, *replies: list[Event]) -> None:
        self._replies = list(replies)
        self.bodies: list[dict[str, Any]] = []

    def stream(
        self, body: dict[str, Any], *, notify: Callable[[str], None] | None = None
    ) -> Iterator[Event]:
        self.bodies.append(body)
        if not self._replies:
            raise AssertionError("the engine sent a request no reply was scripted for")
        return iter(self._replies.pop(0))


class Recorder:
    """A view that keeps what it is given."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.notices: list[str] = []

    def notice(self, text: str) -> None:
        self.notices.append(text)

    def waiting(self) -> None:
        self.calls.append("waiting")

    def event(self, event: Event) -> None:
        if isinstance(event, AnswerDelta):
            self.text.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self.reasoning.append(event.text)

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        self.calls.append(f"finish {outcome}")

    def tool_call(self, call: ToolCall) -> None:
        self.calls.append(f"call {call.name}")

    def tool_result(self, call: ToolCall, result: ToolResult) -> None:
        self.calls.append(f"result {result.status}")


class RecordingFront:
    """Where a conducted turn goes: the recorder, for notices and the reply alike."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def notice(self, text: str) -> None:
        self.recorder.notices.append(text)

    def view(self, price: Callable[[Reply], Reply]) -> Recorder:
        return self.recorder
