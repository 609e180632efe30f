"""Misspelled keys in config.toml: each unknown key named, with the nearest valid one (pure).

An unknown key is otherwise silently ignored, so `modle = "qwen-max"` would leave the default
model in place without a word. Checked: the top level, each `[profiles.NAME]` and each
`[roles.NAME]` table (`[models."…"]` tables are checked where they are read).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from qwenchat.core.settings import CONFIG_KEYS, PROFILE_KEY_FIELDS, PROFILE_KEYS

TABLES = frozenset({"models", "profiles", "roles", "mcp"})  # [mcp.NAME]: checked in qwenchat.mcp
TOP_LEVEL = CONFIG_KEYS | TABLES
PROFILE = PROFILE_KEYS | PROFILE_KEY_FIELDS
ROLE_KEYS = frozenset(
    {"system", "model", "temperature", "top_p", "max_tokens", "presence_penalty", "seed", "think"}
)


def config_warnings(config: Mapping[str, Any], where: str) -> list[str]:
    """One line per unknown key: `where: unknown key 'modle' (did you mean 'model'?)`."""
    found = _unknown(config, TOP_LEVEL, where, "")
    for table, valid in (("profiles", PROFILE), ("roles", ROLE_KEYS)):
        entries = config.get(table)
        for name, entry in entries.items() if isinstance(entries, Mapping) else ():
            if isinstance(entry, Mapping):
                found += _unknown(entry, valid, where, f"[{table}.{name}] ")
    return found


def _unknown(table: Mapping[str, Any], valid: Iterable[str], where: str, prefix: str) -> list[str]:
    names = sorted(valid)
    lines = []
    for key in table:
        if key in names:
            continue
        near = difflib.get_close_matches(key, names, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        lines.append(f"{where}: {prefix}unknown key '{key}'{hint}; it is ignored")
    return lines
