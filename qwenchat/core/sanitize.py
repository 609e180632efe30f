"""Untrusted text made safe for a terminal: control sequences and control characters removed.

Model output (answer and reasoning) is printed to a terminal, so it must never carry escape
sequences through: a stray OSC 52 writes the clipboard, OSC 8 forges links, CSI moves the cursor
over earlier output. This module owns the one definition of "safe text":

* ESC-introduced sequences are removed whole: CSI (``ESC [`` params, final byte 0x40-0x7E),
  the string sequences OSC, DCS, SOS, PM and APC (``ESC ]``, ``ESC P``, ``ESC X``, ``ESC ^``,
  ``ESC _`` up to BEL, ST ``ESC \\`` or 8-bit ST), and all other ``ESC`` sequences
  (``ESC`` intermediates 0x20-0x2F, final 0x30-0x7E).
* 8-bit C1 controls U+0080-U+009F are removed; U+009B (CSI), U+009D (OSC), U+0090 (DCS),
  U+0098 (SOS), U+009E (PM) and U+009F (APC) take their parameters or payload with them.
* C0 controls other than ``\\n`` and ``\\t`` are removed, and DEL: ``\\r\\n`` becomes ``\\n``
  and a lone ``\\r`` disappears.
* Everything else (CJK, emoji, combining marks, U+2028) passes untouched.

A sequence cut short by an unexpected character (for example a newline inside CSI
parameters) is dropped up to that character, which is then kept or removed on its own terms.

Why a cap: a string sequence only swallows its payload when it is terminated within
``MAX_SEQUENCE`` (4096) characters. Without a terminator in that window, or before the end of
the stream, the introducer alone is removed and what follows is treated as ordinary text. So a
stray ``ESC ]`` holds text back for at most 4096 characters and never makes the rest of an
answer vanish; a real clipboard or title payload is far shorter than that. The same bound applies
to CSI parameters. ``sanitize`` and ``Sanitizer`` share one scanner, so any chunking of a text
gives exactly ``sanitize(text)``.
"""

from __future__ import annotations

import re

__all__ = ["MAX_SEQUENCE", "Sanitizer", "escape_c1", "sanitize"]

MAX_SEQUENCE = 4096

# Every character that needs attention; anything else is copied through.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CSI_PARAMS = re.compile("[\x20-\x3f]*")
_INTERMEDIATES = re.compile("[\x20-\x2f]*")
_STRING_END = re.compile("[\x07\x1b\x9c]")

_STRING_INTRODUCERS = frozenset("]PX^_")
_C1_CSI = "\x9b"
_C1_STRINGS = frozenset("\x90\x98\x9d\x9e\x9f")

# Each helper below looks at one control sequence and returns the index where scanning resumes
# (everything before it is dropped), or None when the buffer ends before the sequence can be
# judged and more text may still arrive.


def _bounded(start: int, end: int, length: int, final: bool, done: int) -> int | None:
    """Shared end-of-buffer and length-cap rules for a run of sequence bytes."""
    if end - start > MAX_SEQUENCE:
        return start  # absurdly long: drop the introducer, keep the rest as text
    if end == length:
        return end if final else None
    return done


def _run(pattern: re.Pattern[str], buf: str, start: int) -> int:
    """End of the run of ``pattern`` characters from ``start``, looking one past the cap."""
    match = pattern.match(buf, start, start + MAX_SEQUENCE + 1)
    return start if match is None else match.end()


def _csi(buf: str, body: int, final: bool) -> int | None:
    """CSI parameters and intermediates start at ``body``."""
    end = _run(_CSI_PARAMS, buf, body)
    is_final_byte = end < len(buf) and "\x40" <= buf[end] <= "\x7e"
    # Interrupted by another character: drop up to it, then judge it on its own.
    return _bounded(body, end, len(buf), final, end + 1 if is_final_byte else end)


def _nf(buf: str, body: int, final: bool) -> int | None:
    """``ESC`` intermediates (0x20-0x2F) then a final byte 0x30-0x7E, from ``body``."""
    end = _run(_INTERMEDIATES, buf, body)
    is_final_byte = end < len(buf) and "\x30" <= buf[end] <= "\x7e"
    return _bounded(body, end, len(buf), final, end + 1 if is_final_byte else end)


def _string(buf: str, body: int, final: bool) -> int | None:
    """OSC/DCS/SOS/PM/APC payload starts at ``body``."""
    found = _STRING_END.search(buf, body, body + MAX_SEQUENCE + 1)
    if found is None:
        if final or len(buf) > body + MAX_SEQUENCE:
            return body  # unterminated: drop the introducer only (see module docstring)
        return None
    end = found.start()
    if buf[end] != "\x1b":
        return end + 1  # BEL or 8-bit ST
    if end + 1 == len(buf) and not final:
        return None  # ST (ESC \\) or the start of the next sequence?
    if buf.startswith("\\", end + 1):
        return end + 2
    return end  # this ESC ends the string and begins a sequence of its own


def _escape(buf: str, at: int, final: bool) -> int | None:
    """An ESC at ``at``."""
    if at + 1 == len(buf):
        return at + 1 if final else None
    kind = buf[at + 1]
    if kind == "[":
        return _csi(buf, at + 2, final)
    if kind in _STRING_INTRODUCERS:
        return _string(buf, at + 2, final)
    if "\x20" <= kind <= "\x2f":
        return _nf(buf, at + 1, final)
    if "\x30" <= kind <= "\x7e":
        return at + 2
    return at + 1  # ESC before anything else: drop just the ESC


def _control(buf: str, at: int, final: bool) -> int | None:
    """Any control character at ``at``."""
    char = buf[at]
    if char == "\x1b":
        return _escape(buf, at, final)
    if char == _C1_CSI:
        return _csi(buf, at + 1, final)
    if char in _C1_STRINGS:
        return _string(buf, at + 1, final)
    return at + 1


def _scan(buf: str, final: bool) -> tuple[str, int]:
    """Safe text of ``buf`` and how much of it was consumed (the rest awaits more input)."""
    out: list[str] = []
    pos = 0
    while True:
        found = _CONTROL.search(buf, pos)
        if found is None:
            out.append(buf[pos:])
            return "".join(out), len(buf)
        at = found.start()
        out.append(buf[pos:at])
        resume = _control(buf, at, final)
        if resume is None:
            return "".join(out), at
        pos = resume


def sanitize(text: str) -> str:
    """Return ``text`` without terminal control sequences or control characters."""
    if _CONTROL.search(text) is None:
        return text
    return _scan(text, final=True)[0]


class Sanitizer:
    """Streaming ``sanitize``: a sequence split across chunks is still removed.

    ``"".join(feed(c) for c in chunks) + flush() == sanitize("".join(chunks))`` for any chunking.
    Only an incomplete sequence is held back, at most ``MAX_SEQUENCE`` characters of it.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        """Return the safe text that can be emitted now."""
        if not self._held and _CONTROL.search(text) is None:
            return text
        buf = self._held + text
        safe, consumed = _scan(buf, final=False)
        self._held = buf[consumed:]
        return safe

    def flush(self) -> str:
        """End of stream: drop any unterminated sequence and return what is safe."""
        held, self._held = self._held, ""
        return _scan(held, final=True)[0] if held else ""


_C1 = re.compile("[\x80-\x9f]")


def escape_c1(json_text: str) -> str:
    """JSON text with the C1 controls `json.dumps(ensure_ascii=False)` leaves raw escaped
    (`\\u009b`): JSON reads them back the same, and a terminal never sees them raw."""
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
