"""What the page's API answers: the models, the conversations in the store, a question parsed.

Each function takes the parsed request and returns plain JSON-ready data; `server.py` does the
HTTP. Conversations come from the same store as `ask`, the chat and `sessions`. Text from the
store (a model's old answers, names) passes `core.sanitize` on the way out.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from qwenchat.core.attachments import Attachment, AttachmentError, from_bytes
from qwenchat.core.catalogue import merged_names
from qwenchat.core.cost import Cost, cost_text, money
from qwenchat.core.errors import UsageError
from qwenchat.core.sanitize import sanitize
from qwenchat.core.settings import Settings
from qwenchat.store.database import Store, Summary, TurnRecord
from qwenchat.web.turns import PageQuestion

MAX_ATTACHMENTS = 8
GROUPS = {
    "both": "Known and served",
    "catalogue": "Known to qwenchat",
    "server": "Listed by the server",
}


@dataclass
class Site:
    """What every request of one launch shares: the settings, the roles, the server's models."""

    settings: Settings
    roles: tuple[dict[str, str | None], ...] = ()
    served: list[str] | None = None
    served_error: str | None = None
    running: dict[str, Any] = field(default_factory=dict)  # turn id → its view (for Stop)


def state(site: Site) -> dict[str, Any]:
    """Everything the page needs to start: the models grouped, the defaults, the roles."""
    settings = site.settings
    return {
        "models": models(site),
        "model": settings.model,
        "system": sanitize(settings.system or ""),
        "roles": list(site.roles),
        "models_note": site.served_error and sanitize(site.served_error),
        "key": bool(settings.api_key),
    }


def models(site: Site) -> list[dict[str, Any]]:
    """The catalogue merged with the server's list, each with its group and what it can do."""
    catalogue = site.settings.catalogue
    served = set(site.served or ())
    rows = []
    for name in merged_names(catalogue, site.served or ()):
        known = name in catalogue.names
        listed = "both" if known and name in served else ("catalogue" if known else "server")
        info = catalogue.lookup(name)
        rows.append(
            {
                "name": sanitize(name), "group": GROUPS[listed], "thinking": info.thinking,
                "thinking_default": info.thinking_default, "vision": bool(info.vision),
                "max_output": info.max_output,
            }
        )  # fmt: skip
    return rows


def conversations(store: Store) -> list[dict[str, Any]]:
    """Every saved conversation, the latest first."""
    return [_summary(s) for s in store.summaries()]


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "id": summary.id, "name": sanitize(summary.name or ""),
        "title": sanitize(summary.title), "source": summary.source,
        "updated": summary.updated, "turns": summary.turns, "model": summary.model,
    }  # fmt: skip


def conversation(store: Store, conversation_id: int) -> dict[str, Any]:
    """One conversation's turns, each with its cost, and the conversation's total."""
    found = store.resolve(str(conversation_id))
    records = store.records(found.id)
    stored = store.conversation(found.id)
    return {
        **_summary(found),
        "system": sanitize(stored.system or ""),
        "turns": [_turn(r) for r in records],
        "total": totals(records),
    }


def totals(records: list[TurnRecord]) -> str:
    """The conversation so far: `1,204 in · 310 out · ¥0.0042` (the cost when known)."""
    prompt = sum((r.turn.usage.prompt_tokens or 0) for r in records if r.turn.usage)
    completion = sum((r.turn.usage.completion_tokens or 0) for r in records if r.turn.usage)
    cost = total_cost([r.cost for r in records])
    return f"{prompt:,} in · {completion:,} out" + (f" · {cost}" if cost else "")


def _turn(record: TurnRecord) -> dict[str, Any]:
    turn = record.turn
    return {
        "user": sanitize(turn.user), "answer": sanitize(turn.answer),
        "reasoning": sanitize(turn.reasoning), "model": sanitize(turn.model),
        "status": {"ok": "finished", "interrupted": "stopped"}.get(turn.outcome, "error"),
        "attachments": [sanitize(a.label()) for a in turn.attachments],
        "usage": _usage(record),
    }  # fmt: skip


def _usage(record: TurnRecord) -> str:
    """A saved answer's tokens and cost, as its usage line said them."""
    usage, parts = record.turn.usage, []
    if usage is None:
        parts.append("usage unknown")
    else:
        parts.append(f"{usage.prompt_tokens or 0:,} in · {usage.completion_tokens or 0:,} out")
        if usage.reasoning_tokens:
            parts.append(f"{usage.reasoning_tokens:,} reasoning")
    if record.cost is not None:
        parts.append(cost_text(record.cost))
    return " · ".join(parts)


def total_cost(costs: list[Cost | None]) -> str:
    """The conversation's cost so far: `¥0.0123`, `¥0.01 + $0.02`; `~` when partly estimated."""
    sums: dict[str, float] = defaultdict(float)
    estimated = unknown = False
    for cost in costs:
        if cost is None or cost.amount is None:
            unknown = unknown or cost is not None
            continue
        sums[cost.currency or ""] += cost.amount
        estimated = estimated or cost.estimated
    text = " + ".join(money(amount, currency or None) for currency, amount in sorted(sums.items()))
    if unknown:
        text = f"{text} + unknown" if text else "unknown"
    return ("~" if estimated and text else "") + text


def rename(store: Store, conversation_id: int, body: dict[str, Any]) -> dict[str, Any]:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UsageError("give the conversation a name")
    store.rename(conversation_id, name.strip())
    return {"ok": True}


def delete(store: Store, conversation_id: int) -> dict[str, Any]:
    store.delete(conversation_id)
    return {"ok": True}


def question(body: dict[str, Any], settings: Settings) -> PageQuestion:
    """The page's question, checked: a message, its choices, its attachments (as `-a` checks)."""
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise UsageError("type a message first")
    model = body.get("model") or settings.model
    if not isinstance(model, str):
        raise UsageError("the model must be a name")
    conversation_id = _optional(body, "conversation", int)
    return PageQuestion(
        conversation_id=conversation_id, text=text, model=model.strip(),
        think=_optional(body, "think", bool), max_tokens=_max_tokens(body),
        system=_optional(body, "system", str), attachments=_attachments(body.get("attachments")),
    )  # fmt: skip


def _optional(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise UsageError(f"{name} must be a {kind.__name__}")
    return value


def _max_tokens(body: dict[str, Any]) -> int | None:
    value = _optional(body, "max_tokens", int)
    if value is not None and value < 1:
        raise UsageError("max tokens must be at least 1")
    return value  # type: ignore[no-any-return]


def _attachments(items: Any) -> tuple[Attachment, ...]:
    """Each `{name, data}` (base64) through the same checks as `-a`."""
    if items is None:
        return ()
    if not isinstance(items, list) or len(items) > MAX_ATTACHMENTS:
        raise UsageError(f"attach at most {MAX_ATTACHMENTS} files at once")
    found = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else None
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(data, str):
            raise UsageError("an attachment needs a name and its data")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise AttachmentError(f"{sanitize(name)}: the file did not arrive whole") from None
        found.append(from_bytes(sanitize(name)[:200] or "file", raw))
    return tuple(found)
