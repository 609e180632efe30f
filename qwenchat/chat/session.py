"""What one chat is connected to: its settings, the client, the models the server serves, the
tools with the scope their consent holds for, and the switch to another profile.

The REPL (`chat.repl`) keeps the loop, the dispatch of slash commands and the view; it asks
this for everything a turn is answered with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from qwenchat.chat.chat_tools import ChatTools
from qwenchat.core.catalogue import merged_names
from qwenchat.core.errors import QwenchatError
from qwenchat.core.settings import Settings

if TYPE_CHECKING:
    from qwenchat.chat.actions import ChatState
    from qwenchat.chat.saved_chat import SavedChat
    from qwenchat.engine.turn import Question
    from qwenchat.engine.turn_engine import Answered, Front
    from qwenchat.net.client import ChatClient

Reload = Callable[[str], Settings]
Scope = tuple[str, str | None, bool]


class ChatSession:
    """The chat's settings, client and served models, tools and consent, profile switch."""

    def __init__(self, settings: Settings, tools: ChatTools, reload: Reload | None) -> None:
        self.settings = settings
        self.tools = tools
        self._reload = reload  # the settings for a profile, for /profile
        self._client: ChatClient | None = None
        self._served: list[str] | None = None

    def settings_for(self, model: str) -> Settings:
        """The settings with the model the chat is on now (/model changes it)."""
        if self.settings.model == model:
            return self.settings
        return replace(self.settings, model=model)

    def client(self) -> ChatClient:
        if self._client is None:
            from qwenchat.net.client import ChatClient

            self._client = ChatClient(self.settings)
        return self._client

    def model_names(self) -> list[str]:
        """The catalogue's models and the server's (asked once, on the first completion)."""
        if self._served is None:
            try:
                self._served = self.client().list_models()
            except QwenchatError:
                self._served = []
        return merged_names(self.settings.catalogue, self._served)

    def conduct(
        self, state: ChatState, question: Question, saved: SavedChat, front: Front
    ) -> Answered:
        """One turn of this chat through the engine, its documents kept with the conversation."""
        from qwenchat.engine.turn_engine import Means, conduct

        tools = self.tools.session() if state.tools else None
        means = Means(self.client(), saved.store, saved.conversation_id, tools=tools)
        return conduct(self.settings_for(state.model), question, means, front)

    def consent_scope(self, state: ChatState) -> Scope:
        """What an "always" answer is for: this endpoint, profile, and tools being on."""
        return self.settings.base_url, state.profile, state.tools

    def forget_consent(self) -> None:
        """The "always" answers held for the scope that ended are dropped."""
        self.tools.forget_always(self.settings)

    @property
    def can_switch(self) -> bool:
        return self._reload is not None

    def switch_profile(self, name: str) -> Settings:
        """Move to profile `name` (a new client, the models asked again); raises QwenchatError
        and stays where it is when that profile's settings do not resolve."""
        assert self._reload is not None, "can_switch was asked first"
        settings = self._reload(name)
        settings.catalogue  # noqa: B018 - a bad [models] table fails now, before the switch
        self.close()
        self.settings = settings
        return settings

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client, self._served = None, None
