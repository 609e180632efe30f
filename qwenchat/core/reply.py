"""A reply folded from events: reasoning, answer, tool calls, usage, how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field

from qwenchat.core.cost import Cost, cost_text
from qwenchat.core.events import (
    AnswerDelta,
    AnswerWasReasoning,
    Done,
    Event,
    Finish,
    OtherChoice,
    ReasoningDelta,
    ToolCallDelta,
    Usage,
)


@dataclass(frozen=True)
class ToolCall:
    """A complete tool call assembled from its fragments."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Reply:
    """What the model said in one turn."""

    answer: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    done: bool = False
    tool_calls: tuple[ToolCall, ...] = ()
    more_choices: tuple[str, ...] = ()  # the answers of choices 2… when `n` > 1
    cost: Cost | None = None  # set by core.spend.pricer; None: nothing to say about cost

    @property
    def complete(self) -> bool:
        """The server said it was finished (a finish reason and the end of the stream)."""
        return self.done and self.finish_reason is not None

    @property
    def arrived(self) -> bool:
        """Anything of a reply came back. When nothing did (the request never reached the
        server, or it was refused with an error), nothing was used: no usage line, no cost."""
        return bool(
            self.answer or self.reasoning or self.tool_calls or self.more_choices
            or self.usage is not None or self.finish_reason is not None or self.done
        )  # fmt: skip


@dataclass
class _CallParts:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class ReplyBuilder:
    """Folds events into a Reply; keeps string pieces, joins once."""

    def __init__(self) -> None:
        self._answer: list[str] = []
        self._reasoning: list[str] = []
        self._calls: dict[int, _CallParts] = {}
        self._finish: str | None = None
        self._usage: Usage | None = None
        self._done = False
        self._others: dict[int, list[str]] = {}

    def feed(self, event: Event) -> None:
        match event:
            case AnswerDelta(text):
                self._answer.append(text)
            case ReasoningDelta(text):
                self._reasoning.append(text)
            case AnswerWasReasoning():
                self._reasoning.extend(self._answer)
                self._answer.clear()
            case ToolCallDelta():
                parts = self._calls.setdefault(event.index, _CallParts())
                parts.id = parts.id or (event.id or "")
                parts.name += event.name or ""
                parts.arguments.append(event.arguments)
            case OtherChoice(index, text):
                self._others.setdefault(index, []).append(text)
            case Finish(reason):
                self._finish = reason
            case Usage():
                self._usage = event
            case Done():
                self._done = True

    def build(self) -> Reply:
        calls = tuple(
            ToolCall(id=p.id, name=p.name, arguments="".join(p.arguments))
            for _, p in sorted(self._calls.items())
        )
        return Reply(
            answer="".join(self._answer),
            reasoning="".join(self._reasoning),
            finish_reason=self._finish,
            usage=self._usage,
            done=self._done,
            tool_calls=calls,
            more_choices=tuple("".join(parts) for _, parts in sorted(self._others.items())),
        )


@dataclass(frozen=True)
class Timing:
    """How long a turn took, in seconds."""

    first_token: float | None
    total: float


def usage_line(reply: Reply, timing: Timing) -> str:
    """One line of token counts and timings, unknowns said as such."""
    usage = reply.usage
    parts: list[str] = []
    if usage is None:
        parts.append("usage unknown")
    else:
        parts.append(f"{_count(usage.prompt_tokens)} in")
        parts.append(f"{_count(usage.completion_tokens)} out")
        if usage.reasoning_tokens:
            parts.append(f"{_count(usage.reasoning_tokens)} reasoning")
    if timing.first_token is not None:
        parts.append(f"first token {timing.first_token:.2f} s")
    parts.append(f"{seconds(timing.total)} total")
    if reply.cost is not None:
        parts.append(cost_text(reply.cost))
    return " · ".join(parts)


def seconds(value: float) -> str:
    """A duration as people read it: milliseconds under a tenth of a second (never "0.0 s")."""
    return f"{value * 1000:.0f} ms" if value < 0.1 else f"{value:.1f} s"


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"
