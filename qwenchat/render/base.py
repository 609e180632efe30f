"""The renderer interface every output mode implements."""

from __future__ import annotations

from typing import Protocol

from qwenchat.core.conversation import Outcome
from qwenchat.core.events import Event
from qwenchat.core.reply import Reply, Timing

OUTCOME_NOTES: dict[Outcome, str | None] = {
    "ok": None,
    "interrupted": "interrupted",
    "error": "incomplete",
    "incomplete": "incomplete",
}


class Renderer(Protocol):
    """Consumes one turn's events; never raises for the text it is given."""

    def notice(self, text: str) -> None:
        """A warning or remark for the user, apart from the answer."""

    def waiting(self) -> None:
        """The request is on its way; nothing has arrived yet."""

    def event(self, event: Event) -> None:
        """One event of the reply, as it arrives."""

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        """The turn is over (completed, interrupted or failed)."""
