"""A dataclass of options taken as one parameter: Typer sees one option per field (in field
order, where that parameter stands), the command receives one value of the dataclass.

A field whose type is itself such a dataclass is a group (`options.EndpointOptions`): its
options are declared in its place, and the command finds them under the field's name.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from typing import Any, TypeVar, get_type_hints

T = TypeVar("T")


def takes_options(kind: type[Any]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Give a command the options the dataclass `kind` declares, in place of its parameter

    annotated `kind`: Typer sees one option per field (in field order, where that parameter
    stands), and the command receives them as one `kind` value.
    """
    declared = _parameters(kind)

    def decorate(command: Callable[..., T]) -> Callable[..., T]:
        params = list(inspect.signature(command, eval_str=True).parameters.values())
        slot = next(i for i, p in enumerate(params) if p.annotation is kind)
        target = params[slot].name

        @functools.wraps(command)
        def wrapper(**values: Any) -> T:
            packed = _pack(kind, values)
            return command(**values, **{target: packed})

        shown = [*params[:slot], *declared, *params[slot + 1 :]]
        shown = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in shown]
        wrapper.__signature__ = inspect.Signature(shown)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in shown}
        del wrapper.__wrapped__
        return wrapper

    return decorate


def flat(flags: Any) -> dict[str, Any]:
    """A dataclass of options as one value per option, the options of its groups included."""
    found: dict[str, Any] = {}
    for f in fields(flags):
        value = getattr(flags, f.name)
        found.update(flat(value) if is_group(value) else {f.name: value})
    return found


def is_group(value: Any) -> bool:
    return is_dataclass(value) and not isinstance(value, type)


def _group_kind(hint: Any) -> bool:
    return isinstance(hint, type) and is_dataclass(hint)


def _pack(kind: type[Any], values: dict[str, Any]) -> Any:
    """The `kind` value of the options Typer parsed, taken out of `values`."""
    hints = get_type_hints(kind, include_extras=True)
    given: dict[str, Any] = {}
    for f in fields(kind):
        if _group_kind(hints[f.name]):
            given[f.name] = _pack(hints[f.name], values)
        elif f.name in values:
            given[f.name] = values.pop(f.name)
    return kind(**given)


def _parameters(kind: type[Any]) -> list[inspect.Parameter]:
    hints = get_type_hints(kind, include_extras=True)
    found: list[inspect.Parameter] = []
    for f in fields(kind):
        if _group_kind(hints[f.name]):
            found.extend(_parameters(hints[f.name]))
            continue
        default = inspect.Parameter.empty if f.default is MISSING else f.default
        found.append(
            inspect.Parameter(
                f.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hints[f.name]
            )
        )
    return found
