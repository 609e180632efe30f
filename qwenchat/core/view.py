"""The view: where one round's reply goes as it streams.

The engine hands each event to the view it is given (`engine.turn.TurnView` adds the tool
calls); each renderer in `render/` is one (Rich panels, plain text, JSON).
"""

from __future__ import annotations

from typing import Protocol

from qwenchat.core.conversation import Outcome
from qwenchat.core.events import Event
from qwenchat.core.reply import Reply, Timing


class RoundView(Protocol):
    """Where one round's reply goes as it streams; never raises for the text it is given."""

    def notice(self, text: str) -> None:
        """A warning or remark for the user, apart from the answer."""

    def waiting(self) -> None:
        """The request is on its way; nothing has arrived yet."""

    def event(self, event: Event) -> None:
        """One event of the reply, as it arrives."""

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        """The round is over (completed, interrupted or failed)."""
