"""Keys typed while a reply streams, turned into the lines they send (pure: bytes and times in,
text out).

Enter ends a line only when it ends a burst: keys that arrive together, within a few
milliseconds (a paste, or a terminal writing several keys at once), are one message, and an
Enter inside them is a newline. A person typing sends one key at a time, so their Enter sends
the line. Escape sequences (arrow keys, focus reports) are dropped; Backspace deletes. Ctrl-D
on an empty line ends the input, as at the prompt: the line `END` stands for it, and nothing
typed after it counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

BURST_SECONDS = 0.008
"""Keys arriving closer together than this belong to one burst."""

PASTE = re.compile(r"\x1b\[200~(.*?)(?:\x1b\[201~|$)", re.DOTALL)
ESCAPE = re.compile(r"\x1b(?:\[[0-9;?<=>]*[ -/]*[@-~]|O.|[^\r\[O])?")
NEWLINE = "\n"
END = "\x04"  # Ctrl-D (EOF) typed on an empty line: leave once the lines before it are sent


def bursts(chunks: Sequence[tuple[float, bytes]], gap: float = BURST_SECONDS) -> list[str]:
    """The chunks read (arrival time, bytes) joined into bursts of text."""
    out: list[bytes] = []
    last: float | None = None
    for at, data in chunks:
        if out and last is not None and at - last < gap:
            out[-1] += data
        else:
            out.append(data)
        last = at
    return [burst.decode("utf-8", errors="replace") for burst in out]


def typed_lines(chunks: Sequence[tuple[float, bytes]], start: str = "") -> tuple[list[str], str]:
    """The lines sent (each ended by an Enter typed on its own) and the text left unsent."""
    lines: list[str] = []
    line = start
    for burst in bursts(chunks):
        burst = PASTE.sub(lambda m: m.group(1).replace("\r", NEWLINE), burst)
        burst = burst.replace("\x1b\r", NEWLINE)  # Alt-Enter
        burst = ESCAPE.sub("", burst)
        for index, char in enumerate(burst):
            if char == "\r":
                if index == len(burst) - 1:
                    lines.append(line)
                    line = ""
                else:
                    line += NEWLINE
            elif char == END and not line:
                lines.append(END)
                return lines, ""
            elif char in "\x7f\x08":
                line = line[:-1]
            elif char == NEWLINE or char == "\t" or char >= " ":
                line += char
    return lines, line
