"""`ask -x` / `--extract`: only the fenced code of the answer reaches stdout (for pipes).

The answer is collected, not shown; when the reply ends, the code of each closed fenced block
is written, blocks one after the other, nothing around them. Notices, tool calls and the
progress line (stderr on a terminal) are shown as for any piped answer. A reply with no closed
block writes nothing: `ask` then fails with one line (`no_code_error`).
"""

from __future__ import annotations

from qwenchat.core.conversation import Outcome
from qwenchat.core.errors import ApiError
from qwenchat.core.events import Event
from qwenchat.core.fences import fenced_code
from qwenchat.core.reply import Reply, Timing
from qwenchat.render.output import Output


class CodeOnly:
    """A renderer that writes nothing but the answer's fenced code, once it is complete."""

    def __init__(self, output: Output) -> None:
        self._output = output

    def notice(self, text: str) -> None:
        self._output.notice(text)

    def waiting(self) -> None:
        """Nothing to show: stdout gets the code alone."""

    def event(self, event: Event) -> None:
        """Nothing shown while the answer comes: the reply builder keeps it."""

    def finish(self, reply: Reply, timing: Timing, outcome: Outcome) -> None:
        """The code of the closed blocks, even of an answer cut short (the error follows)."""
        code = "".join(fenced_code(reply.answer))
        if code:
            self._output.out(code, flush=True)


def no_code_error() -> ApiError:
    return ApiError(
        "the answer has no fenced code block, so -x printed nothing",
        hint="`qwenchat sessions show` has the whole answer; ask again for code",
    )
