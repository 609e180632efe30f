"""What one run of qwenchat is given once: the terminal every write goes through, whether it
debugs, and the options given before the command.

`error_boundary.run` makes the `Environment` before the command line is read and hands it to
the app as the root context's object (a run started another way, as the tests' in-process
runner starts it, gets one from the root callback); every command reaches it from its context
with `environment(ctx)`, as httpie's commands reach theirs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from qwenchat.render.terminal import Terminal

if TYPE_CHECKING:
    from qwenchat.render.output import Output

DEBUG_VARIABLE = "QWENCHAT_DEBUG"


def debug_variable(environ: Mapping[str, str]) -> bool:
    """`QWENCHAT_DEBUG` set to anything but empty or 0."""
    return environ.get(DEBUG_VARIABLE, "").strip() not in ("", "0")


@dataclass
class Environment:
    """The terminal (the output seam), `--debug` or QWENCHAT_DEBUG, the root's options."""

    terminal: Terminal = field(default_factory=Terminal.system)
    debug: bool = field(default_factory=lambda: debug_variable(os.environ))
    options: object = None  # the root's `options.RootOptions`, set by the root callback

    @property
    def output(self) -> Output:
        return self.terminal.output

    def debugging(self, flag: bool) -> None:
        """`--debug` given (before the command or to it): this run debugs."""
        self.debug = self.debug or flag


def click_context() -> type[typer.Context]:
    """Click's Context, wherever this Typer keeps its Click: Typer hands commands that class
    itself, of which `typer.Context` is a subclass."""
    return next(c for c in typer.Context.__mro__ if c is not typer.Context)


def environment(ctx: typer.Context) -> Environment:
    """The run's environment, from the root of `ctx` (made there when it has none yet)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Environment):
        root.obj = Environment()
    return root.obj


def debug_requests(env: Environment) -> None:
    """With `--debug` or QWENCHAT_DEBUG=1, every HTTP request and response on stderr."""
    from qwenchat.net import debug_log

    debug_log.enable(env.output.err if env.debug else None)
