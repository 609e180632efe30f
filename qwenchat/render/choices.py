"""Several choices (`-n N`): each answer shown once complete, numbered, through any renderer."""

from __future__ import annotations

from qwenchat.core.conversation import Outcome
from qwenchat.core.events import AnswerDelta, Event, OtherChoice
from qwenchat.core.reply import Reply, Timing
from qwenchat.core.view import RoundView


class NumberedChoices:
    """Holds the answers back, then hands the inner renderer one numbered answer.

    Choices arrive interleaved, so streaming them live would mix their text;
    reasoning and everything else still passes straight through.
    """

    def __init__(self, inner: RoundView) -> None:
        self._inner = inner
        self._answers: dict[int, list[str]] = {}

    def notice(self, text: str) -> None:
        self._inner.notice(text)

    def waiting(self) -> None:
        self._inner.waiting()

    def event(self, event: Event) -> None:
        if isinstance(event, AnswerDelta):
            self._answers.setdefault(0, []).append(event.text)
        elif isinstance(event, OtherChoice):
            self._answers.setdefault(event.index, []).append(event.text)
        else:
            self._inner.event(event)

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        if self._answers:
            self._inner.event(AnswerDelta(numbered(self._answers)))
        self._inner.finish(reply, timing, outcome)


def numbered(answers: dict[int, list[str]]) -> str:
    """`### Choice 1` and its answer, then the next, in choice order."""
    sections = [
        f"### Choice {index + 1}\n\n{''.join(parts).strip()}\n"
        for index, parts in sorted(answers.items())
    ]
    return "\n".join(sections)
