"""The context fit: estimates, calibration, trimming and DashScope's input-range message."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from qwenchat.core import context_fit as context
from qwenchat.core.catalogue import Catalogue, catalogue_from
from qwenchat.core.conversation import Conversation, Turn
from qwenchat.core.events import Usage


def wire(system: str | None, pairs: list[tuple[str, str]], last: str) -> list[dict[str, Any]]:
    turns = tuple(Turn(user=u, answer=a) for u, a in pairs)
    return Conversation(system=system, turns=turns).to_wire(last)


def test_window_comes_from_config_then_catalogue_then_default() -> None:
    catalogue = Catalogue()
    assert context.context_window(catalogue.lookup("qwen-max")) == 32768
    assert context.context_window(catalogue.lookup("qwen-max"), 4000) == 4000
    assert context.context_window(catalogue.lookup("some-local-model")) == context.DEFAULT_WINDOW
    overridden = catalogue_from({"qwen-max": {"context_window": 65536}})
    assert context.context_window(overridden.lookup("qwen-max")) == 65536
    assert context.input_limit(32768) == 32768 - 2048
    assert context.input_limit(400) == 300  # the reserve is at most a quarter of the window
    assert context.input_limit(32768, max_tokens=100) == 32668


def test_cjk_costs_more_per_character_than_ascii() -> None:
    assert context.text_tokens("通义千问") == 4
    assert context.text_tokens("abcdefg") == 2


@given(
    system=st.one_of(st.none(), st.text(min_size=1, max_size=50)),
    pairs=st.lists(st.tuples(st.text(max_size=80), st.text(min_size=1, max_size=80)), max_size=8),
    last=st.text(max_size=80),
    limit=st.integers(min_value=1, max_value=400),
)
def test_fit_keeps_system_and_newest_message_and_drops_oldest_whole_turns(
    system: str | None, pairs: list[tuple[str, str]], last: str, limit: int
) -> None:
    messages = wire(system, pairs, last)
    fitted, dropped = context.fit(messages, limit=limit)
    assert fitted[-1] == messages[-1]
    assert (fitted[0] == messages[0]) if system else True
    kept = len(pairs) - dropped
    assert fitted == wire(system, pairs[dropped:], last)
    assert context.estimate(fitted) <= limit or kept == 0
    if dropped:  # it dropped no more than it had to
        assert context.estimate(wire(system, pairs[dropped - 1 :], last)) > limit


def test_calibration_follows_the_servers_prompt_tokens() -> None:
    request = Conversation().to_wire("x" * 350)
    counted = context.estimate(request)
    turn = Turn(user="x" * 350, answer="y", usage=Usage(prompt_tokens=counted * 2))
    assert context.calibration(Conversation(turns=(turn,))) == 2.0
    assert context.calibration(Conversation()) == 1.0
    huge = Turn(user="x", answer="y", usage=Usage(prompt_tokens=10**6))
    assert context.calibration(Conversation(turns=(huge,))) == context.RATIO_BOUNDS[1]


def test_range_message_is_parsed() -> None:
    message = (
        "the server rejected the request: <400> InternalError.Algo.InvalidParameter: "
        "Range of input length should be [1, 30720] (400, invalid_parameter_error)"
    )
    assert context.range_limit(message) == 30720
    assert context.range_limit("Range of input length should be [1,98304]") == 98304
    assert context.range_limit("Incorrect API key provided.") is None


def test_refit_drops_more_when_the_estimate_thought_it_fitted() -> None:
    messages = wire("sys", [("a" * 70, "b" * 70), ("c" * 70, "d" * 70)], "last")
    limit = context.estimate(messages)  # our estimate says it fits exactly; the server disagreed
    assert context.fit(messages, limit=limit)[1] == 0
    fitted, dropped = context.refit(messages, limit=limit)
    assert dropped >= 1
    assert fitted[0]["content"] == "sys"
    assert fitted[-1]["content"] == "last"


def test_fit_keeps_the_current_turns_tool_round_whole() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "t", "arguments": "{}"}}
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "old question " * 200},
        {"role": "assistant", "content": "old answer " * 200},
        {"role": "user", "content": "new question"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "result"},
    ]
    fitted, dropped = context.fit(messages, limit=60)
    assert dropped == 1
    assert fitted == [messages[0], *messages[3:]]
