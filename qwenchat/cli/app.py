"""The command line: `qwenchat` (the chat), `ask`, `config`, `models`, `doctor`, `sessions`,
`batch`, each command in its own module.

Every command is wrapped by `error_boundary.reports_errors`, and `main` by
`error_boundary.run`: the one place where errors become messages and exit codes (0 ok, 1 API
or network failure, 2 usage or configuration error, 70 a bug in qwenchat, 130 interrupted).
Heavy modules (the openai SDK, Rich, prompt-toolkit) are imported inside the commands that
need them, so `--version`, `--help` and `config` start fast.
"""

from __future__ import annotations

import typer

from qwenchat.cli import error_boundary as boundary
from qwenchat.cli.ask import ask
from qwenchat.cli.bare_prompt import BarePromptGroup
from qwenchat.cli.batch import batch_app
from qwenchat.cli.chat import chat, open_chat
from qwenchat.cli.config import config
from qwenchat.cli.doctor import doctor
from qwenchat.cli.environment import debug_requests, environment
from qwenchat.cli.files import files_app
from qwenchat.cli.mcp import mcp_app
from qwenchat.cli.models import models
from qwenchat.cli.options import RootOptions, VersionOpt
from qwenchat.cli.roles import roles
from qwenchat.cli.serve import serve
from qwenchat.cli.sessions import sessions_app
from qwenchat.cli.settings_files import forget_warnings
from qwenchat.cli.takes_options import takes_options
from qwenchat.cli.usage import usage as usage_command

app = typer.Typer(
    name="qwenchat",
    cls=BarePromptGroup,  # `qwenchat "a question"` is `qwenchat ask "a question"`
    help="Chat with Qwen models from the terminal (DashScope or any OpenAI-compatible server).",
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
@takes_options(RootOptions)
def main_callback(ctx: typer.Context, options: RootOptions, version: VersionOpt = False) -> None:
    """With no command, open the interactive chat."""
    env = environment(ctx)  # the terminal, made once for the run (see cli.environment)
    env.options = options
    env.debugging(options.debug)
    forget_warnings()
    debug_requests(env)
    if ctx.invoked_subcommand is None:
        open_chat(ctx, options)


# Listings cut a command's first line at ~45 characters: each says it in fewer.
SHORT_HELP = {
    "chat": "Open the interactive chat (the default).",
    "ask": "Answer one prompt and exit.",
    "config": "Show the settings and where each came from.",
    "models": "List models and what each can do.",
    "doctor": "Check the key, endpoint and network.",
    "usage": "Tokens and cost of saved conversations.",
}
for command in (chat, ask, config, models, doctor):
    app.command(short_help=SHORT_HELP[command.__name__])(command)
app.add_typer(sessions_app, name="sessions", short_help="List, show, export, delete conversations.")
app.add_typer(batch_app, name="batch", short_help="Send many prompts, here or as a Batch job.")
app.add_typer(files_app, name="files", short_help="List or delete uploaded documents.")
app.add_typer(mcp_app, name="mcp", short_help="MCP servers: list, tools, check.")
app.command("usage", short_help=SHORT_HELP["usage"])(usage_command)
app.command("roles", short_help="List the roles (--role, /role).")(roles)
app.command("serve", short_help="Chat in a browser on this machine.")(serve)


def main() -> None:
    """Console-script entry point."""
    import sys

    from qwenchat.cli.completion import shell_named

    shell_named(sys.argv)
    boundary.leave(boundary.run(app))
