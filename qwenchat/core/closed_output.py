"""The reader of the answer went away (`qwenchat ask … | head -1`).

A view raises `OutputClosed` when the stream it writes the answer to has closed: the turn stops
reading the reply there (the request is closed, nothing more is paid for), is saved as cut short
(interrupted), and the command ends quietly with `exit_code`, saying nothing to a reader that
is gone.
"""

from __future__ import annotations

from qwenchat.core.errors import EXIT_OK, QwenchatError


class OutputClosed(QwenchatError):
    """The answer's reader closed its end: stop, keep what arrived, say nothing."""

    exit_code = EXIT_OK

    def __init__(self) -> None:
        super().__init__("the output was closed before the answer ended; it was cut short there")
