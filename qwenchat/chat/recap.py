"""What a resumed conversation was about (`-c`, `--session`, `/resume`): its title and its last
few turns, as Markdown pieces that the chat renders one by one (`render.chat_view.PIECE_BREAK`
between them), so nothing in one turn can swallow the next.

A long answer is cut at a block boundary: the blocks (a paragraph, a list, a code block, a
table) that fit whole in RECAP_CHARS and RECAP_LINES are kept, then the first lines of the next
one (a code block's fence is closed after them, a table keeps its header), never a part of a
line but for the first words of an answer that is one long paragraph. A fence
left open, by the cut or by an answer that was interrupted, is closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from qwenchat.core.conversation import Turn
from qwenchat.core.fences import close_fences, open_fence
from qwenchat.core.plural import plural
from qwenchat.render.chat_view import PIECE_BREAK
from qwenchat.render.mdblocks import split_blocks
from qwenchat.store.database import Summary

RECAP_TURNS = 3
RECAP_CHARS = 300
RECAP_LINES = 12
MORE = "*…*"


def recap(summary: Summary, turns: Sequence[Turn]) -> str:
    """The title line, then one piece per recent turn: what the user said, and the answer."""
    label = f"#{summary.id}" + (f" {summary.name}" if summary.name else "")
    title = escaped(summary.title or "(untitled)")
    head = f"*resumed {label}: {title} · {plural(len(turns), 'turn')}*"
    if len(turns) > RECAP_TURNS:
        head += f"\n\n*… {plural(len(turns) - RECAP_TURNS, 'earlier turn')}*"
    return PIECE_BREAK.join([head, *(_turn(turn) for turn in turns[-RECAP_TURNS:])])


def _turn(turn: Turn) -> str:
    mark = "" if turn.complete else f" *[{turn.outcome}]*"
    said = f"**you:** {escaped(_flat(turn.user))}"
    answer = shortened(turn.answer.replace(PIECE_BREAK, ""))
    return f"{said}\n\n**{escaped(turn.model or 'qwen')}:**{mark}\n\n{answer}"


def shortened(answer: str, limit: int = RECAP_CHARS) -> str:
    """The whole blocks of `answer` that fit in `limit` characters, then the first lines of the
    next one when some fit (the first block's first words at least); fences closed; "…" after."""
    blocks = split_blocks(answer)
    kept: list[str] = []
    for block in blocks:
        room = limit - sum(map(len, kept))
        lines = RECAP_LINES - sum(k.count("\n") for k in kept)
        if len(block.rstrip("\n")) <= room and block.rstrip("\n").count("\n") < lines:
            kept.append(block)
            continue
        part = _first_lines(block, room, lines, at_least=not kept)
        if part:
            kept.append(part)
        break
    text = "".join(kept).rstrip("\n")
    cut = text != answer.rstrip("\n")
    text = close_fences(text)
    return f"{text}\n\n{MORE}" if cut else text


def _first_lines(block: str, room: int, most: int, *, at_least: bool) -> str:
    """The first lines of a block too long to keep whole: at least two (a fence and its first
    line, a table's header and delimiter row), or, when `at_least`, the first words."""
    lines = block.rstrip("\n").split("\n")
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) > room or len(kept) + 1 >= most:
            break
        kept.append(line)
    if len(kept) >= 2:
        return "\n".join(kept)
    if not at_least:
        return ""
    if lines[0].startswith("|") or open_fence(lines[0]):
        return "\n".join(lines[:2])
    head = lines[0][:room]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"


def _flat(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= RECAP_CHARS else flat[: RECAP_CHARS - 1] + "…"


def escaped(text: str) -> str:
    """Plain text that Markdown shows as written."""
    return "".join("\\" + char if char in "\\`*_[]<>#|~" else char for char in text)
