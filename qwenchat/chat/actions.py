"""The chat's state and the actions a slash command asks the chat to carry out (pure values)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from qwenchat.core.attachments import Attachment
from qwenchat.core.conversation import Conversation
from qwenchat.core.cost import Pricing
from qwenchat.core.request import RequestOptions
from qwenchat.core.roles import Role


@dataclass(frozen=True)
class ChatState:
    """What a REPL session is: the history and the choices for the next turn."""

    conversation: Conversation
    model: str
    think: bool | None = None
    conversation_id: int | None = (
        None  # the stored conversation; None until its first turn is saved
    )
    tools: bool = False
    profile: str | None = None
    profiles: tuple[str, ...] = ()
    pricing: Pricing | None = None  # the endpoint's prices, for /usage and the toolbar
    attached: tuple[Attachment, ...] = ()  # to go with the next message (/attach)
    roles: Mapping[str, Role] = field(default_factory=dict)  # for /role
    request: RequestOptions = field(default_factory=RequestOptions)  # the sampling flags given
    shell: bool = False  # the `shell` role: each answer offered to run (run/explain/cancel)
    unconfirmed_model: str | None = None  # a /model name that looked misspelt, asked about


@dataclass(frozen=True)
class Say:
    """Show this text to the user."""

    text: str


@dataclass(frozen=True)
class Refuse:
    """A command given a wrong argument: show this as an error; nothing changed."""

    text: str


@dataclass(frozen=True)
class Send:
    """Send this text as a user message."""

    text: str


@dataclass(frozen=True)
class ShowReasoning:
    """Print the last turn's full reasoning again."""

    text: str


@dataclass(frozen=True)
class Copy:
    """Put this text on the clipboard; `note` is said after what the copy did."""

    text: str
    note: str = ""


@dataclass(frozen=True)
class Edit:
    """Open $EDITOR; send what the user writes."""


@dataclass(frozen=True)
class ListModels:
    """Show the catalogue's models merged with the server's list (a page of the table), or
    switch to `pick` once it is checked against that list (`chat/model_pick.py`)."""

    page: int = 1  # 0: every page
    pick: str | None = None


@dataclass(frozen=True)
class Quit:
    """Leave the REPL."""


@dataclass(frozen=True)
class Sessions:
    """List the saved conversations (the newest SESSIONS_PAGE, or every one)."""

    every: bool = False


@dataclass(frozen=True)
class Resume:
    """Switch to a saved conversation."""

    ref: str


@dataclass(frozen=True)
class Rename:
    """Name the current conversation."""

    name: str


@dataclass(frozen=True)
class SwitchProfile:
    """Reload the settings with this profile (base URL, model, key) for the next turns."""

    name: str


@dataclass(frozen=True)
class Fork:
    """Copy the current conversation and carry on in the copy."""


@dataclass(frozen=True)
class Compress:
    """Have the model summarise all but the last `keep` turns, and keep the summary instead."""

    keep: int


@dataclass(frozen=True)
class Attach:
    """Read this path or URL and keep it for the next message (chat.attach_commands)."""

    spec: str


@dataclass(frozen=True)
class Mcp:
    """`/mcp ARGUMENT`: servers listed, turned on or off, a prompt used (chat.mcp_commands)."""

    argument: str


StoreAction = Sessions | Resume | Rename | Fork
Action = (
    Say
    | Refuse
    | Send
    | ShowReasoning
    | Copy
    | Edit
    | Quit
    | ListModels
    | StoreAction
    | Compress
    | SwitchProfile
    | Attach
    | Mcp
)
