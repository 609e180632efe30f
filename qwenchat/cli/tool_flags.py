"""The tool flags (`--tools`, `--functions`, `--mcp`, `--yes-tools`) as the tools' options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qwenchat.cli.takes_options import flat

if TYPE_CHECKING:
    from qwenchat.tools.assemble import ToolOptions


def tool_options(flags: Any) -> ToolOptions | None:
    """The tool flags, or None when none was given (the tool modules then stay unloaded)."""
    given = flat(flags)
    tools, functions, yes = given["tools"], given["functions"], given["yes_tools"]
    mcp = given.get("mcp")
    if not (tools or functions or yes or mcp):
        return None
    from qwenchat.tools.assemble import ToolOptions

    return ToolOptions(enabled=tools, functions=functions, yes=yes, mcp=tuple(mcp or ()))
