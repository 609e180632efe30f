"""The MCP servers a command uses: started on first use, their tools, prompts and resources.

`McpServers` is what a front end holds — `ask`, the chat, or any other — and its `tools()` are
plain `Tool`s to add to the `ToolSet` given to the turn engine. Listing the tools again (each
chat turn does) picks up a changed description or schema, which asks for consent again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from qwenchat.core.settings import Settings
from qwenchat.mcp.bridge import (
    Listed,
    as_tool,
    block_text,
    listed,
    offered_name,
    plain,
    result_text,
)
from qwenchat.mcp.config import ServerConfig, chosen, configured
from qwenchat.mcp.runtime import Connection, McpError, runtime
from qwenchat.tools.spec import Tool, ToolSet

MAX_PAGES = 20  # of a listing; a server that pages forever is cut off


@dataclass(frozen=True)
class Offer:
    """What the servers offer this turn: the tools, a line for each server that failed and
    for each tool left out."""

    tools: tuple[Tool, ...]
    failed: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()


class McpServers:
    """The servers `--mcp` named (some may be turned off in the chat), sharing one runtime."""

    def __init__(self, settings: Settings, names: Iterable[str]) -> None:
        self.configs = {c.name: c for c in chosen(settings, names)}
        self.enabled = set(self.configs)
        self.runtime = runtime(settings.data_dir / "mcp")
        self._settings = settings

    def turn_on(self, name: str) -> None:
        """Offer this configured server's tools from the next turn on."""
        if name not in self.configs:
            self.configs[name] = chosen(self._settings, [name])[0]
        self.enabled.add(name)

    def turn_off(self, name: str) -> None:
        """Stop offering the server's tools, and stop the server."""
        self.enabled.discard(name)
        self.stop(name)

    def known(self) -> list[str]:
        """Every configured server's name, those in use first."""
        return [*self.configs, *(n for n in configured(self._settings) if n not in self.configs)]

    def connection(self, name: str) -> Connection:
        return self.runtime.connect(self.configs[name])

    def state(self, name: str) -> str:
        known = self.runtime.connections.get(name)
        state = known.state if known is not None else "not started"
        return state if name in self.enabled else f"off ({state})"

    def listing(self, name: str) -> tuple[list[Listed], list[str]]:
        """The server's tools as listed (started if need be), and the ones left out, why."""
        config = self.configs[name]
        found: list[Listed] = []
        left_out: list[str] = []
        for tool in self._pages(config, "list_tools", "tools"):
            item = listed(config, tool)
            if isinstance(item, str):
                left_out.append(f"{config.name}: tool {tool.name!r} left out: {item}")
            else:
                found.append(item)
        return found, left_out

    def tools(self, taken: Iterable[str] = ()) -> Offer:
        """Every enabled server's tools, named so none clashes with `taken` or another."""
        used = set(taken)
        tools: list[Tool] = []
        failed: list[str] = []
        left_out: list[str] = []
        for name in sorted(self.enabled):
            try:
                found, dropped = self.listing(name)
            except McpError as exc:
                failed.append(exc.message + (f" ({exc.hint})" if exc.hint else ""))
                continue
            left_out += dropped
            tools += [as_tool(i, offered_name(i, used), self._caller(i)) for i in found]
        return Offer(tuple(tools), tuple(failed), tuple(left_out))

    def _caller(self, item: Listed) -> Any:
        config = item.server

        def call(**arguments: Any) -> str:
            connection = self.connection(config.name)
            result = self.runtime.request(
                connection,
                lambda client: client.call_tool(
                    item.name, arguments, read_timeout_seconds=config.timeout
                ),
                config.timeout + 2,
                f"MCP server {config.name}, tool {item.name}",
            )
            return result_text(result, config.max_result_chars)

        return call

    def _pages(self, config: ServerConfig, method: str, field: str) -> list[Any]:
        connection = self.runtime.connect(config)
        items: list[Any] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):

            async def page(client: Any, cursor: str | None = cursor) -> Any:
                return await getattr(client, method)(cursor=cursor, cache_mode="refresh")

            result = self.runtime.request(
                connection, page, config.timeout, f"MCP server {config.name}, {method}"
            )
            items += list(getattr(result, field) or ())
            cursor = result.next_cursor
            if not cursor:
                break
        return items

    def prompts(self, name: str) -> list[Any]:
        return self._pages(self.configs[name], "list_prompts", "prompts")

    def resources(self, name: str) -> list[Any]:
        return self._pages(self.configs[name], "list_resources", "resources")

    def prompt(self, name: str, prompt: str, arguments: dict[str, str]) -> list[tuple[str, str]]:
        """A prompt filled in: its messages as (role, text)."""
        config = self.configs[name]
        result = self.runtime.request(
            self.connection(name),
            lambda client: client.get_prompt(prompt, arguments),
            config.timeout,
            f"MCP server {name}, prompt {prompt}",
        )
        return [(str(m.role), block_text(m.content)) for m in result.messages]

    def read(self, name: str, uri: str) -> list[dict[str, Any]]:
        """A resource's contents, each as plain values (uri, mimeType, text or blob)."""
        config = self.configs[name]
        result = self.runtime.request(
            self.connection(name),
            lambda client: client.read_resource(uri),
            config.timeout,
            f"MCP server {name}, resource {uri}",
        )
        return [plain(c) for c in result.contents]

    def stop(self, name: str) -> None:
        self.runtime.disconnect(name)


def toolset_for_ask(
    settings: Settings, names: Iterable[str], base: ToolSet, notice: Callable[[str], None]
) -> ToolSet:
    """`ask --mcp`: the tools with every named server's; a server that fails is an error."""
    offer = McpServers(settings, names).tools(base.names)
    if offer.failed:
        raise McpError(offer.failed[0])
    for line in offer.left_out:
        notice(f"warning: {line}")
    return base.plus(offer.tools)
