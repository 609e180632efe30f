"""The conversation's wire form: system first, no reasoning, alternating roles."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from qwenchat.core.conversation import Conversation, Turn


def test_system_first_and_reasoning_never_sent() -> None:
    conversation = (
        Conversation(system="Be brief.")
        .with_turn(Turn(user="q1", answer="a1", reasoning="secret r1"))
        .with_turn(Turn(user="q2", answer="a2", reasoning="secret r2"))
    )
    wire = conversation.to_wire("q3")
    assert wire == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
        {"role": "assistant", "content": "a2"},
        {"role": "user", "content": "q3"},
    ]
    assert "secret" not in str(wire)


def test_interrupted_turn_with_no_answer_is_skipped() -> None:
    conversation = Conversation().with_turn(Turn(user="q1", outcome="interrupted"))
    assert conversation.to_wire("q2") == [{"role": "user", "content": "q2"}]


def test_undo_clear_and_system() -> None:
    conversation = Conversation(system="s").with_turn(Turn(user="q", answer="a"))
    assert conversation.without_last().turns == ()
    assert conversation.cleared() == Conversation(system="s")
    assert conversation.with_system(None).to_wire("x")[0]["role"] == "user"


@given(st.lists(st.tuples(st.text(), st.text()), max_size=6))
def test_roles_always_alternate(pairs: list[tuple[str, str]]) -> None:
    conversation = Conversation()
    for user, answer in pairs:
        conversation = conversation.with_turn(Turn(user=user, answer=answer))
    roles = [m["role"] for m in conversation.to_wire("last")]
    assert roles[-1] == "user"
    assert all(a != b for a, b in itertools.pairwise(roles))
