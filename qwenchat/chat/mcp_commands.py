"""`/mcp …` and `/attach mcp:SERVER/URI` carried out: the chat's MCP servers, their state and
tools, on and off, their prompts (`/mcp use NAME`), and their resources as attachments.

The handler in `chat.slash` stays pure and returns an `Mcp` action; the REPL runs it here, so a
server that fails is one error line and the chat goes on. What a server sends is untrusted:
it is shown through the output seam and attached through the attachment checks.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace

from qwenchat.chat.actions import ChatState
from qwenchat.chat.chat_tools import ChatTools
from qwenchat.core.attachments import Attachment, from_bytes
from qwenchat.core.errors import UsageError

USAGE = (
    "usage: /mcp (servers, state, tools) · /mcp on|off NAME · /mcp prompts · "
    "/mcp use NAME [ARG=VALUE …]"
)
RESOURCE_PREFIX = "mcp:"


@dataclass(frozen=True)
class Done:
    """What `/mcp …` did: the new state, what to tell the user, a message to send (or None)."""

    state: ChatState
    told: str
    send: str | None = None


def carry_out(tools: ChatTools, state: ChatState, argument: str) -> Done:
    """Run `/mcp ARGUMENT`; a server that fails raises a QwenchatError (one line)."""
    words = argument.split(maxsplit=1)
    verb, rest = (words[0], words[1] if len(words) > 1 else "") if words else ("", "")
    servers = tools.mcp()
    if verb == "":
        return Done(state, overview(tools))
    if verb in ("on", "off") and rest.strip():
        name = rest.strip()
        if verb == "on":
            servers.turn_on(name)
            return Done(replace(state, tools=True), f"MCP server {name} on (tools on)")
        servers.turn_off(name)
        return Done(state, f"MCP server {name} off")
    if verb == "prompts":
        return Done(state, prompt_list(tools))
    if verb == "use" and rest.strip():
        return Done(state, "", send=use_prompt(tools, rest))
    raise UsageError(USAGE)


def overview(tools: ChatTools) -> str:
    servers = tools.mcp()
    names = servers.known()
    if not names:
        return "no MCP servers: add an [mcp.NAME] table to config.toml (docs/mcp.md)"
    lines = []
    for name in names:
        if name not in servers.enabled:
            lines.append(f"{name}: {servers.state(name) if name in servers.configs else 'off'}")
            continue
        found, left_out = servers.listing(name)
        lines.append(f"{name}: {servers.state(name)} · {len(found)} tools")
        lines += [f"  {item.name}  {item.description.splitlines()[0][:80]}" for item in found]
        lines += [f"  {line}" for line in left_out]
    return "\n".join(lines)


def prompt_list(tools: ChatTools) -> str:
    servers = tools.mcp()
    lines = []
    for name in sorted(servers.enabled):
        for prompt in servers.prompts(name):
            arguments = " ".join(
                f"{a.name}=…" if a.required else f"[{a.name}=…]" for a in prompt.arguments or ()
            )
            about = (prompt.description or "").splitlines()[0][:80] if prompt.description else ""
            lines.append(f"{name}/{prompt.name} {arguments}  {about}".rstrip())
    return "\n".join(lines) or "the MCP servers in use offer no prompts"


def use_prompt(tools: ChatTools, text: str) -> str:
    """`/mcp use SERVER/PROMPT ARG=VALUE …` (or just PROMPT when one server has it): the text."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise UsageError(f"/mcp use: {exc}") from None
    servers = tools.mcp()
    server, _, prompt = words[0].rpartition("/")
    if not server:
        having = [n for n in sorted(servers.enabled) if prompt in _names(tools, n)]
        if not having:
            raise UsageError(f"no MCP prompt {prompt!r} (/mcp prompts lists them)")
        server = having[0]
    if server not in servers.enabled:
        raise UsageError(f"MCP server {server!r} is not on (/mcp on {server})")
    arguments = {}
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if not equals or not key:
            raise UsageError(f"/mcp use: {word!r} is not ARG=VALUE")
        arguments[key] = value
    messages = servers.prompt(server, prompt, arguments)
    filled = "\n\n".join(text for _, text in messages if text.strip())
    if not filled:
        raise UsageError(f"MCP prompt {server}/{prompt} gave no text")
    return filled


def _names(tools: ChatTools, server: str) -> set[str]:
    return {p.name for p in tools.mcp().prompts(server)}


def attach_resource(tools: ChatTools, spec: str) -> Attachment:
    """`mcp:SERVER/URI`: the resource read from the server, through the attachment checks."""
    server, _, uri = spec[len(RESOURCE_PREFIX) :].partition("/")
    servers = tools.mcp()
    if not server or not uri:
        raise UsageError("usage: /attach mcp:SERVER/URI (e.g. mcp:notes/notes://today)")
    if server not in servers.enabled:
        servers.turn_on(server)
    contents = servers.read(server, uri)
    if not contents:
        raise UsageError(f"MCP server {server} sent nothing for {uri}")
    first = contents[0]
    if "text" in first:
        data = str(first["text"]).encode("utf-8")
    else:
        import base64

        data = base64.b64decode(str(first.get("blob", "")), validate=False)
    return from_bytes(f"{spec}", data)
