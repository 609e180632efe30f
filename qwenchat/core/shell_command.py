"""The `shell` role's vetting: is a reply exactly one shell command the user can see whole?

What is offered to run is the reply itself, byte for byte: nothing is taken out of it first
(no escape sequence removed, no code fence or Markdown stripped), so what the user approves is
what runs. A reply that cannot be shown as it is — a control character, an escape sequence, a
bidi override or zero-width character, more rows than the screen has — is refused with the
reason, and shown escaped (`\\x1b`) so the user sees why. A reply that is not one command
(several commands, Markdown, prose, an unclosed quote) is refused too. Only a leading `$ `
prompt is taken off, and the command shown is then the one that runs.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass

from qwenchat.core.visible import escape_hidden, first_hidden

MAX_CHARS = 2_000  # a command longer than this is not read before it is approved
MAX_BLANKS = 16  # a run of spaces this long can push part of a command out of sight
SPARE_ROWS = 6  # rows the offer itself takes besides the command (rules, question, context)

SHOWN = "\t\n"  # the only characters below U+0020 a command may hold: they show as what they are
_FENCE = re.compile(r"^\s*(```|~~~)")
_MARKDOWN_LINE = re.compile(r"^\s*(#{1,6}\s|[-*+]\s+\S|>\s|\d+\.\s+[A-Za-z])")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_CONTINUATION = re.compile(r"(?<!\\)\\\n")
_PROSE_END = ".!?:。！？："  # a sentence, not a command
_OPENERS = frozenset({"if", "for", "while", "until", "case", "select", "{", "("})
_CLOSERS = frozenset({"fi", "done", "esac", "}", ")"})
_JOINERS = frozenset({"|", "||", "&&", "|&", "\n", ";", "&", "do", "then", "else", "elif", "in"})
_CONTINUES = frozenset({"|", "||", "&&", "|&"})  # a line ending so goes on on the next


@dataclass(frozen=True)
class Offer:
    """One command, shown and run as it is."""

    command: str


@dataclass(frozen=True)
class Refusal:
    """Why the reply is not offered, and the reply as it can be shown (escaped)."""

    reason: str
    shown: str


def vet(answer: str, *, columns: int = 80, rows: int = 24) -> Offer | Refusal:
    """The command to offer, or why there is none, for a screen of `columns` x `rows`."""
    text = answer.strip(" \t\n")
    if not text:
        return Refusal("the reply is empty", "")
    hidden = first_hidden(text, keep=SHOWN)
    if hidden is not None:
        index, char = hidden
        return Refusal(
            f"the reply holds {_name(char)} ({escaped(char)} at character {index + 1}), "
            "which the screen would not show as the shell reads it",
            escaped(text),
        )
    text = text[2:].lstrip(" ") if text.startswith("$ ") else text
    reason = _not_one_command(text) or _not_shown_whole(text, columns, rows)
    return Refusal(reason, text) if reason else Offer(text)


def escaped(text: str) -> str:
    """`text` with every character the screen would not show as itself written as `\\x1b`,
    `\\u202e` (tabs and newlines kept): nothing of it can act on the terminal."""
    return escape_hidden(text, keep=SHOWN)


def _name(char: str) -> str:
    code = ord(char)
    if char == "\x1b":
        return "an escape sequence"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "a control character"
    if unicodedata.bidirectional(char) in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI"):
        return "a bidi override"
    if unicodedata.category(char) == "Cs":
        return "a lone surrogate"
    return "an invisible character"


def _not_one_command(text: str) -> str | None:
    lines = text.split("\n")
    if any(_FENCE.match(line) for line in lines):
        return "the reply is Markdown (a code fence), not one command"
    if len(text) > 1 and text[0] == text[-1] == "`" and "`" not in text[1:-1]:
        return "the reply is Markdown (inline code in backticks), not one command"
    if any(_MARKDOWN_LINE.match(line) for line in lines):
        return "the reply is Markdown (a heading, list or quote), not one command"
    if len(lines) == 1 and _is_prose(text):
        return "the reply reads as prose, not a command"
    try:
        count = _commands(_without_heredoc_bodies(lines))
    except ValueError as exc:
        return f"the reply is not a complete command ({exc})"
    if count > 1:
        return f"the reply is {count} commands on {len(lines)} lines, not one command"
    return None


def _is_prose(line: str) -> bool:
    """A sentence: it ends as one, and its words are words, not options, paths or pipes."""
    words = line.split()
    if not words[0].isascii() or words[0].endswith((",", ":")):
        return True
    if len(words) < 3 or line[-1] not in _PROSE_END:
        return False
    return not any(ch in line for ch in "|&;<>$`=/\\*~") and not any(
        w.startswith("-") for w in words
    )


def _without_heredoc_bodies(lines: list[str]) -> str:
    """The text with here-document bodies left out (their lines are data, not commands)."""
    kept: list[str] = []
    until: str | None = None
    for line in lines:
        if until is not None:
            if line.strip() == until:
                until = None
            continue
        kept.append(line)
        found = _HEREDOC.search(line)
        until = found.group(2) if found else None
    if until is not None:
        raise ValueError(f"the here-document {until} never ends")
    return "\n".join(kept)


def _commands(text: str) -> int:
    """How many commands the text holds at its top level (newlines ending them)."""
    text = _CONTINUATION.sub(" ", text)  # a backslash-newline joins two lines into one
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace = " \t\r"
    lexer.commenters = ""
    lexer.wordchars += "#"
    try:
        tokens = list(lexer)
    except ValueError as exc:
        raise ValueError(str(exc).lower()) from None
    count, depth, previous, ended, comment = 1, 0, "\n", False, False
    for token in tokens:
        if comment and token != "\n":
            continue
        comment = False
        if token.startswith("#"):
            comment = True
            continue
        if token == "\n":
            ended = ended or (depth == 0 and previous not in _CONTINUES and previous != "\n")
            previous = "\n" if previous not in _CONTINUES else previous
            continue
        if ended:
            count, ended = count + 1, False
        if previous in _JOINERS and token in _OPENERS:
            depth += 1
        elif token in _CLOSERS and depth > 0:
            depth -= 1
        previous = token
    return count


def _not_shown_whole(text: str, columns: int, rows: int) -> str | None:
    if len(text) > MAX_CHARS:
        return (
            f"the command is {len(text):,} characters, too long to read before running it "
            f"(at most {MAX_CHARS:,})"
        )
    blanks = max((len(run) for run in re.findall(r"[ \t]+", text)), default=0)
    if blanks > MAX_BLANKS:
        return f"the command holds a run of {blanks} spaces that can hide part of it"
    needed = sum(max(1, -(-_width(line) // max(columns, 1))) for line in text.split("\n"))
    room = max(rows - SPARE_ROWS, 1)
    if needed > room:
        return f"the command takes {needed} rows, more than the screen shows at once ({room})"
    return None


def _width(line: str) -> int:
    """Display cells: wide (CJK) characters count two, a tab up to eight."""
    cells = 0
    for char in line:
        if char == "\t":
            cells += 8 - cells % 8
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            cells += 2
        elif not unicodedata.combining(char):
            cells += 1
    return cells
