"""A tool: its schema and function; a tool set; checking a call's arguments and running it.

Everything that comes back from a tool is untrusted text: it is sanitised like model text
(no terminal control sequences) and capped in size before it is shown or sent to the model.
A tool that raises gives an error result; it never ends the turn.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from qwenchat.core.conversation import ToolResult
from qwenchat.core.events import whole
from qwenchat.core.reply import ToolCall
from qwenchat.core.sanitize import sanitize
from qwenchat.tools.schema import function_schema

MAX_RESULT_CHARS = 16_000
# Arguments longer than this cannot be shown whole for consent (the panel shows up to 2,000
# characters, and a shown value is at most twice as long as its JSON): the call is refused.
MAX_ARGUMENT_CHARS = 1_000
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
}


@dataclass(frozen=True)
class Tool:
    """A function the model may call, described by OpenAI's `function` object."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    function: Callable[..., object]
    builtin: bool = False
    # what a call would touch (a file tool: the resolved path), shown when consent is asked
    target: Callable[[Mapping[str, Any]], str] | None = None
    # what an "always" answer is tied to besides the name (an MCP tool: its server's identity,
    # description and schema), and a full check of the arguments against the tool's own schema
    trust: str | None = None
    validate: Callable[[Mapping[str, Any]], str | None] | None = None

    @property
    def consent_key(self) -> str:
        return self.name if self.trust is None else f"{self.name}\0{self.trust}"

    @classmethod
    def from_function(cls, function: Callable[..., object], *, builtin: bool = False) -> Tool:
        schema = function_schema(function)
        return cls(schema["name"], schema["description"], schema["parameters"], function, builtin)

    def schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": dict(self.parameters),
            },
        }


@dataclass(frozen=True)
class ToolSet:
    """The tools offered to the model, by name."""

    tools: tuple[Tool, ...] = ()

    def get(self, name: str) -> Tool | None:
        return next((t for t in self.tools if t.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tools)

    def schemas(self) -> list[dict[str, Any]]:
        return [t.schema() for t in self.tools]

    def plus(self, extra: Iterable[Tool]) -> ToolSet:
        return ToolSet((*self.tools, *extra))


def prepare(tools: ToolSet, call: ToolCall) -> tuple[Tool, dict[str, Any]] | str:
    """The tool and its keyword arguments, or why the call cannot run (sent to the model)."""
    tool = tools.get(call.name)
    if tool is None:
        offered = ", ".join(tools.names) or "none"
        return f"unknown tool {call.name!r}; the tools offered are: {offered}"
    if len(call.arguments) > MAX_ARGUMENT_CHARS:
        return (
            f"refused: the arguments are {len(call.arguments):,} characters, too long to show "
            f"the user in full (at most {MAX_ARGUMENT_CHARS:,}); send shorter arguments"
        )
    try:
        arguments = json.loads(call.arguments) if call.arguments.strip() else {}
    except ValueError as exc:
        return f"the arguments are not valid JSON ({exc}); send a JSON object"
    except RecursionError:
        return "the arguments are nested too deeply; send a flat JSON object"
    if not isinstance(arguments, dict):
        return "the arguments must be a JSON object"
    if tool.validate is not None:
        problem = tool.validate(arguments)
    else:
        problem = check_arguments(tool.parameters, arguments)
    if problem:
        return problem
    return tool, {k: v for k, v in arguments.items() if v is not None}


def check_arguments(parameters: Mapping[str, Any], arguments: Mapping[str, Any]) -> str | None:
    """Why `arguments` do not fit the schema, or None. A null counts as left out."""
    properties: Mapping[str, Any] = parameters.get("properties", {})
    for name, value in arguments.items():
        if name not in properties:
            return f"unexpected argument {name!r}; expected: {', '.join(properties) or 'none'}"
        if value is not None:
            problem = _check_value(properties[name], value)
            if problem:
                return f"argument {name!r} {problem}"
    for name in parameters.get("required", ()):
        if arguments.get(name) is None:
            return f"missing required argument {name!r}"
    return None


def _check_value(schema: Mapping[str, Any], value: Any) -> str | None:
    kind = schema.get("type")
    allowed = JSON_TYPES.get(str(kind))
    if allowed is not None:
        is_bool = isinstance(value, bool)
        if not isinstance(value, allowed) or (is_bool and kind != "boolean"):
            return f"must be of type {kind}, got {json.dumps(value)[:60]}"
    if "enum" in schema and value not in schema["enum"]:
        return f"must be one of {', '.join(json.dumps(v) for v in schema['enum'])}"
    if kind == "array" and "items" in schema:
        for item in value:
            problem = _check_value(schema["items"], item)
            if problem:
                return f"item {problem}"
    return None


def execute(tool: Tool, call_id: str, arguments: Mapping[str, Any]) -> ToolResult:
    """Run the tool; its output, or the exception it raised (`sys.exit` included), becomes
    the result. A value that cannot be made text is an error result too."""
    try:
        value = tool.function(**arguments)
    except (Exception, SystemExit) as exc:
        return _failed(call_id, exc)
    try:
        text = to_text(value)
    except RecursionError:
        return ToolResult(call_id, "error: the tool's result is nested too deeply to send", "error")
    except Exception as exc:  # a value whose str() fails
        return _failed(call_id, exc)
    return ToolResult(call_id, clean(text), "ok")


def _failed(call_id: str, exc: BaseException) -> ToolResult:
    return ToolResult(call_id, clean(f"error: {type(exc).__name__}: {_said(exc)}"), "error")


def _said(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # an exception whose own str() fails
        return "(its message cannot be shown)"


def to_text(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def clean(text: str, limit: int = MAX_RESULT_CHARS) -> str:
    """Untrusted tool output made safe for a terminal (and for UTF-8: lone surrogates become
    U+FFFD) and capped at `limit` characters."""
    safe = whole(sanitize(text))
    if len(safe) <= limit:
        return safe
    return safe[:limit] + f"\n[truncated: {len(safe) - limit:,} more characters]"
