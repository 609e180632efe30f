"""Roles: a named system prompt, with an optional model and sampling (pure).

`[roles.NAME]` tables in config.toml (`system`, `model`, `temperature`, `top_p`, `max_tokens`,
`presence_penalty`, `seed`, `think`) and the built-in `shell` role. `--role NAME` (ask, chat,
batch) and `/role NAME` apply one: a flag given on the command line still wins over the role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from qwenchat.core.errors import ConfigError, UsageError
from qwenchat.core.request import RequestOptions

SAMPLING = ("temperature", "top_p", "max_tokens", "presence_penalty", "seed", "think")
_TYPES: dict[str, tuple[type, ...]] = {
    "system": (str,), "model": (str,), "temperature": (int, float), "top_p": (int, float),
    "max_tokens": (int,), "presence_penalty": (int, float), "seed": (int,), "think": (bool,),
}  # fmt: skip
SHELL = "shell"


@dataclass(frozen=True)
class Role:
    name: str
    system: str | None = None
    model: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    presence_penalty: float | None = None
    seed: int | None = None
    think: bool | None = None

    def describe(self) -> str:
        """`NAME  model  first line of the system prompt`."""
        first = (self.system or "").strip().splitlines()[:1]
        return f"{self.name}  {self.model or '(default model)'}  {first[0] if first else ''}"

    def request(self, base: RequestOptions) -> RequestOptions:
        """`base` with each sampling choice it leaves unset taken from the role."""
        changes = {
            name: getattr(self, name)
            for name in SAMPLING
            if getattr(base, name) is None and getattr(self, name) is not None
        }
        return replace(base, **changes)


def shell_role(os_name: str, shell: str) -> Role:
    """The built-in `shell` role: one command for this system and shell, nothing else."""
    return Role(
        SHELL,
        system=(
            f"You turn requests into one shell command for {os_name}, run by {shell}. "
            "Answer with the command only: one line, no explanation, no Markdown, no code "
            "fences. Prefer safe, standard tools."
        ),
        think=False,
    )


def available(
    tables: Mapping[str, Any], where: str, environ: Mapping[str, str], system_name: str
) -> dict[str, Role]:
    """The built-in `shell` role (for this system and `$SHELL`), then the config file's roles."""
    shell = (environ.get("SHELL") or "sh").replace("\\", "/").rsplit("/", 1)[-1]
    return roles_from(tables, shell_role(system_name or "Unix", shell), where)


def roles_from(tables: Mapping[str, Any], builtin: Role, where: str) -> dict[str, Role]:
    """The config file's roles after the built-in one (a table of the same name replaces it)."""
    found = {builtin.name: builtin}
    known = {f.name for f in fields(Role)} - {"name"}
    for name, table in tables.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: [roles.{name}] must be a table")
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in known:
                continue  # named by the config-key warnings
            if not isinstance(value, _TYPES[key]) or (key != "think" and isinstance(value, bool)):
                raise ConfigError(f"{where}: [roles.{name}] {key} has the wrong type: {value!r}")
            values[key] = value
        found[str(name)] = Role(str(name), **values)
    return found


def pick(roles: Mapping[str, Role], name: str) -> Role:
    role = roles.get(name)
    if role is None:
        raise UsageError(f"no role {name!r}; roles: {', '.join(sorted(roles))}")
    return role
