"""Inline thinking: split `<think>…</think>` out of the answer text (pure, incremental).

Local servers without a reasoning parser (vLLM, SGLang, llama.cpp, Ollama) send Qwen3,
QwQ and DeepSeek-R1 thinking inside `content`. Tags may be split across chunks, so a
possible partial tag at the end of a piece is held back until the next piece decides
it. A reply can begin three ways:

- `<think>` (after optional whitespace): reasoning until `</think>`;
- the model is known to start *inside* an open `<think>` (its chat template opens it
  in the prompt: QwQ, DeepSeek-R1 and its distills, every `*-thinking-2507`): reasoning
  from the first token until `</think>`;
- anything else: the answer, shown as it comes, until a lone `</think>` (one with no
  `<think>` before it, not quoted in backticks) shows that the text so far was
  reasoning: then `AnswerWasReasoning` says so and the text after the tag is the
  answer. A `<think>` in the text, or a quoted tag, ends the watch: all answer.

The tags themselves are never passed on.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Literal

from qwenchat.core.events import AnswerDelta, AnswerWasReasoning, Event, ReasoningDelta

OPEN = "<think>"
CLOSE = "</think>"
QUOTES = "`'\""

State = Literal["start", "watching", "reasoning", "answer"]


class ThinkSplitter:
    """Feed answer text in pieces; get reasoning and answer pieces back."""

    def __init__(self, *, starts_inside: bool = False, strip: bool = True) -> None:
        self._starts_inside = starts_inside
        self._strip = strip
        self._state: State = "start"
        self._held = ""
        self._trim = False  # drop whitespace right after a tag
        self._last = ""  # the last character passed on as answer (is a tag quoted?)

    @property
    def passthrough(self) -> bool:
        """True once every further piece is plain answer text."""
        return self._state == "answer" and not self._trim and not self._held

    def feed(self, text: str) -> list[Event]:
        if self.passthrough:
            return [AnswerDelta(text)]
        self._held += text
        out: list[Event] = []
        while self._held:
            before = (self._state, self._held)
            self._step(out)
            if (self._state, self._held) == before:
                break  # waiting for more text
        return out

    def flush(self) -> list[Event]:
        """The end of the reply: whatever is held is decided now."""
        held, self._held = self._held, ""
        if self._trim:
            held = held.lstrip()
        if self._state == "start" and self._starts_inside:
            self._state = "reasoning"
        out: list[Event] = []
        if self._state == "watching" and held.endswith(CLOSE) and not self._quoted(held, len(held)):
            self._emit(out, AnswerDelta, held[: -len(CLOSE)])
            return [*out, AnswerWasReasoning()]
        self._emit(out, ReasoningDelta if self._state == "reasoning" else AnswerDelta, held)
        return out

    def _step(self, out: list[Event]) -> None:
        match self._state:
            case "start":
                self._start()
            case "watching":
                self._watching(out)
            case "reasoning":
                self._reasoning(out)
            case "answer":
                self._answer(out)

    def _start(self) -> None:
        head = self._held.lstrip()
        if head.startswith(OPEN):
            self._held = head[len(OPEN) :]
            self._enter("reasoning")
        elif not OPEN.startswith(head):  # cannot become `<think>`: decided
            if self._starts_inside and self._strip:
                self._held = head
            self._state = "reasoning" if self._starts_inside else "watching"
        # else: a prefix of `<think>` (or only whitespace): wait

    def _watching(self, out: list[Event]) -> None:
        held = self._held
        close, opened = held.find(CLOSE), held.find(OPEN)
        if opened >= 0 and (close < 0 or opened < close):
            self._state = "answer"  # a tag pair in the answer: not a boundary
            return
        if close < 0:
            keep = max(_partial_suffix(held, CLOSE), _partial_suffix(held, OPEN))
            self._emit(out, AnswerDelta, held[: len(held) - keep])
            self._held = held[len(held) - keep :]
            return
        end = close + len(CLOSE)
        self._emit(out, AnswerDelta, held[:close])
        self._held = held[close:]
        if end == len(held):
            return  # the next character says whether the tag is quoted
        if self._quoted(held, end):
            self._state = "answer"
            return
        out.append(AnswerWasReasoning())
        self._held = held[end:]
        self._enter("answer")

    def _reasoning(self, out: list[Event]) -> None:
        if self._trim:
            self._held = self._held.lstrip()
            if not self._held:
                return
            self._trim = False
        at = self._held.find(CLOSE)
        if at >= 0:
            self._emit(out, ReasoningDelta, self._held[:at])
            self._held = self._held[at + len(CLOSE) :]
            self._enter("answer")
            return
        keep = _partial_suffix(self._held, CLOSE)
        self._emit(out, ReasoningDelta, self._held[: len(self._held) - keep])
        self._held = self._held[len(self._held) - keep :]

    def _answer(self, out: list[Event]) -> None:
        if self._trim:
            self._held = self._held.lstrip()
            if not self._held:
                return
            self._trim = False
        self._emit(out, AnswerDelta, self._held)
        self._held = ""

    def _enter(self, state: State) -> None:
        self._state = state
        self._trim = self._strip

    def _emit(self, out: list[Event], kind: type[AnswerDelta | ReasoningDelta], text: str) -> None:
        if text:
            out.append(kind(text))
            self._last = text[-1]

    def _quoted(self, text: str, end: int) -> bool:
        """Is the `</think>` ending at `end` quoted (a mention in prose, not a boundary)?"""
        start = end - len(CLOSE)
        before = text[start - 1] if start > 0 else self._last
        after = text[end : end + 1]
        return bool(before and before in QUOTES) or bool(after and after in QUOTES)


def _partial_suffix(text: str, tag: str) -> int:
    """How many trailing characters of `text` could be the start of `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0


def split_inline_thinking(
    events: Iterator[Event], *, starts_inside: bool
) -> Generator[Event, None, None]:
    """Run the answer text of `events` through a ThinkSplitter.

    A server that sends reasoning in its own field has a reasoning parser: from
    its first reasoning piece on, the answer is passed through as it is.
    """
    splitter = ThinkSplitter(starts_inside=starts_inside)
    parsed = False
    for event in events:
        if isinstance(event, AnswerDelta):
            if parsed or splitter.passthrough:
                yield event
            else:
                yield from splitter.feed(event.text)
        else:
            if not parsed:
                yield from splitter.flush()
                parsed = isinstance(event, ReasoningDelta)
            yield event
