"""Inline thinking: split `<think>…</think>` out of the answer text (pure, incremental).

Local servers without a reasoning parser (vLLM, llama.cpp, Ollama) send Qwen3
and QwQ thinking inside `content`. Tags may be split across chunks, so a
possible partial tag at the end of a piece is held back until the next piece
decides it. Two ways a reply can begin:

- `<think>` (after optional whitespace): reasoning until `</think>`;
- anything else: the answer, passed through untouched from then on, unless
  the model is known to start *inside* an open `<think>` (QwQ's chat template
  opens it in the prompt): then the text is held until `</think>` shows it was
  reasoning, or the end shows it was the answer after all.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Literal

from qwenchat.core.events import AnswerDelta, Event, ReasoningDelta

OPEN = "<think>"
CLOSE = "</think>"

State = Literal["start", "undecided", "reasoning", "answer"]


class ThinkSplitter:
    """Feed answer text in pieces; get reasoning and answer pieces back."""

    def __init__(self, *, starts_inside: bool = False, strip: bool = True) -> None:
        self._starts_inside = starts_inside
        self._strip = strip
        self._state: State = "start"
        self._held = ""
        self._trim = False  # drop whitespace right after a tag
        self._scan_from = 0  # where to look for `</think>` in held undecided text

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
        if not held:
            return []
        if self._state == "reasoning":
            return [ReasoningDelta(held)]
        return [AnswerDelta(held)]

    def _step(self, out: list[Event]) -> None:
        match self._state:
            case "start":
                self._start()
            case "undecided":
                self._undecided(out)
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
            self._state = "undecided" if self._starts_inside else "answer"
        # else: a prefix of `<think>` (or only whitespace): wait

    def _undecided(self, out: list[Event]) -> None:
        at = self._held.find(CLOSE, self._scan_from)
        if at < 0:  # held text only grows here: never rescan what was searched
            self._scan_from = max(0, len(self._held) - len(CLOSE) + 1)
        else:
            self._emit(out, ReasoningDelta, self._held[:at])
            self._held = self._held[at + len(CLOSE) :]
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

    @staticmethod
    def _emit(out: list[Event], kind: type[AnswerDelta | ReasoningDelta], text: str) -> None:
        if text:
            out.append(kind(text))


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
