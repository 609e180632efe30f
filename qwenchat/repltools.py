"""The chat's tools: loaded once, with one consent state for the whole chat."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from qwenchat.settings import Settings

if TYPE_CHECKING:
    from rich.console import Console

    from qwenchat.toolloop import ToolSession
    from qwenchat.tools.setup import ToolOptions
    from qwenchat.tools.spec import ToolSet


class ChatTools:
    """Loads the toolset lazily and keeps the consent answers ("always") until the chat ends."""

    def __init__(
        self,
        settings: Settings,
        options: ToolOptions | None,
        *,
        console: Console,
        err_console: Console,
        ask_on: tuple[TextIO, TextIO] | None,
    ) -> None:
        self._settings = settings
        self._options = options
        self._console = console
        self._err_console = err_console
        self._ask_on = ask_on
        self._toolset: ToolSet | None = None
        self._session: ToolSession | None = None

    @property
    def wanted(self) -> bool:
        return self._options is not None and self._options.wanted

    def toolset(self) -> ToolSet:
        """The tools; a bad --functions file fails here."""
        if self._toolset is None:
            from qwenchat.tools.setup import ToolOptions, load_toolset

            options = self._options or ToolOptions()
            self._toolset = load_toolset(self._settings, options, Path.cwd())
        return self._toolset

    def session(self) -> ToolSession:
        if self._session is None:
            from qwenchat.render.toolpanel import RichToolView
            from qwenchat.tools.setup import ToolOptions, tool_session

            options = self._options or ToolOptions()
            view = RichToolView(self._console, self._err_console)
            self._session = tool_session(
                self._settings, options, self.toolset(), view=view, ask_on=self._ask_on
            )
        return self._session
