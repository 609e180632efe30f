"""Saved conversations as text (pure): the `sessions` listing, a transcript, Markdown and JSON.

Markdown puts each answer's reasoning in a collapsible `<details>` block, so the
export reads like the chat while keeping everything that was said.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import asdict
from typing import Any

from qwenchat.core.attachments import Attachment
from qwenchat.core.conversation import Turn
from qwenchat.core.fences import close_fences
from qwenchat.core.plural import plural
from qwenchat.store.database import Summary, TurnRecord

TITLE_WIDTH = 40


def when(stamp: str) -> str:
    """An ISO time as `YYYY-MM-DD HH:MM` (UTC)."""
    return stamp[:16].replace("T", " ")


def table(summaries: list[Summary]) -> str:
    """The `sessions list` table: id, name, title, turns, model, last used."""
    if not summaries:
        return "no saved conversations"
    header = ("ID", "NAME", "TITLE", "TURNS", "MODEL", "LAST USED (UTC)")
    rows = [header] + [
        (
            str(s.id),
            s.name or "-",
            _clip(s.title or "(untitled)", TITLE_WIDTH),
            str(s.turns),
            s.model or "-",
            when(s.updated),
        )
        for s in summaries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _heading(summary: Summary) -> list[str]:
    name = f" ({summary.name})" if summary.name else ""
    parent = f", forked from #{summary.parent_id}" if summary.parent_id else ""
    return [
        f"# {summary.title or '(untitled)'}{name}",
        "",
        f"Conversation #{summary.id}{parent}: {plural(summary.turns, 'turn')}, "
        f"{when(summary.created)} to {when(summary.updated)} UTC.",
    ]


def _status(record: TurnRecord) -> str:
    turn = record.turn
    parts = [turn.model or "?", when(record.time)]
    if not turn.complete:
        parts.append(turn.outcome)
    elif turn.finish_reason not in (None, "stop"):
        parts.append(f"finish: {turn.finish_reason}")
    if record.cached:
        parts.append("cached")
    return " · ".join(parts)


def transcript(summary: Summary, records: list[TurnRecord]) -> str:
    """`sessions show`: who said what, plainly."""
    lines = _heading(summary)
    for number, record in enumerate(records, 1):
        turn = record.turn
        lines += [
            "",
            f"--- {number}. you",
            turn.user,
            *_attached(turn),
            "",
            f"--- {_status(record)}",
        ]
        if turn.reasoning:
            lines += ["(reasoning)", turn.reasoning, "(answer)"]
        lines.append(turn.answer)
    return "\n".join(lines) + "\n"


def markdown(summary: Summary, records: list[TurnRecord]) -> str:
    """`sessions export --format md`."""
    lines = _heading(summary)
    system = records[0].system if records else None
    if system:
        lines += ["", "**System:**", "", _quote(system)]
    for number, record in enumerate(records, 1):
        turn = record.turn
        # a fence left open (an answer cut short) would make the rest of the file code
        lines += ["", f"## {number}. You", "", close_fences(turn.user), *_attached(turn)]
        lines += ["", f"### {_status(record)}", ""]
        if turn.reasoning:
            # a literal </details> in the reasoning would close the block early
            reasoning = close_fences(turn.reasoning.replace("</details>", "&lt;/details>"))
            lines += ["<details><summary>Reasoning</summary>", "", reasoning, "", "</details>", ""]
        lines.append(close_fences(turn.answer))
    return "\n".join(lines) + "\n"


def document(
    summary: Summary, records: list[TurnRecord], *, with_attachments: bool = False
) -> dict[str, Any]:
    """`sessions export --format json`: the conversation and every turn, usage included.

    Attachments are named with their size and hash; `with_attachments` adds their bytes (base64).
    """
    turns = []
    for record in records:
        turn = record.turn
        turns.append(
            {
                "time": record.time,
                "model": turn.model,
                "base_url": record.base_url,
                "region": record.region,
                "system": record.system,
                "think": record.think,
                "user": turn.user,
                "answer": turn.answer,
                "reasoning": turn.reasoning,
                "finish_reason": turn.finish_reason,
                "outcome": turn.outcome,
                "usage": asdict(turn.usage) if turn.usage else None,
                "cached": record.cached,
                "attachments": [_described(a, with_attachments) for a in turn.attachments],
            }
        )
    return {**asdict(summary), "turns": turns}


def _attached(turn: Turn) -> list[str]:
    return [f"[attached: {a.label()}]" for a in turn.attachments]


def _described(item: Attachment, with_data: bool) -> dict[str, Any]:
    described: dict[str, Any] = {"name": item.name, "kind": item.kind}
    if item.kind == "url":
        return {**described, "url": item.url}
    described.update(mime=item.mime, size=item.size, sha256=item.digest)
    if item.width:
        described.update(width=item.width, height=item.height)
    if with_data:
        described["base64"] = base64.b64encode(item.data).decode("ascii")
    return described


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.split("\n"))


def json_text(value: Any) -> str:
    """JSON with every control character escaped: C0 (`\\u001b`) as json does, DEL and C1 too,
    so a saved answer's escape sequences stay data and never reach a terminal."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_C1 = re.compile("[\x7f-\x9f]")


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
