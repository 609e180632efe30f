"""JSON Schema for a plain Python function, derived from its type hints and docstring.

Supported parameter types: str, int, float, bool, list and list[X] of those, Literal[...]
of strings or numbers, and `X | None` / Optional[X] (a JSON null counts as left out).
A parameter with a default is optional; one without is required.
The docstring's first paragraph describes the function; an `Args:` section (Google style)
or `:param name:` lines (Sphinx style) describe the parameters.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union, get_args, get_origin

SCALARS: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
SECTION = re.compile(r"^(Args|Arguments|Parameters|Params|Returns?|Raises|Yields|Examples?):\s*$")
SPHINX_PARAM = re.compile(r"^:param\s+(?:[^:\s]+\s+)?(\w+):\s*(.*)$")
ARG_SECTIONS = ("Args", "Arguments", "Parameters", "Params")
GOOGLE_PARAM = re.compile(r"^(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


class SchemaError(ValueError):
    """A function that cannot be described as a tool; the message names the problem."""


def function_schema(function: Callable[..., Any], *, name: str | None = None) -> dict[str, Any]:
    """OpenAI's `function` object for `function`: name, description, parameters."""
    doc = inspect.getdoc(function)
    if not doc or not doc.strip():
        raise SchemaError("it has no docstring (the model needs a description)")
    description, notes = parse_docstring(doc)
    try:
        hints = typing.get_type_hints(function)
    except Exception as exc:  # a hint naming something undefined, for instance
        raise SchemaError(f"its type hints cannot be read: {exc}") from None
    properties: dict[str, Any] = {}
    required: list[str] = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise SchemaError(f"*{parameter.name} is not supported; name every parameter")
        if parameter.kind is parameter.POSITIONAL_ONLY:
            raise SchemaError(f"parameter {parameter.name!r} is positional-only")
        if parameter.name not in hints:
            raise SchemaError(f"parameter {parameter.name!r} has no type hint")
        try:
            schema = json_type(hints[parameter.name])
        except SchemaError as exc:
            raise SchemaError(f"parameter {parameter.name!r}: {exc}") from None
        if parameter.name in notes:
            schema["description"] = notes[parameter.name]
        properties[parameter.name] = schema
        if parameter.default is parameter.empty:
            required.append(parameter.name)
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return {
        "name": name or function.__name__,
        "description": description,
        "parameters": parameters,
    }


def json_type(hint: Any, *, nested: bool = False) -> dict[str, Any]:
    """The schema for one type hint (`X | None` describes X: None means "left out")."""
    origin = get_origin(hint)
    if hint in SCALARS:
        return {"type": SCALARS[hint]}
    if hint is list:
        return {"type": "array"}
    if origin is list:
        (item,) = get_args(hint)
        return {"type": "array", "items": json_type(item, nested=True)}
    if origin is Literal:
        return _literal(get_args(hint))
    if (origin is Union or origin is types.UnionType) and not nested:
        members = [a for a in get_args(hint) if a is not type(None)]
        if len(members) == 1:
            return json_type(members[0], nested=True)
    raise SchemaError(
        f"unsupported type {_name(hint)} (use str, int, float, bool, list, Literal or X | None)"
    )


def _literal(values: tuple[Any, ...]) -> dict[str, Any]:
    kinds = {type(v) for v in values}
    if len(kinds) != 1 or next(iter(kinds)) not in SCALARS:
        raise SchemaError("Literal values must all be of one type: str, int, float or bool")
    return {"type": SCALARS[next(iter(kinds))], "enum": list(values)}


def _name(hint: Any) -> str:
    if get_origin(hint) is None and isinstance(getattr(hint, "__name__", None), str):
        return str(hint.__name__)
    return repr(hint).replace("typing.", "")


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """(description, {parameter: description}) from a Google- or Sphinx-style docstring."""
    summary: list[str] = []
    notes: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    entry_indent: int | None = None
    for raw in doc.split("\n"):
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        header = SECTION.match(line)
        sphinx = SPHINX_PARAM.match(line)
        if header or line.startswith(":"):
            section = header.group(1) if header else "sphinx"
            current, entry_indent = None, None
            if sphinx:
                current = sphinx.group(1)
                notes[current] = sphinx.group(2).strip()
        elif section is None:
            summary.append(line)
        elif line:
            entry = GOOGLE_PARAM.match(line) if section in ARG_SECTIONS else None
            entry_indent = indent if entry_indent is None else entry_indent
            if entry and indent <= entry_indent:
                current = entry.group(1)
                notes[current] = entry.group(2).strip()
            elif current:
                notes[current] = f"{notes[current]} {line}".strip()
    return " ".join(_first_paragraph(summary)), notes


def _first_paragraph(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line and out:
            break
        if line:
            out.append(line)
    return out
