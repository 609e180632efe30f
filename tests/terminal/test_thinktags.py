"""The inline `<think>` splitter: any chunking of the text gives the same reasoning and answer."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwenchat.core.events import (
    AnswerDelta,
    AnswerWasReasoning,
    Done,
    Event,
    Finish,
    ReasoningDelta,
)
from qwenchat.core.inline_thinking import ThinkSplitter, split_inline_thinking
from qwenchat.core.reply import ReplyBuilder
from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import Tty

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


def run(pieces: list[str], **options: bool) -> list[Event]:
    splitter = ThinkSplitter(**options)
    events: list[Event] = []
    for piece in pieces:
        events += splitter.feed(piece)
    return events + splitter.flush()


def split(pieces: list[str], **options: bool) -> tuple[str, str]:
    return join(run(pieces, **options))


def join(events: list[Event]) -> tuple[str, str]:
    """(reasoning, answer) as the reply builder keeps them."""
    builder = ReplyBuilder()
    for event in events:
        builder.feed(event)
    reply = builder.build()
    return reply.reasoning, reply.answer


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


@given(data=st.data(), reasoning=TEXT, answer=TEXT)
def test_a_lone_close_tag_makes_the_text_before_it_reasoning(
    data: st.DataObject, reasoning: str, answer: str
) -> None:
    """Any model, any chunking: the tag is dropped and the text before it relabelled."""
    pieces = data.draw(chunked(f"{reasoning}</think>{answer}"))
    events = run(pieces, strip=False)
    assert join(events) == (reasoning, answer)
    assert events.count(AnswerWasReasoning()) == 1
    assert "</think>" not in "".join(getattr(e, "text", "") for e in events)


@given(data=st.data(), answer=TEXT)
def test_text_without_tags_is_all_answer(data: st.DataObject, answer: str) -> None:
    pieces = data.draw(chunked(answer))
    assert split(pieces) == ("", answer)


@given(data=st.data(), reasoning=TEXT)
def test_a_model_that_starts_inside_thinks_from_the_first_token(
    data: st.DataObject, reasoning: str
) -> None:
    pieces = data.draw(chunked(reasoning))
    assert split(pieces, starts_inside=True, strip=False) == (reasoning, "")
    splitter = ThinkSplitter(starts_inside=True)
    assert splitter.feed("Let me see") == [ReasoningDelta("Let me see")]  # shown at once


@pytest.mark.parametrize(
    "text",
    ["The closing tag is `</think>`.", "Qwen ends thinking with '</think>' here",
     "Use <think>x</think> to wrap it"],
)  # fmt: skip
def test_a_quoted_or_paired_tag_in_an_answer_is_left_alone(text: str) -> None:
    for size in (1, 3, len(text)):
        pieces = [text[i : i + size] for i in range(0, len(text), size)]
        assert split(pieces) == ("", text)


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
    assert not splitter.passthrough  # a lone `</think>` may still come
    assert splitter.feed(" <think>x</think>") == [AnswerDelta(" <think>x</think>")]
    assert splitter.passthrough  # a tag pair: the text is an answer about tags


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


# --- end to end: the test server streams reasoning, a lone `</think>`, then the answer ------

LONE = "Weighing it up.\n</think>\n\nForty-two."


def test_an_unknown_model_with_a_lone_close_tag(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer=LONE, chunk_size=3))
    result = cli("ask", "-m", "house-model", "hi")
    assert result.exit_code == 0, result.stderr
    assert "</think>" not in result.stdout + result.stderr
    assert result.stdout.endswith("Forty-two.\n")
    assert "the text above was the model's reasoning" in result.stderr


def test_a_lone_close_tag_keeps_only_the_answer_in_the_history(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer=LONE, chunk_size=5))
    document = json.loads(cli("ask", "-m", "house-model", "--json", "hi").stdout)
    assert (document["reasoning"], document["answer"]) == ("Weighing it up.\n", "Forty-two.")
    cli("ask", "-m", "house-model", "-c", "and then?")
    sent = cli.server.chat_requests[1].body["messages"]
    assert {"role": "assistant", "content": "Forty-two."} in sent
    assert "Weighing" not in json.dumps(sent)


@pytest.mark.parametrize(
    "model", ["Qwen/Qwen3-30B-A3B-Thinking-2507", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
              "qwq:32b", "qwen3-next-80b-a3b-thinking"]
)  # fmt: skip
def test_families_that_open_think_in_the_prompt_start_inside(cli: Cli, model: str) -> None:
    cli.server.enqueue(Reply(answer=LONE, chunk_size=4))
    result = cli("ask", "-m", model, "hi")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Forty-two.\n"
    assert "Weighing it up." in result.stderr
    assert "the text above" not in result.stderr  # shown as reasoning from the first token


def test_a_terminal_relabels_the_text_already_shown(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer=LONE, chunk_size=3, delay=0.002))
    tty = Tty("ask", "-m", "house-model", "hi", env=cli.env(TERM="xterm-256color"))
    assert tty.wait_exit() == 0, tty.text()
    screen = tty.text()
    assert "that was the model's thinking" in screen
    assert "Forty-two." in screen
    assert "</think>" not in screen
