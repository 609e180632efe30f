"""`qwenchat chat` (and `qwenchat` alone): the interactive chat."""

from __future__ import annotations

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import (
    RootOptions,
    completed,
    one_conversation,
    request_options,
    settings_flags,
)
from qwenchat.cli.roles import with_role
from qwenchat.cli.settings_files import settings_from
from qwenchat.cli.takes_options import takes_options
from qwenchat.cli.tool_flags import tool_options
from qwenchat.core.roles import SHELL
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
    flags = settings_flags(options)
    settings = settings_from(**flags)
    sampling = options.sampling
    settings, role = with_role(settings, options.role, model=sampling.model, system=sampling.system)
    from qwenchat.chat.prompt import open_tty
    from qwenchat.chat.repl import ChatStart, run_repl

    def reload(name: str) -> Settings:
        return settings_from(**{**flags, "profile": name})

    settings.require_key()
    terminal = environment(ctx).terminal
    piped = terminal.read_piped()
    tty = None if terminal.stdin_is_tty else open_tty()
    if not terminal.stdin_is_tty and (tty is None or not terminal.stdout_is_tty):
        _answer_without_terminal(settings, terminal, piped, options)
        return
    start = ChatStart(
        request=request_options(options), continue_last=options.continue_,
        session=options.session, tools=tool_options(options), reload=reload, piped=piped,
        tty=tty, shell=role is not None and role.name == SHELL,
    )  # fmt: skip
    run_repl(settings, terminal, start)


def _answer_without_terminal(
    settings: Settings, terminal: Terminal, piped: str | None, options: RootOptions
) -> None:
    """No terminal to chat on: the piped text is answered once, as `ask` answers it."""
    from qwenchat.cli.ask_flow import AskOptions, answer_once
    from qwenchat.render.terminal import join_prompt

    ask = AskOptions(
        None,
        request_options(options),
        continue_last=options.continue_,
        session=options.session,
        tools=tool_options(options),
    )
    code = answer_once(settings, terminal, join_prompt(None, piped), ask)
    if code:
        raise typer.Exit(code)
