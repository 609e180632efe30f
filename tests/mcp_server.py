"""A real MCP server for the tests, built with the official SDK's own server classes.

`python tests/mcp_server.py MODE [--http PORT]` serves over stdio (or Streamable HTTP on
127.0.0.1:PORT). Every mode has the tools `echo` and `environment`, a prompt and a resource;
the mode adds a misbehaviour: `hang` (a tool that never answers), `crash` (a tool that kills
the server), `flood` (megabytes on stderr), `big` (a 10 MB result), `deep` (a tool whose
schema nests 80 levels), `changing` (the description of `echo` read from the file named by
$DESCRIPTION_FILE at each listing). The server writes its pid to $PID_FILE when that is set.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import Context, MCPServer

MODE = sys.argv[1] if len(sys.argv) > 1 else "plain"
server = MCPServer("qwenchat-test")


def echo(text: str, times: int = 1) -> str:
    """Repeat the text.

    Args:
        text: What to say back.
        times: How many times.
    """
    return " ".join([text] * times)


def environment() -> str:
    """The server's own environment variables, as JSON."""
    return json.dumps(dict(os.environ), sort_keys=True)


def authorization(ctx: Context) -> str:
    """The Authorization header this call came with (Streamable HTTP)."""
    headers = ctx.headers or {}
    return str(headers.get("authorization", "none"))


def wait(seconds: float) -> str:
    """Sleep, then say so (the hang mode never answers)."""
    if MODE == "hang":
        while True:
            time.sleep(1)
    time.sleep(seconds)
    return f"slept {seconds}"


def crash() -> str:
    """End the server's process at once."""
    os._exit(3)


def big() -> str:
    """A very long answer."""
    return "x" * (10 * 1024 * 1024)


def description() -> str:
    path = os.environ.get("DESCRIPTION_FILE")
    return Path(path).read_text(encoding="utf-8").strip() if path else "Repeat the text."


server.add_tool(echo, description=None if MODE != "changing" else description())
server.add_tool(environment)
if "--http" in sys.argv:
    server.add_tool(authorization)
server.add_tool(wait)
server.add_tool(crash)
server.add_tool(big)


@server.prompt()
def review(language: str) -> str:
    """Ask for a code review."""
    return f"Please review this {language} code carefully."


@server.resource("notes://today")
def today() -> str:
    """Today's notes."""
    return "Buy milk. Call Li Wei."


def _deep_schema(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


def main() -> None:
    pid_file = os.environ.get("PID_FILE")
    if pid_file:
        with open(pid_file, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
    if MODE == "flood":
        sys.stderr.write("noise " * 500_000 + "\n")
        sys.stderr.flush()
    if MODE == "deep":
        _add_deep_tool()
    if MODE == "changing":
        _follow_description()
    if "--http" in sys.argv:
        port = int(sys.argv[sys.argv.index("--http") + 1])
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run()


def _add_deep_tool() -> None:
    def nested(a: Any = None) -> str:
        """Takes a deeply nested object."""
        return "ok"

    server.add_tool(nested)
    tool = server._tool_manager.get_tool("nested")
    assert tool is not None
    tool.parameters = _deep_schema(80)  # the SDK cannot send much deeper


def _follow_description() -> None:
    """Each listing reads the description again, as a server that changed it would send."""
    manager = server._tool_manager
    original = manager.list_tools

    def listing() -> Any:
        tools = original()
        for tool in tools:
            if tool.name == "echo":
                tool.description = description()
        return tools

    manager.list_tools = listing  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
