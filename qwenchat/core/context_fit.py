"""The context fit (pure): how many tokens a history costs and what to leave out.

Estimates are character based (about 3.5 ASCII characters or 1 other character
per token, a little on the generous side for Qwen's tokenizer), then scaled by a
ratio learned from the server's own `usage.prompt_tokens` for earlier turns.
Trimming drops the oldest exchanges; the system prompt and the newest user
message are never dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from qwenchat.core.attachments import data_url_tokens
from qwenchat.core.conversation import Conversation
from qwenchat.core.model_info import ModelInfo

DEFAULT_WINDOW = 32768  # for models the catalogue does not know: the smallest Qwen window
OUTPUT_RESERVE = 2048  # room kept for the answer when --max-tokens is not given
MESSAGE_OVERHEAD = 4  # role and framing tokens per message
ASCII_PER_TOKEN = 3.5
CALIBRATION_TURNS = 3
RATIO_BOUNDS = (0.25, 4.0)
RETRY_MARGIN = 1.1

_RANGE = re.compile(r"Range of input length should be \[\s*1\s*,\s*(\d+)\s*\]", re.IGNORECASE)

Message = dict[str, Any]


def context_window(info: ModelInfo, override: int | None = None) -> int:
    """The model's context window in tokens: the configured value, the catalogue's, or a default.

    `info` is the model's entry in the settings' catalogue, so `[models."X"]` overrides count.
    """
    if override:
        return override
    return info.context_window or DEFAULT_WINDOW


def input_limit(window: int, max_tokens: int | None = None) -> int:
    """Tokens the history may use: the window less room for the answer."""
    reserve = min(max_tokens or OUTPUT_RESERVE, window // 4)
    return max(1, window - reserve)


def text_tokens(text: str) -> int:
    ascii_chars = len(text.encode("ascii", "ignore"))
    return math.ceil(ascii_chars / ASCII_PER_TOKEN + (len(text) - ascii_chars))


def message_tokens(message: Message) -> int:
    content = message.get("content")
    if isinstance(content, list):
        return sum(_part_tokens(p) for p in content) + MESSAGE_OVERHEAD
    text = content if isinstance(content, str) else str(content or "")
    return text_tokens(text) + MESSAGE_OVERHEAD


def _part_tokens(part: Any) -> int:
    """A content part: its text, or what Qwen-VL charges for the image (core.attachments)."""
    if isinstance(part, dict) and part.get("type") == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else None
        return data_url_tokens(url if isinstance(url, str) else "")
    if isinstance(part, dict) and isinstance(part.get("text"), str):
        return text_tokens(part["text"])
    return text_tokens(str(part))


def estimate(messages: Sequence[Message], ratio: float = 1.0) -> int:
    """The calibrated token estimate of a list of wire messages."""
    return math.ceil(sum(message_tokens(m) for m in messages) * ratio)


def calibration(conversation: Conversation) -> float:
    """Actual over estimated prompt tokens for the latest turns that reported usage.

    The largest recent ratio wins, so the estimate errs towards trimming early.
    """
    ratios: list[float] = []
    for index in range(len(conversation.turns) - 1, -1, -1):
        turn = conversation.turns[index]
        if turn.usage is None or not turn.usage.prompt_tokens:
            continue
        earlier = Conversation(system=conversation.system, turns=conversation.turns[:index])
        ratios.append(turn.usage.prompt_tokens / estimate(earlier.to_wire(turn.user)))
        if len(ratios) == CALIBRATION_TURNS:
            break
    if not ratios:
        return 1.0
    low, high = RATIO_BOUNDS
    return min(high, max(low, max(ratios)))


def fit(
    messages: Sequence[Message], *, limit: int, ratio: float = 1.0
) -> tuple[list[Message], int]:
    """Drop the oldest exchanges until the estimate fits `limit`; (messages, turns dropped).

    The leading system message and the newest user message, with the tool calls and
    results that follow it in this turn, stay whatever their size; an exchange is dropped
    whole (everything up to the next user message).
    """
    head = list(messages[:1]) if messages and messages[0].get("role") == "system" else []
    users = [i for i in range(len(head), len(messages)) if messages[i].get("role") == "user"]
    cut = users[-1] if users else max(len(head), len(messages) - 1)
    middle = list(messages[len(head) : cut])
    last = list(messages[cut:])
    costs = [message_tokens(m) for m in middle]
    fixed = sum(message_tokens(m) for m in head + last)
    start, dropped = 0, 0
    while start < len(middle) and math.ceil((fixed + sum(costs[start:])) * ratio) > limit:
        start += 1
        while start < len(middle) and middle[start].get("role") != "user":
            start += 1
        dropped += 1
    return head + middle[start:] + last, dropped


def range_limit(message: str) -> int | None:
    """N from DashScope's `Range of input length should be [1, N]`, if that is the message."""
    found = _RANGE.search(message)
    return int(found.group(1)) if found else None


def refit(
    messages: Sequence[Message], *, limit: int, ratio: float = 1.0
) -> tuple[list[Message], int]:
    """Trim again after the server said the input exceeds `limit` tokens.

    The rejected request cost more than `limit`, so the ratio is raised until
    its estimate does too (plus a margin) before fitting.
    """
    sent = estimate(messages, ratio)
    if sent <= limit:
        ratio *= (limit + 1) / max(1, sent)
    return fit(messages, limit=limit, ratio=ratio * RETRY_MARGIN)


def left_out(count: int) -> str:
    """`the oldest turn` or `the 3 oldest turns`."""
    return "the oldest turn" if count == 1 else f"the {count} oldest turns"


def too_long_hint(messages: Sequence[Message], limit: int, ratio: float = 1.0) -> str:
    """Why a request with nothing left to trim is still over `limit` tokens, in plain words."""
    head = messages[:1] if messages and messages[0].get("role") == "system" else []
    rest = messages[len(head) :]
    newest = rest[:1]
    if len(rest) == 1 and (not head or estimate(newest, ratio) > limit):
        return f"the message alone is longer than the model's {limit:,}-token input; shorten it"
    if len(rest) == 1:
        return (
            f"the system prompt and the message together are longer than the model's "
            f"{limit:,}-token input; shorten one of them"
        )
    return (
        f"the message and this turn's tool results are longer than the model's "
        f"{limit:,}-token input"
    )
