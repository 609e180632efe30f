"""Text from outside shown or kept as one visible line: what it hides is found or escaped (pure).

`sanitize` removes control sequences from text that is printed; a *name* (a session's, a file's
on the server, a completion value) must instead stay one line that means what it shows: a
newline would forge a second row, a bidi override (U+202E) or a zero-width character would
make two different names look alike. These are refused where a name is given, and escaped
(`\\n`, `\\x1b`, `\\u202e`) where one from outside is only listed.
"""

from __future__ import annotations

import unicodedata

# Control (C0, C1, DEL), format (bidi overrides, zero-width), line and paragraph separators,
# and the blank fillers that show as nothing. Unlike a shell command (`core.shell_command`),
# a name is one line: `\n` and `\t` are hidden characters here too.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


def _hidden(char: str, keep: str = "") -> bool:
    return char not in keep and (unicodedata.category(char) in HIDDEN_CATEGORIES or char in FILLERS)


def hidden_character(text: str) -> str | None:
    """The first character of `text` that does not show as itself on one line, or None."""
    found = first_hidden(text)
    return found[1] if found else None


def first_hidden(text: str, keep: str = "") -> tuple[int, str] | None:
    """Where the first hidden character of `text` is (those in `keep` allowed), and which."""
    return next(((i, c) for i, c in enumerate(text) if _hidden(c, keep)), None)


def escaped(value: object, limit: int = 80) -> str:
    """A value as one printable line: hidden characters escaped, cut at `limit` characters."""
    text = escape_hidden(value if isinstance(value, str) else repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_hidden(text: str, keep: str = "") -> str:
    """`text` whole, each hidden character (but those in `keep`) escaped: `\\x1b`, `\\u202e`."""
    if first_hidden(text, keep) is None:
        return text
    return "".join(_escape(c) if _hidden(c, keep) else c for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char)
    if named:
        return named
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )
