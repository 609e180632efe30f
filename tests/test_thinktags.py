"""The inline `<think>` splitter: any chunking of the text gives the same reasoning and answer."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from qwenchat.core.events import AnswerDelta, Done, Event, Finish, ReasoningDelta
from qwenchat.core.inline_thinking import ThinkSplitter, split_inline_thinking

# Text rich in the characters tags are made of, so partial tags are common.
TEXT = st.text(alphabet=st.sampled_from("<>/thinkTHINK ab\n中"), max_size=40).filter(
    lambda s: "<think>" not in s and "</think>" not in s
)


@st.composite
def chunked(draw: st.DrawFn, text: str) -> list[str]:
    """`text` cut at arbitrary points."""
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=12)))
    edges = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(edges)]


def split(pieces: list[str], **options: bool) -> tuple[str, str]:
    splitter = ThinkSplitter(**options)
    events: list[Event] = []
    for piece in pieces:
        events += splitter.feed(piece)
    events += splitter.flush()
    return join(events)


def join(events: list[Event]) -> tuple[str, str]:
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    answer = "".join(e.text for e in events if isinstance(e, AnswerDelta))
    return reasoning, answer


@given(data=st.data(), reasoning=TEXT, answer=TEXT)
def test_any_split_of_tagged_text_is_exact(
    data: st.DataObject, reasoning: str, answer: str
) -> None:
    pieces = data.draw(chunked(f"<think>{reasoning}</think>{answer}"))
    assert split(pieces, strip=False) == (reasoning, answer)


@given(data=st.data(), reasoning=TEXT, answer=TEXT)
def test_reply_starting_inside_an_open_think(
    data: st.DataObject, reasoning: str, answer: str
) -> None:
    pieces = data.draw(chunked(f"{reasoning}</think>{answer}"))
    assert split(pieces, starts_inside=True, strip=False) == (reasoning, answer)


@given(data=st.data(), answer=TEXT)
def test_text_without_tags_is_all_answer(data: st.DataObject, answer: str) -> None:
    pieces = data.draw(chunked(answer))
    assert split(pieces) == ("", answer)
    assert split(pieces, starts_inside=True) == ("", answer)


@given(data=st.data(), reasoning=TEXT, answer=TEXT)
def test_whitespace_around_tags_is_trimmed(
    data: st.DataObject, reasoning: str, answer: str
) -> None:
    pieces = data.draw(chunked(f"\n<think>\n{reasoning}</think>\n\n{answer}"))
    got_reasoning, got_answer = split(pieces)
    assert got_reasoning == reasoning.lstrip()
    assert got_answer == answer.lstrip()


def test_text_before_a_tag_means_no_thinking() -> None:
    assert split(["Use <think>", "x</think> tags"]) == ("", "Use <think>x</think> tags")


def test_unclosed_think_is_reasoning() -> None:
    assert split(["<think>still going"]) == ("still going", "")


def test_plain_answers_pass_straight_through() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("Hello") == [AnswerDelta("Hello")]
    assert splitter.passthrough


def wire(*events: Event) -> Iterator[Event]:
    yield from events


def test_wrapper_splits_answers_and_flushes_before_finish() -> None:
    events = list(
        split_inline_thinking(
            wire(AnswerDelta("<think>R</th"), AnswerDelta("ink>A"), Finish("stop"), Done()),
            starts_inside=False,
        )
    )
    assert events == [ReasoningDelta("R"), AnswerDelta("A"), Finish("stop"), Done()]


def test_wrapper_leaves_servers_with_a_reasoning_parser_alone() -> None:
    source = wire(ReasoningDelta("r"), AnswerDelta("answer</think> stays"), Done())
    events = list(split_inline_thinking(source, starts_inside=True))
    assert join(events) == ("r", "answer</think> stays")
