"""The chat's tools: loaded once, with one consent state (the "always" answers) for this
conversation on this endpoint (reset by /clear, /resume, a profile switch and /tools off)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qwenchat.core.settings import Settings

if TYPE_CHECKING:
    from qwenchat.tools.session import ToolSession
    from qwenchat.tools.setup import AskOn, ToolOptions
    from qwenchat.tools.spec import ToolSet


class ChatTools:
    """Loads the toolset lazily and keeps the consent answers until the chat ends."""

    def __init__(
        self,
        settings: Settings,
        options: ToolOptions | None,
        *,
        ask_on: AskOn | None,
    ) -> None:
        self._settings = settings
        self._options = options
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

    def forget_always(self, settings: Settings) -> None:
        """Drop the "always" answers: a new conversation, endpoint or profile, or tools off."""
        self._settings = settings
        self._session = None

    def session(self) -> ToolSession:
        if self._session is None:
            from qwenchat.tools.setup import ToolOptions, tool_session

            options = self._options or ToolOptions()
            self._session = tool_session(
                self._settings, options, self.toolset(), ask_on=self._ask_on
            )
        return self._session
