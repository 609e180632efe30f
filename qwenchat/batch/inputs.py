"""Reading a batch input (pure): a text file of prompts, or JSONL of prompts or conversations.

Text: every non-blank line is a prompt; its id is its line number. JSONL: one object a line,
`{"id": …, "prompt": …}` or `{"id": …, "messages": […]}`, plus optional per-line parameters.
Every problem is collected with its line number, so all of them are reported before anything
is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from qwenchat.core.errors import UsageError
from qwenchat.core.request import RequestOptions, validate

Format = Literal["auto", "text", "jsonl"]

ROLES = frozenset({"system", "user", "assistant"})
NUMBERS = ("temperature", "top_p", "presence_penalty")
INTEGERS = ("max_tokens", "seed")
PARAMS = frozenset({"model", "system", "think", "stop", *NUMBERS, *INTEGERS})
FIELDS = frozenset({"id", "prompt", "messages", "attachments"}) | PARAMS
SHOWN_PROBLEMS = 5


@dataclass(frozen=True)
class Item:
    """One request of the batch: its id, the line it came from, its messages and parameters."""

    id: str
    line: int
    prompt: str | None = None
    messages: tuple[Mapping[str, Any], ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()  # paths (relative to the input's folder) or image URLs


class LineProblem(Exception):
    """One line's problem, to be reported with the others."""


def parse_input(text: str, *, name: str, fmt: Format = "auto") -> list[Item]:
    """Items in input order; UsageError naming every bad line (the first few of them)."""
    # "\n" only: str.splitlines would also split inside a prompt at U+2028, U+0085, \x1c…
    # and the ids of a text input would drift from the line numbers an editor shows
    lines = text.removeprefix("\ufeff").split("\n")
    return list(checked_items(lines, name=name, fmt=pick_format(fmt, name, lines)))


def pick_format(fmt: Format, name: str, lines: Iterable[str]) -> Literal["text", "jsonl"]:
    """The format asked for, or the one guessed from the name and the first non-blank line."""
    return guess_format(name, lines) if fmt == "auto" else fmt


def checked_items(
    lines: Iterable[str], *, name: str, fmt: Literal["text", "jsonl"]
) -> Iterator[Item]:
    """Each valid item as its line is read; at the end, UsageError naming every bad line.

    Only what the problems need is kept (ids already seen, the first few messages), so a
    long input can be checked as it streams past.
    """
    problems: list[str] = []
    count = 0
    seen: dict[str, int] = {}
    any_item = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = _parse_line(line, number) if fmt == "jsonl" else _text_item(line, number)
            if fmt == "jsonl" and item.id in seen:
                raise LineProblem(f"id {item.id!r} is already used on line {seen[item.id]}")
        except LineProblem as exc:
            count += 1
            if len(problems) < SHOWN_PROBLEMS:
                problems.append(f"line {number}: {exc}")
            continue
        if fmt == "jsonl":
            seen[item.id] = number
        any_item = True
        yield item
    if count:
        raise invalid_lines(name, problems, count)
    if not any_item:
        raise UsageError(f"{name} holds no prompts")


def guess_format(name: str, lines: Iterable[str]) -> Literal["text", "jsonl"]:
    """By extension; otherwise JSONL when the first non-blank line is a JSON object."""
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lowered.endswith(".txt"):
        return "text"
    first = next((line for line in lines if line.strip()), "")
    try:
        return "jsonl" if isinstance(json.loads(first), dict) else "text"
    except (ValueError, RecursionError):
        return "text"


def invalid_lines(name: str, problems: list[str], total: int | None = None) -> UsageError:
    """One readable line for many problems (`total` of them when only the first are given)."""
    total = len(problems) if total is None else total
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = total - min(len(problems), SHOWN_PROBLEMS)
    suffix = f" (and {more} more)" if more > 0 else ""
    count = f"{total} invalid line{'s' if total != 1 else ''}"
    return UsageError(f"{name}: {count}, nothing was sent: {shown}{suffix}")


def _text_item(line: str, number: int) -> Item:
    return Item(id=str(number), line=number, prompt=line.strip())


def _parse_line(line: str, number: int) -> Item:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineProblem(f"not valid JSON ({exc.msg})") from None
    except ValueError:  # an integer past Python's digit limit
        raise LineProblem("a number has too many digits") from None
    except RecursionError:
        raise LineProblem("nested too deeply") from None
    if not isinstance(obj, dict):
        raise LineProblem("not a JSON object")
    unknown = sorted(set(obj) - FIELDS)
    if unknown:
        raise LineProblem(f"unknown field {unknown[0]!r}")
    item_id = _item_id(obj.get("id"), number)
    prompt, messages = obj.get("prompt"), obj.get("messages")
    if (prompt is None) == (messages is None):
        raise LineProblem('give exactly one of "prompt" or "messages"')
    if prompt is not None and (not isinstance(prompt, str) or not prompt.strip()):
        raise LineProblem('"prompt" must be a non-empty string')
    params = {k: obj[k] for k in PARAMS if obj.get(k) is not None}
    _check_params(params)
    checked = _messages(messages) if messages is not None else ()
    attached = _attachments(obj.get("attachments"), prompt)
    return Item(item_id, number, prompt, checked, params, attached)


def _attachments(value: Any, prompt: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise LineProblem('"attachments" must be a list of paths or URLs')
    if prompt is None:
        raise LineProblem('"attachments" go with "prompt", not with "messages"')
    return tuple(value)


def _item_id(value: Any, number: int) -> str:
    if value is None:
        return str(number)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise LineProblem('"id" must be a non-empty string or an integer')
    return str(value)


def _messages(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list) or not value:
        raise LineProblem('"messages" must be a non-empty list')
    for message in value:
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise LineProblem("each message needs a role: system, user or assistant")
        if not isinstance(message.get("content"), str):
            raise LineProblem("each message needs a string content")
    if value[-1]["role"] != "user":
        raise LineProblem("the last message must be the user's")
    return tuple(value)


def _check_params(params: Mapping[str, Any]) -> None:
    for name in ("model", "system"):
        if name in params and (not isinstance(params[name], str) or not params[name]):
            raise LineProblem(f'"{name}" must be a non-empty string')
    for name in (*NUMBERS, *INTEGERS):
        value = params.get(name)
        number_types = (int,) if name in INTEGERS else (int, float)
        if value is not None and (isinstance(value, bool) or not isinstance(value, number_types)):
            kind = "an integer" if name in INTEGERS else "a number"
            raise LineProblem(f'"{name}" must be {kind}')
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise LineProblem(f'"{name}" is out of range')
    if "think" in params and not isinstance(params["think"], bool):
        raise LineProblem('"think" must be true or false')
    stop = params.get("stop")
    if stop is not None and not (
        isinstance(stop, str) or (isinstance(stop, list) and all(isinstance(s, str) for s in stop))
    ):
        raise LineProblem('"stop" must be a string or a list of strings')
    stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
    ranged = {k: params[k] for k in (*NUMBERS, *INTEGERS) if k in params}
    try:
        validate(RequestOptions(**ranged, stop=stops))
    except UsageError as exc:
        raise LineProblem(exc.message.removeprefix("--")) from None
