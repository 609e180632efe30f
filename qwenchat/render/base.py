"""What every renderer shares: the note an unfinished reply ends with.

A renderer is a `core.view.RoundView`: the engine hands it each event of a reply.
"""

from __future__ import annotations

from qwenchat.core.conversation import Outcome

OUTCOME_NOTES: dict[Outcome, str | None] = {
    "ok": None,
    "interrupted": "interrupted",
    "error": "incomplete",
    "incomplete": "incomplete",
}
