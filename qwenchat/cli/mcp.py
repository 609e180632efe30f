"""`qwenchat mcp …`: the MCP servers configured in `config.toml`, their tools, and a check.

`list` reads the configuration only (nothing is started); `tools NAME` and `check NAME` start
the server, list what it offers, and stop it; `check` says what went wrong in one line and
where the server's log is. What a server sends is shown through the output seam.
"""

from __future__ import annotations

from typing import Annotated

import typer

from qwenchat.cli.error_boundary import reports_errors
from qwenchat.render.terminal import Terminal

mcp_app = typer.Typer(
    help="The MCP servers in config.toml ([mcp.NAME] tables): list, tools, check.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="A server's [mcp.NAME] name.")]


def _write(text: str) -> None:
    Terminal.system().output.out(text + "\n", flush=True)


@mcp_app.command("list", short_help="The configured MCP servers (nothing is started).")
@reports_errors
def list_(ctx: typer.Context) -> None:
    """Each configured server: its name, its transport, and its command or URL."""
    from qwenchat.cli.settings_files import settings_from
    from qwenchat.mcp.config import configured

    settings = settings_from()
    servers = configured(settings)
    if not servers:
        _write(f"no MCP servers: add an [mcp.NAME] table to {settings.config_path}")
        return
    for config in servers.values():
        _write(f"{config.name}  {config.transport}  {config.identity}")


@mcp_app.command("tools", short_help="Start a server, list its tools, stop it.")
@reports_errors
def tools(ctx: typer.Context, name: NameArg) -> None:
    """The server's tools under the names the model sees, with their descriptions."""
    for line in _tool_lines(name):
        _write(line)


@mcp_app.command("check", short_help="Start a server, list its tools, stop it; say what failed.")
@reports_errors
def check(ctx: typer.Context, name: NameArg) -> None:
    """Start the server, list its tools and prompts, stop it: what works, or what went wrong."""
    lines = _tool_lines(name)
    _write(f"{name}: ok — {len([x for x in lines if not x.startswith('warning')])} tools")


def _tool_lines(name: str) -> list[str]:
    from qwenchat.cli.settings_files import settings_from
    from qwenchat.mcp.servers import McpServers

    servers = McpServers(settings_from(), [name])
    try:
        offer = servers.tools()
        if offer.failed:
            from qwenchat.mcp.runtime import McpError

            raise McpError(offer.failed[0])
        lines = [f"{t.name}  {t.description.splitlines()[0]}" for t in offer.tools]
        return lines + [f"warning: {line}" for line in offer.left_out]
    finally:
        servers.stop(name)
