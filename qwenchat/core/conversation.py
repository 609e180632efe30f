"""The conversation: system prompt and finished turns, as immutable values.

Reasoning is kept on each turn for display and export. `to_wire()` sends user and
assistant text and the tool rounds of a turn (the assistant's `tool_calls` message, then
one `tool` message per call). Reasoning goes back in two cases only: the current turn's
tool rounds carry their `reasoning_content` (Model Studio's deep-thinking page, updated
2026-06-18: leaving it out of a tool loop degrades accuracy), and with `preserve=True`
(a model whose `preserve_thinking` is on) every earlier assistant message carries its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from qwenchat.core.attachments import DOCUMENT_SYSTEM, Attachment, file_message, user_content
from qwenchat.core.events import Usage
from qwenchat.core.reply import ToolCall

Outcome = Literal["ok", "interrupted", "error", "incomplete"]
ToolStatus = Literal["ok", "error", "declined", "not run"]


@dataclass(frozen=True)
class ToolResult:
    """What one tool call gave back to the model (an error or a refusal is a result too)."""

    call_id: str
    content: str
    status: ToolStatus = "ok"


@dataclass(frozen=True)
class ToolStep:
    """One round in which the model asked for tools: its calls, any text, and every result.

    A step always holds one result per call, so its wire form is valid on its own.
    """

    calls: tuple[ToolCall, ...]
    results: tuple[ToolResult, ...]
    text: str = ""
    reasoning: str = ""  # what the model thought before asking for the calls

    def to_wire(self, *, reasoning: bool = True) -> list[dict[str, Any]]:
        calls = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in self.calls
        ]
        asked: dict[str, Any] = {"role": "assistant", "content": self.text, "tool_calls": calls}
        if reasoning and self.reasoning:
            asked["reasoning_content"] = self.reasoning
        messages: list[dict[str, Any]] = [asked]
        for result in self.results:
            messages.append(
                {"role": "tool", "tool_call_id": result.call_id, "content": result.content}
            )
        return messages


@dataclass(frozen=True)
class Turn:
    """One exchange: what the user sent and what came back."""

    user: str
    answer: str = ""
    reasoning: str = ""
    model: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    outcome: Outcome = "ok"
    steps: tuple[ToolStep, ...] = ()
    attachments: tuple[Attachment, ...] = ()  # resent with every later request

    @property
    def complete(self) -> bool:
        return self.outcome == "ok"

    @property
    def arrived(self) -> bool:
        """Anything of the reply came back (`Reply.arrived`): else the turn cost nothing."""
        return bool(
            self.complete or self.answer or self.reasoning or self.steps
            or self.usage is not None or self.finish_reason is not None
        )  # fmt: skip


@dataclass(frozen=True)
class Conversation:
    """An immutable history; every change returns a new Conversation."""

    system: str | None = None
    turns: tuple[Turn, ...] = field(default_factory=tuple)
    file_ids: tuple[tuple[str, str], ...] = ()  # (content digest, Files API id): Qwen-Long

    def with_file_ids(self, ids: dict[str, str]) -> Conversation:
        return replace(self, file_ids=tuple(ids.items()))

    def with_turn(self, turn: Turn) -> Conversation:
        return replace(self, turns=(*self.turns, turn))

    def without_last(self) -> Conversation:
        return replace(self, turns=self.turns[:-1])

    def with_system(self, system: str | None) -> Conversation:
        return replace(self, system=system or None)

    def cleared(self) -> Conversation:
        return Conversation(system=self.system)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def to_wire(
        self,
        user: str,
        steps: tuple[ToolStep, ...] = (),
        attachments: tuple[Attachment, ...] = (),
        *,
        preserve: bool = False,
    ) -> list[dict[str, Any]]:
        """The messages for a request that adds `user` (and its tool rounds so far) to this history.

        A turn with attachments sends them again (the model keeps no memory of an image).

        A turn with no answer text and no tool rounds (interrupted before any arrived)
        contributes nothing, so the history always alternates user/assistant.
        """
        messages: list[dict[str, Any]] = []
        ids = dict(self.file_ids)
        uploaded = frozenset(ids)
        if self.system or ids:
            messages.append({"role": "system", "content": self.system or DOCUMENT_SYSTEM})
        if ids:
            messages.append(file_message(list(dict.fromkeys(ids.values()))))
        for turn in self.turns:
            if not turn.answer and not turn.steps:
                continue
            content = user_content(turn.user, turn.attachments, uploaded)
            messages.append({"role": "user", "content": content})
            for step in turn.steps:
                messages.extend(step.to_wire(reasoning=preserve))
            if turn.answer:
                answer: dict[str, Any] = {"role": "assistant", "content": turn.answer}
                if preserve and turn.reasoning and not turn.steps:
                    answer["reasoning_content"] = turn.reasoning
                messages.append(answer)
        messages.append({"role": "user", "content": user_content(user, attachments, uploaded)})
        for step in steps:
            messages.extend(step.to_wire())
        return messages

    def usage_totals(self) -> tuple[int, int]:
        """(input tokens, output tokens) summed over turns that reported usage."""
        prompt = sum((t.usage.prompt_tokens or 0) for t in self.turns if t.usage)
        completion = sum((t.usage.completion_tokens or 0) for t in self.turns if t.usage)
        return prompt, completion
