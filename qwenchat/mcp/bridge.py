"""An MCP server's tools as qwenchat tools: names, schemas, argument checks, results.

Each MCP tool becomes a `tools.spec.Tool` offered next to the built-ins, so every front end
passes one `ToolSet` to the turn engine and every call goes through the same consent. What a
server sends — descriptions, schemas, results — is untrusted: it is sanitised, capped, and
its "read-only" hints are ignored. A tool's consent fingerprint covers the server's identity,
its description and its schema, so an "always" answer stops counting when any of them change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from qwenchat.core.sanitize import sanitize
from qwenchat.mcp.config import ServerConfig
from qwenchat.mcp.names import tool_name
from qwenchat.tools.spec import Tool

MAX_DESCRIPTION = 2_000
MAX_SCHEMA_CHARS = 50_000
MAX_SCHEMA_DEPTH = 24


class ToolFailed(Exception):
    """The server answered the call with an error result (its text goes to the model)."""


@dataclass(frozen=True)
class Listed:
    """One tool as the server listed it: its MCP name, description and input schema."""

    server: ServerConfig
    name: str
    description: str
    schema: Mapping[str, Any]

    @property
    def fingerprint(self) -> str:
        """What an "always" answer is tied to: the server's identity, description, schema."""
        text = json.dumps([self.server.identity, self.description, self.schema], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def plain(value: Any) -> Any:
    """An SDK model as plain JSON values (its wire names); anything else as it is."""
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", by_alias=True, exclude_none=True) if dump else value


def listed(server: ServerConfig, tool: Any) -> Listed | str:
    """The tool as listed, or why it is left out (a schema too large or nested too deeply)."""
    schema = plain(tool.input_schema)
    if not isinstance(schema, dict):
        return "its input schema is not an object"
    text = json.dumps(schema)
    if len(text) > MAX_SCHEMA_CHARS:
        return f"its input schema is {len(text):,} characters (at most {MAX_SCHEMA_CHARS:,})"
    if depth(schema) > MAX_SCHEMA_DEPTH:
        return f"its input schema is nested more than {MAX_SCHEMA_DEPTH} levels deep"
    problem = schema_problem(schema)
    if problem:
        return f"its input schema is not valid JSON Schema ({problem})"
    return Listed(server, str(tool.name), str(tool.description or ""), schema)


def depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack += [(child, level + 1) for child in children]
    return deepest


def schema_problem(schema: Mapping[str, Any]) -> str | None:
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator).check_schema(
            schema
        )
    except jsonschema.SchemaError as exc:
        return str(exc.message)[:200]
    return None


def validator(schema: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], str | None]:
    """Checks a call's arguments against the schema; says what does not fit, or None."""

    def check(arguments: Mapping[str, Any]) -> str | None:
        import jsonschema

        cls = jsonschema.validators.validator_for(schema, jsonschema.Draft202012Validator)
        try:
            error = jsonschema.exceptions.best_match(cls(schema).iter_errors(dict(arguments)))
        except (RecursionError, jsonschema.exceptions.RefResolutionError) as exc:
            return f"the arguments cannot be checked against the input schema ({exc})"
        if error is None:
            return None
        message = str(error.message)[:300]
        where = "/".join(str(p) for p in error.absolute_path) or "the arguments"
        return f"{where} do not match the tool's input schema: {message}"

    return check


def as_tool(item: Listed, name: str, call: Callable[..., str]) -> Tool:
    server = item.server
    description = sanitize(item.description)[:MAX_DESCRIPTION] or f"{item.name} (no description)"

    def target(_: Mapping[str, Any]) -> str:
        return f"MCP server {server.name} ({sanitize(server.identity)[:200]}), tool {item.name}"

    return Tool(
        name, f"[MCP {server.name}] {description}", item.schema, call, target=target,
        trust=item.fingerprint, validate=validator(item.schema),
    )  # fmt: skip


def offered_name(item: Listed, taken: set[str]) -> str:
    name = tool_name(item.server.name, item.name, taken)
    taken.add(name)
    return name


def result_text(result: Any, limit: int) -> str:
    """A `CallToolResult` as text for the model, capped at `limit` characters with a note."""
    parts = [block_text(block) for block in result.content or ()]
    if not parts and getattr(result, "structured_content", None) is not None:
        parts = [json.dumps(result.structured_content, ensure_ascii=False, default=str)]
    text = "\n".join(parts)
    if len(text) > limit:
        text = text[:limit] + f"\n[truncated: the result was {len(text):,} characters]"
    if getattr(result, "is_error", False):
        raise ToolFailed(text or "the tool reported an error")
    return text


def block_text(block: Any) -> str:
    """One content block: its text, or a line saying what it was."""
    kind = getattr(block, "type", "")
    if kind == "text":
        return str(block.text)
    if kind == "resource":
        contents = block.resource
        text = getattr(contents, "text", None)
        return str(text) if text is not None else f"[resource {contents.uri}: binary, not shown]"
    if kind == "resource_link":
        return f"[resource link: {block.uri}]"
    if kind in ("image", "audio"):
        size = len(getattr(block, "data", "") or "") * 3 // 4
        return f"[{getattr(block, 'mime_type', kind)} {kind}, about {size:,} bytes: not passed on]"
    return f"[{kind or 'unknown'} content: not passed on]"
