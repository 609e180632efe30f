"""The conversation: system prompt and finished turns, as immutable values.

Reasoning is kept on each turn for display and export but never goes back to
the server: `to_wire()` sends only user and assistant text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from qwenchat.events import Usage

Outcome = Literal["ok", "interrupted", "error", "incomplete"]


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

    @property
    def complete(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class Conversation:
    """An immutable history; every change returns a new Conversation."""

    system: str | None = None
    turns: tuple[Turn, ...] = field(default_factory=tuple)

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

    def to_wire(self, user: str) -> list[dict[str, Any]]:
        """The messages for a request that adds `user` to this history.

        A turn with no answer text (interrupted before any arrived) contributes
        nothing, so the history always alternates user/assistant.
        """
        messages: list[dict[str, Any]] = []
        if self.system:
            messages.append({"role": "system", "content": self.system})
        for turn in self.turns:
            if not turn.answer:
                continue
            messages.append({"role": "user", "content": turn.user})
            messages.append({"role": "assistant", "content": turn.answer})
        messages.append({"role": "user", "content": user})
        return messages

    def usage_totals(self) -> tuple[int, int]:
        """(input tokens, output tokens) summed over turns that reported usage."""
        prompt = sum((t.usage.prompt_tokens or 0) for t in self.turns if t.usage)
        completion = sum((t.usage.completion_tokens or 0) for t in self.turns if t.usage)
        return prompt, completion
