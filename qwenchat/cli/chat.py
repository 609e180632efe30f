"""`qwenchat chat` (and `qwenchat` alone): the interactive chat."""

from __future__ import annotations

import typer

from qwenchat.cli.boundary import reports_errors
from qwenchat.cli.options import (
    RootOptions,
    completed,
    one_conversation,
    settings_from,
    takes_options,
)
from qwenchat.cli.roles import with_role
from qwenchat.core.settings import Settings
from qwenchat.render.terminal import Terminal


@takes_options(RootOptions)
def chat(ctx: typer.Context, options: RootOptions) -> None:
    """Open the interactive chat (the default command)."""
    open_chat(ctx, options)


@reports_errors
def open_chat(ctx: typer.Context, options: RootOptions) -> None:
    """The chat with these options, each unset one taken from the options before `chat`."""
    options = completed(ctx, options)
    one_conversation(options.continue_, options.session)
    flags = options.settings_flags()
    settings = settings_from(**flags)
    settings, _ = with_role(settings, options.role, model=options.model, system=options.system)
    from qwenchat.chat.repl import run_repl

    def reload(name: str) -> Settings:
        return settings_from(**{**flags, "profile": name})

    run_repl(
        settings,
        Terminal.system(),
        think=options.think,
        continue_last=options.continue_,
        session=options.session,
        tools=options.tool_options(),
        reload=reload,
    )
