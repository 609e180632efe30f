"""`/attach PATH|URL` carried out: the file read at the edge, kept for the next message.

The handler in `chat.slash` stays pure and returns an `Attach` action; the REPL reads the file
here, so a bad path is one error line and the chat goes on. The attachments wait in
`ChatState.attached` and go with the next message sent.
"""

from __future__ import annotations

from dataclasses import replace

from qwenchat.chat.actions import ChatState
from qwenchat.chat.chat_tools import ChatTools


def load_pending(
    state: ChatState, spec: str, tools: ChatTools | None = None
) -> tuple[ChatState, str]:
    """The state with the file read and added; what to tell the user (errors raise).
    `mcp:SERVER/URI` is a resource read from that MCP server (`chat.mcp_commands`)."""
    from qwenchat.engine.attach_files import load

    def no_stdin() -> bytes | None:
        return None

    if spec.startswith("mcp:") and tools is not None:
        from qwenchat.chat.mcp_commands import attach_resource

        item = attach_resource(tools, spec)
    else:
        item = load(spec, no_stdin)
    return replace(state, attached=(*state.attached, item)), f"📎 {item.label()}"
