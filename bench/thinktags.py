"""Cost of the inline-thinking splitter on the answer path, in microseconds per event.

    python bench/thinktags.py

Compares iterating a reply's events raw with iterating them through
`split_inline_thinking`, for a plain answer (the common case: the splitter
decides on the first piece and passes everything through) and for a local
server's `<think>…</think>` reply.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from qwenchat.core.events import AnswerDelta, Done, Event
from qwenchat.core.inline_thinking import split_inline_thinking

PIECES = 20_000


def events(tagged: bool) -> list[Event]:
    pieces: list[Event] = [AnswerDelta("<think>")] if tagged else []
    pieces += [AnswerDelta("word ") for _ in range(PIECES // 2)]
    if tagged:
        pieces.append(AnswerDelta("</th"))
        pieces.append(AnswerDelta("ink>"))
    pieces += [AnswerDelta("word ") for _ in range(PIECES // 2)]
    return [*pieces, Done()]


def timed(run: Callable[[], Iterator[Event]], count: int, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _event in run():
            pass
        best = min(best, time.perf_counter() - start)
    return best / count * 1e6


def main() -> None:
    for tagged in (False, True):
        source = events(tagged)
        raw = timed(lambda s=source: iter(s), len(source))
        split = timed(
            lambda s=source: split_inline_thinking(iter(s), starts_inside=False), len(source)
        )
        label = "tagged reply" if tagged else "plain answer"
        print(f"{label:>13}: raw {raw:.3f} µs/event, through the splitter {split:.3f} µs/event")


if __name__ == "__main__":
    main()
