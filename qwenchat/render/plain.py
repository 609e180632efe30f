"""Plain output for pipes and `--plain`: the answer alone on stdout, the rest on stderr."""

from __future__ import annotations

from qwenchat.core.closed_output import OutputClosed
from qwenchat.core.conversation import Outcome
from qwenchat.core.events import AnswerDelta, AnswerWasReasoning, Event, ReasoningDelta
from qwenchat.core.reply import Reply, Timing, usage_line
from qwenchat.core.sanitize import Sanitizer
from qwenchat.render.base import OUTCOME_NOTES
from qwenchat.render.output import Output


class PlainRenderer:
    """Streams the answer text to stdout as it arrives, flushed; reasoning to stderr; all of
    it through the output seam."""

    def __init__(
        self,
        output: Output,
        *,
        show_reasoning: bool = True,
        buffered: bool = False,
        show_usage: bool = False,
        label_reasoning: bool = False,
    ) -> None:
        self._output = output
        self._show_reasoning = show_reasoning
        self._buffered = buffered
        self._show_usage = show_usage
        self._answer = Sanitizer()
        self._reasoning = Sanitizer()
        self._pending: list[str] = []
        self._last_answer_char = "\n"
        self._reasoning_open = False
        self._label = label_reasoning  # `--plain`: say where the reasoning starts and ends

    def notice(self, text: str) -> None:
        self._output.notice(text)

    def waiting(self) -> None:
        """Nothing to show while waiting: the output may be a pipe."""

    def event(self, event: Event) -> None:
        if isinstance(event, AnswerDelta):
            self._write_answer(self._answer.feed(event.text))
            if self._output.stdout_gone:  # `| head -1` has what it wanted: stop reading the reply
                raise OutputClosed
        elif isinstance(event, ReasoningDelta) and self._show_reasoning:
            text = self._reasoning.feed(event.text)
            if text:
                if self._label and not self._reasoning_open:
                    self._output.err("Reasoning:\n", flush=False)
                self._reasoning_open = True
                self._output.err(text)
        elif isinstance(event, AnswerWasReasoning):
            self._relabel()

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        if (
            self._output.stdout_gone
        ):  # the reader went away: nothing more to say, not even on stderr
            return
        self._close_reasoning()
        self._write_answer(self._answer.flush())
        if self._buffered:
            self._output.out("".join(self._pending))
        self._output.out("" if self._last_answer_char == "\n" else "\n", flush=True)
        note = OUTCOME_NOTES[outcome]
        if note and (reply.answer or reply.reasoning):  # nothing shown: the error says it all
            self.notice(f"[{note}]")
        if self._show_usage and reply.arrived:
            self._output.err(usage_line(reply, timing) + "\n")

    def _relabel(self) -> None:
        """The answer so far was reasoning: dropped if still buffered, else said so."""
        self._write_answer(self._answer.flush())
        if self._buffered:
            self._pending.clear()
            self._last_answer_char = "\n"
            return
        self._output.out("" if self._last_answer_char == "\n" else "\n", flush=True)
        self._last_answer_char = "\n"
        self.notice("the text above was the model's reasoning; the answer follows")

    def _write_answer(self, text: str) -> None:
        if not text:
            return
        self._close_reasoning()
        self._last_answer_char = text[-1]
        if self._buffered:
            self._pending.append(text)
            return
        self._output.out(text, flush=True)

    def _close_reasoning(self) -> None:
        if self._reasoning_open:
            tail = self._reasoning.flush()
            end = "(end of reasoning)\n\n" if self._label else "\n"
            self._output.err((tail if tail.endswith("\n") else tail + "\n") + end)
            self._reasoning_open = False
