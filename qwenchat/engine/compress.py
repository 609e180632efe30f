"""`/compress`: the model summarises older turns, and the summary takes their place.

The summary is asked for like any turn (`turn_engine.conduct` with `summary_question`);
`compressed` puts its answer in place of the turns it summarises.

The summary becomes one ordinary turn (the request and the model's summary), so
the history stays plain user/assistant pairs; the turns it replaces stay in the
store, marked inactive.
"""

from __future__ import annotations

from dataclasses import replace

from qwenchat.core import errors
from qwenchat.core.conversation import Conversation
from qwenchat.core.request import RequestOptions
from qwenchat.engine.turn import Question, TurnResult

SUMMARY_REQUEST = (
    "Summarise our conversation so far for your own later reference: the facts, decisions, "
    "code and open questions a continuation needs, as briefly as they allow. "
    "Answer with the summary only."
)


def summary_question(conversation: Conversation, keep: int, options: RequestOptions) -> Question:
    """The request for a summary of all but the last `keep` turns (for `turn_engine.conduct`)."""
    older = replace(conversation, turns=conversation.turns[: len(conversation.turns) - keep])
    return Question(older, SUMMARY_REQUEST, options)


def compressed(conversation: Conversation, keep: int, summary: TurnResult) -> Conversation:
    """The conversation with all but the last `keep` turns replaced by the `summary` turn.

    Raises the turn's error if the summary did not arrive complete.
    """
    if summary.error is not None:
        raise summary.error
    if not summary.turn.answer.strip():
        raise errors.StreamError("the model sent an empty summary; nothing was compressed")
    cut = len(conversation.turns) - keep
    return replace(conversation, turns=(summary.turn, *conversation.turns[cut:]))
