"""The chat's tools: loaded once, with one consent state (the "always" answers) for this
conversation on this endpoint (reset by /clear, /resume, a profile switch and /tools off).

The MCP servers' tools are listed again at each turn (a changed description or schema is then
asked about again); a server that fails is said in one line and the turn goes on without it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from qwenchat.core.settings import Settings

if TYPE_CHECKING:
    from qwenchat.mcp.servers import McpServers
    from qwenchat.tools.assemble import AskOn, ToolOptions
    from qwenchat.tools.session import ToolSession
    from qwenchat.tools.spec import ToolSet


class ChatTools:
    """Loads the toolset lazily and keeps the consent answers until the chat ends."""

    def __init__(
        self,
        settings: Settings,
        options: ToolOptions | None,
        *,
        ask_on: AskOn | None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        self._settings = settings
        self._options = options
        self._ask_on = ask_on
        self._notice = notice or (lambda _: None)
        self._toolset: ToolSet | None = None
        self._session: ToolSession | None = None
        self._mcp: McpServers | None = None

    @property
    def wanted(self) -> bool:
        return self._options is not None and self._options.wanted

    def toolset(self) -> ToolSet:
        """The tools; a bad --functions file fails here."""
        if self._toolset is None:
            from qwenchat.tools.assemble import ToolOptions, load_toolset

            options = self._options or ToolOptions()
            self._toolset = load_toolset(self._settings, options, Path.cwd())
        return self._toolset

    def forget_always(self, settings: Settings) -> None:
        """Drop the "always" answers: a new conversation, endpoint or profile, or tools off."""
        self._settings = settings
        self._session = None

    def session(self) -> ToolSession:
        if self._session is None:
            from qwenchat.tools.assemble import ToolOptions, tool_session

            options = self._options or ToolOptions()
            self._session = tool_session(
                self._settings, options, self.toolset(), ask_on=self._ask_on
            )
        if self._mcp is None and self._options is not None and self._options.mcp:
            self.mcp()
        if self._mcp is None:
            return self._session
        offer = self._mcp.tools(self.toolset().names)
        for line in (*offer.failed, *offer.left_out):
            self._notice(f"warning: {line}")
        return replace(self._session, toolset=self.toolset().plus(offer.tools))

    def mcp(self) -> McpServers:
        """The MCP servers of this chat (those `--mcp` named; /mcp on adds others)."""
        if self._mcp is None:
            from qwenchat.mcp.servers import McpServers

            names = self._options.mcp if self._options is not None else ()
            self._mcp = McpServers(self._settings, names)
        return self._mcp
