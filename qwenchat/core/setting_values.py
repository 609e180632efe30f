"""Single setting values checked and converted: numbers, limits and lists (pure).

Each takes the raw value and where it came from, and raises a one-line error naming both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from qwenchat.core.errors import ConfigError, UsageError
from qwenchat.core.provenance import Source

MAX_RETRIES = 10


def context_window(value: Any, sources: Mapping[str, Source]) -> int | None:
    if value is None:
        return None
    try:
        tokens = int(value)
    except (TypeError, ValueError):
        tokens = 0
    if tokens < 1:
        raise ConfigError(
            f"context_window must be a positive number of tokens, got {value!r} "
            f"(from {sources.get('context_window')})"
        )
    return tokens


def tool_rounds(value: Any, sources: Mapping[str, Source]) -> int:
    """The tool-round limit: a whole number from 1 to 100."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 100:
        raise UsageError(
            f"tool rounds must be a whole number from 1 to 100, got {value!r} "
            f"(from {sources.get('tool_rounds', 'default')})"
        )
    return number


def names(value: Any) -> tuple[str, ...]:
    """A list of names from the config file, or comma-separated from the environment."""
    if isinstance(value, str):
        items: Any = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise ConfigError(f"approved_tools must be a list of tool names, got {value!r}")
    return tuple(str(item).strip() for item in items if str(item).strip())


def max_time(value: Any, source: Source | None) -> float | None:
    """`max_time`: the same rules as a timeout; unset means no overall deadline."""
    if value is None:
        return None
    return timeout_seconds(value, source, name="max_time")


def timeout_seconds(value: Any, source: Source | None, *, name: str = "timeout") -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(
            f"{name} must be a number of seconds, got {value!r} (from {source})"
        ) from None
    if not math.isfinite(number):
        raise UsageError(
            f"{name} must be a finite number of seconds, got {value!r} (from {source})"
        )
    if number <= 0:
        raise UsageError(f"{name} must be positive, got {value!r} (from {source})")
    return number


def retries(value: Any, source: Source | None) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if not 0 <= number <= MAX_RETRIES:
        raise UsageError(
            f"retries must be a whole number from 0 to {MAX_RETRIES}, got {value!r} (from {source})"
        )
    return number


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def switch(value: Any, name: str, source: Source | None) -> bool:
    """An on/off setting: a TOML boolean, or true/false, yes/no, on/off, 1/0 as text."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ConfigError(f"{name} must be true or false, got {value!r} (from {source})")
