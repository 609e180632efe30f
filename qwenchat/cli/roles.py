"""`qwenchat roles`, and `--role NAME` for ask, chat and batch: the roles and how one applies."""

from __future__ import annotations

import os
import platform
from typing import TYPE_CHECKING

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import EndpointOptions, settings_for
from qwenchat.cli.takes_options import takes_options

if TYPE_CHECKING:
    from qwenchat.core.roles import Role
    from qwenchat.core.settings import Settings


def available(settings: Settings) -> dict[str, Role]:
    """The built-in `shell` role (for this system and shell) and the config file's roles."""
    from qwenchat.core import roles

    where = str(settings.config_path)
    return roles.available(settings.role_tables, where, os.environ, platform.system())


def with_role(
    settings: Settings, name: str | None, *, model: str | None, system: str | None
) -> tuple[Settings, Role | None]:
    """Settings with the role's system prompt and model, unless `-m`/`-s` said otherwise."""
    if name is None:
        return settings, None
    from dataclasses import replace

    from qwenchat.core.roles import pick

    role = pick(available(settings), name)
    changed = replace(
        settings,
        system=role.system if system is None and role.system else settings.system,
        model=role.model if model is None and role.model else settings.model,
    )
    return changed, role


@reports_errors
@takes_options(EndpointOptions)
def roles(ctx: typer.Context, endpoint: EndpointOptions) -> None:
    """List the roles: `--role NAME` (ask, chat, batch) or `/role NAME` in the chat."""
    found = available(settings_for(ctx, endpoint))
    environment(ctx).output.out("".join(role.describe() + "\n" for role in found.values()))
