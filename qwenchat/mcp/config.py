"""MCP servers as configured: `[mcp.NAME]` tables in `config.toml`, and nowhere else.

A stdio server names a `command` (with `args`, `env`, `cwd`); a Streamable HTTP server names
a `url` (with `headers`). `${VAR}` in `env`, `headers` and `url` is taken from the real
environment — never from a `.env` file, which can no more add a server than it can move the
key. A server's identity (its command line or URL, as written) is what an "always" answer is
tied to. Nothing here imports the MCP SDK.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qwenchat.core.errors import ConfigError
from qwenchat.core.settings import Settings

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
STDIO_KEYS = frozenset({"command", "args", "env", "cwd"})
HTTP_KEYS = frozenset({"url", "headers"})
COMMON_KEYS = frozenset({"startup_timeout", "timeout", "max_result_chars"})
KEYS = STDIO_KEYS | HTTP_KEYS | COMMON_KEYS
DEFAULT_STARTUP = 30.0  # seconds a server may take to start and list its tools
DEFAULT_TIMEOUT = 60.0  # seconds one call may take
DEFAULT_RESULT_CHARS = 16_000
# what a stdio server inherits from qwenchat's environment (the SDK adds LOGNAME, SHELL,
# TERM and USER); anything else only when its `env` table names it
INHERITED = ("PATH", "HOME", "LANG")


@dataclass(frozen=True)
class ServerConfig:
    """One `[mcp.NAME]` table, checked; `${VAR}` not yet expanded (see `expanded`)."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    startup_timeout: float = DEFAULT_STARTUP
    timeout: float = DEFAULT_TIMEOUT
    max_result_chars: int = DEFAULT_RESULT_CHARS

    @property
    def transport(self) -> str:
        return "stdio" if self.command is not None else "http"

    @property
    def identity(self) -> str:
        """The command line or the URL as written: what consent answers are tied to."""
        if self.command is not None:
            return " ".join([self.command, *self.args])
        return str(self.url)

    def child_environment(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """A stdio server's environment: PATH, HOME, LANG and what its `env` names."""
        source = os.environ if environ is None else environ
        base = {k: source[k] for k in INHERITED if k in source}
        return base | {k: expand(v, source, f"[mcp.{self.name}] env") for k, v in self.env.items()}

    def real_headers(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        source = os.environ if environ is None else environ
        where = f"[mcp.{self.name}] headers"
        return {k: expand(v, source, where) for k, v in self.headers.items()}

    def real_url(self, environ: Mapping[str, str] | None = None) -> str:
        source = os.environ if environ is None else environ
        return expand(str(self.url), source, f"[mcp.{self.name}] url")


def expand(text: str, environ: Mapping[str, str], where: str) -> str:
    """`${VAR}` replaced by the environment's value; an unset variable is an error."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(f"{where}: ${{{name}}} is not set in the environment")
        return environ[name]

    return VARIABLE.sub(value, text)


def configured(settings: Settings) -> dict[str, ServerConfig]:
    """Every `[mcp.NAME]` table of the config file, checked, by name."""
    where = str(settings.config_path)
    tables = settings.mcp_tables
    return {name: parse(name, table, where) for name, table in tables.items()}


def chosen(settings: Settings, names: Iterable[str]) -> tuple[ServerConfig, ...]:
    """The servers `--mcp` named (`all`: every one configured), in the order given."""
    servers = configured(settings)
    wanted: list[str] = []
    for name in names:
        if name == "all":
            wanted += [n for n in servers if n not in wanted]
            continue
        if name not in servers:
            known = ", ".join(servers) or "none; add an [mcp.NAME] table to config.toml"
            raise ConfigError(f"no MCP server {name!r} is configured (configured: {known})")
        if name not in wanted:
            wanted.append(name)
    return tuple(servers[n] for n in wanted)


def parse(name: str, table: Any, where: str) -> ServerConfig:
    """One table, or a ConfigError naming what is wrong with it."""
    label = f"{where}: [mcp.{name}]"
    if not NAME.match(name):
        raise ConfigError(f"{label}: a server name is 1-24 letters, digits, _ or - ")
    if not isinstance(table, Mapping):
        raise ConfigError(f"{label} must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"{label}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})")
    has_command, has_url = "command" in table, "url" in table
    if has_command == has_url:
        raise ConfigError(f"{label}: give either command (stdio) or url (Streamable HTTP)")
    wrong = sorted(set(table) & (HTTP_KEYS if has_command else STDIO_KEYS))
    if wrong:
        raise ConfigError(
            f"{label}: {wrong[0]!r} does not go with {'command' if has_command else 'url'}"
        )
    return ServerConfig(
        name,
        command=_text(table, "command", label),
        args=tuple(_texts(table.get("args", []), f"{label} args")),
        env=_strings(table.get("env", {}), f"{label} env"),
        cwd=_cwd(table.get("cwd"), label),
        url=_url(table.get("url"), label),
        headers=_strings(table.get("headers", {}), f"{label} headers"),
        startup_timeout=_seconds(table, "startup_timeout", DEFAULT_STARTUP, label),
        timeout=_seconds(table, "timeout", DEFAULT_TIMEOUT, label),
        max_result_chars=int(_seconds(table, "max_result_chars", DEFAULT_RESULT_CHARS, label)),
    )


def _text(table: Mapping[str, Any], key: str, label: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{label}: {key} must be a non-empty string")
    return value


def _texts(value: Any, label: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{label} must be a list of strings")
    return value


def _strings(value: Any, label: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"{label} must be a table of strings")
    return dict(value)


def _cwd(value: Any, label: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{label}: cwd must be a directory path")
    return str(Path(value).expanduser())


def _url(value: Any, label: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(r"^https?://", value):
        raise ConfigError(f"{label}: url must start with http:// or https://")
    return value


def _seconds(table: Mapping[str, Any], key: str, default: float, label: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{label}: {key} must be a positive number")
    return float(value)
