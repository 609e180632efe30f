"""A dataclass of options taken as one parameter: Typer sees one option per field (in field
order, where that parameter stands), the command receives one value of the dataclass."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar, get_type_hints

T = TypeVar("T")


def takes_options(kind: type[Any]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Give a command the options the dataclass `kind` declares, in place of its parameter

    annotated `kind`: Typer sees one option per field (in field order, where that parameter
    stands), and the command receives them as one `kind` value.
    """
    declared = _parameters(kind)
    names = [p.name for p in declared]

    def decorate(command: Callable[..., T]) -> Callable[..., T]:
        params = list(inspect.signature(command, eval_str=True).parameters.values())
        slot = next(i for i, p in enumerate(params) if p.annotation is kind)
        target = params[slot].name

        @functools.wraps(command)
        def wrapper(**values: Any) -> T:
            packed = kind(**{name: values.pop(name) for name in names if name in values})
            return command(**values, **{target: packed})

        shown = [*params[:slot], *declared, *params[slot + 1 :]]
        shown = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in shown]
        wrapper.__signature__ = inspect.Signature(shown)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in shown}
        del wrapper.__wrapped__
        return wrapper

    return decorate


def _parameters(kind: type[Any]) -> list[inspect.Parameter]:
    hints = get_type_hints(kind, include_extras=True)
    return [
        inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name]
        )
        for f in fields(kind)
    ]
