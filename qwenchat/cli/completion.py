"""Shell completion values: model names, saved conversation names, role names.

`qwenchat --install-completion [bash|zsh|fish|powershell]` installs Typer's completion script
for the shell named (the current one when none is), `--show-completion [SHELL]` prints it
(`shell_named` makes Typer take the name); these functions give the values of `-m`,
`--thinking`, `--session`, `--role` and `--profile`. They run only when the
shell asks (never on `--help` or `--version`), import only what they need and never fail: a
missing store or a broken config file completes nothing. The names come from files (the store,
config.toml): one that holds a control or invisible character is left out, so a completion
never prints an escape sequence or splits into two values.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qwenchat.core.settings import Settings


def models(incomplete: str) -> list[str]:
    """The catalogue's model names (and config.toml's), starting with what was typed."""
    names: list[str] = []
    with contextlib.suppress(Exception):
        names = list(_settings().catalogue.names)
    if not names:
        from qwenchat.core.catalogue import DEFAULT_CATALOGUE

        names = list(DEFAULT_CATALOGUE.names)
    return _shown(n for n in dict.fromkeys(names) if n.startswith(incomplete))


def thinking(incomplete: str) -> list[str]:
    """`--thinking`'s values."""
    return [v for v in ("full", "summary", "hide") if v.startswith(incomplete)]


def sessions(incomplete: str) -> list[str]:
    """The saved conversations' names."""
    with contextlib.suppress(Exception):
        from qwenchat.store.history import open_store

        with open_store(_settings()) as store:
            names = [s.name for s in store.summaries() if s.name]
        return _shown(n for n in names if n.startswith(incomplete))
    return []


def roles(incomplete: str) -> list[str]:
    with contextlib.suppress(Exception):
        import platform

        from qwenchat.core.roles import available

        settings = _settings()
        found = available(settings.role_tables, "", os.environ, platform.system())
        return _shown(n for n in found if n.startswith(incomplete))
    return []


def profiles(incomplete: str) -> list[str]:
    with contextlib.suppress(Exception):
        return _shown(n for n in _settings().profiles if n.startswith(incomplete))
    return []


def _shown(names: Iterable[str]) -> list[str]:
    """The names safe to hand the shell: none holding a control or invisible character."""
    from qwenchat.core.visible import hidden_character

    return [n for n in names if isinstance(n, str) and n and hidden_character(n) is None]


def _settings() -> Settings:
    from qwenchat.cli.settings_files import load_settings

    return load_settings({}, os.environ, Path.cwd())


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def shell_named(argv: list[str]) -> None:
    """`--show-completion zsh`: make Typer take the shell's name, not detect the running one.

    Typer's completion options are flags that detect the shell, unless its switch for a named
    shell is set before the command line is built; it is set only when a name follows.
    """
    for flag, value in itertools.pairwise(argv):
        if flag in ("--install-completion", "--show-completion") and value in SHELLS:
            os.environ["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"
