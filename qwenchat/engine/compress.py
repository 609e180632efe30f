"""`/compress`: the model summarises older turns, and the summary takes their place.

The summary becomes one ordinary turn (the request and the model's summary), so
the history stays plain user/assistant pairs; the turns it replaces stay in the
store, marked inactive.
"""

from __future__ import annotations

from dataclasses import replace

from qwenchat.core import errors
from qwenchat.core.conversation import Conversation
from qwenchat.core.request import RequestOptions
from qwenchat.core.settings import Settings
from qwenchat.engine.turn import EventSource, TurnView
from qwenchat.engine.turn_engine import answer

SUMMARY_REQUEST = (
    "Summarise our conversation so far for your own later reference: the facts, decisions, "
    "code and open questions a continuation needs, as briefly as they allow. "
    "Answer with the summary only."
)


def compressed(
    settings: Settings,
    client: EventSource,
    conversation: Conversation,
    *,
    keep: int,
    options: RequestOptions,
    view: TurnView,
) -> Conversation:
    """The conversation with all but the last `keep` turns replaced by a summary.

    Raises the turn's error if the summary did not arrive complete.
    """
    cut = len(conversation.turns) - keep
    older = replace(conversation, turns=conversation.turns[:cut])
    result = answer(settings, older, SUMMARY_REQUEST, options, client, view).result
    if result.error is not None:
        raise result.error
    if not result.turn.answer.strip():
        raise errors.StreamError("the model sent an empty summary; nothing was compressed")
    return replace(conversation, turns=(result.turn, *conversation.turns[cut:]))
