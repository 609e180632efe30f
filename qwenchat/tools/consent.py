"""Consent: nothing runs unless the user said so — now, for the session, or in advance.

A call runs when `--yes-tools` was given, when its tool is a built-in pre-approved in the
configuration (`approved_tools`), when the user answered "always" for that tool earlier in
the session (an MCP tool: with the same server, description and schema), or when the user
answers yes at the prompt. Without a terminal to ask on, a call that needs an answer is not
run. The question names what the call would touch as it would be resolved (a file tool: the
real path; an MCP tool: its server), never the model's argument as sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Literal, Protocol

from qwenchat.core.reply import ToolCall
from qwenchat.tools.spec import Tool

Decision = Literal["yes", "no", "always"]
Verdict = Literal["run", "declined", "unattended"]
Asker = Callable[[ToolCall, str | None], Decision]  # the call, and what it would touch
ANSWERS: dict[str, Decision] = {
    "y": "yes", "yes": "yes", "n": "no", "no": "no", "a": "always", "always": "always",
}  # fmt: skip
QUESTION = "Run {name}{on}? [y]es / [n]o / [a]lways in this conversation: "


class Consent:
    """The session's consent state: pre-approvals, --yes-tools, and "always" answers."""

    def __init__(
        self, *, ask: Asker | None, approved: Iterable[str] = (), yes: bool = False
    ) -> None:
        self._ask = ask
        self._approved = set(approved)
        self._yes = yes

    def decide(self, call: ToolCall, tool: Tool) -> Verdict:
        """Whether this call may run; asks the user when nothing settles it already."""
        if self._yes or tool.consent_key in self._approved:
            return "run"
        if self._ask is None:
            return "unattended"
        decision = self._ask(call, subject(call, tool))
        if decision == "always":
            self._approved.add(tool.consent_key)
        return "declined" if decision == "no" else "run"


def subject(call: ToolCall, tool: Tool) -> str | None:
    """What the call would touch, resolved (None when the tool does not say)."""
    if tool.target is None:
        return None
    try:
        arguments = json.loads(call.arguments) if call.arguments.strip() else {}
        return tool.target(arguments if isinstance(arguments, dict) else {})
    except (ValueError, RecursionError) as exc:
        return f"(a path that cannot be resolved: {exc})"


class LineReader(Protocol):
    """Where an answer is read from, one line at a time ("" at the end of input)."""

    def readline(self) -> str: ...


class TerminalAsker:
    """Asks on a terminal, one line per answer; an empty line or end of input means no.

    The questions go to `write`, the output seam's stderr (which sanitises and flushes)."""

    def __init__(
        self, read: LineReader, write: Callable[[str], None], *, attempts: int = 3
    ) -> None:
        self._read = read
        self._write = write
        self._attempts = attempts

    def __call__(self, call: ToolCall, target: str | None = None) -> Decision:
        from qwenchat.core.sanitize import sanitize

        on = f" on {sanitize(target)}" if target else ""
        for _ in range(self._attempts):
            self._write(QUESTION.format(name=sanitize(call.name), on=on))
            line = self._read.readline()
            if not line:
                self._write("\n")
                return "no"
            answer = line.strip().lower()
            if not answer:
                return "no"
            if answer in ANSWERS:
                return ANSWERS[answer]
            self._write("please answer y, n or a\n")
        return "no"
