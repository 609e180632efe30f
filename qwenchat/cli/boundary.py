"""The one error boundary: a QwenchatError (or Ctrl-C) becomes one line and an exit code.

Every command (`ask`, `chat`, `config`, `models`, `doctor`, `sessions …`, `batch …`) is
wrapped by `reports_errors`; the chat prints `error_line` for errors that end a turn but
not the chat. Nothing else turns errors into messages.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from qwenchat.core.errors import EXIT_INTERRUPTED, Interrupted, QwenchatError
from qwenchat.core.settings import Settings, load_settings
from qwenchat.render.output import error_line

F = TypeVar("F", bound=Callable[..., Any])


def report(exc: QwenchatError) -> None:
    sys.stderr.write(error_line(exc) + "\n")
    sys.stderr.flush()


def reports_errors(command: F) -> F:
    """Turn QwenchatError and Ctrl-C into one line on stderr and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except QwenchatError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            report(Interrupted("interrupted"))
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


def settings_from(**flags: Any) -> Settings:
    """Settings for a command: its flags over the environment, `.env` files and config."""
    return load_settings(flags, os.environ, Path.cwd())


def with_root(ctx: typer.Context, **flags: Any) -> dict[str, Any]:
    """A command's flags, each unset one taken from the options given before the command

    (`qwenchat --region intl config` is `qwenchat config --region intl`).
    """
    root = ctx.find_root().obj or {}
    return {name: value if value is not None else root.get(name) for name, value in flags.items()}


def settings_for(ctx: typer.Context, **flags: Any) -> Settings:
    """`settings_from` with the command's flags completed by the options before the command."""
    return settings_from(**with_root(ctx, **flags))
