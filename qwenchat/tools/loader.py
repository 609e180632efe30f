"""`--functions FILE.py`: a Python file's public functions become tools.

The file is the user's own code and is imported as it is. Its public functions (those
listed in `__all__`, or else every function defined in it whose name does not start with
`_`) each need type hints and a docstring; a problem is reported naming the function.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qwenchat.core.errors import UsageError
from qwenchat.tools.schema import SchemaError
from qwenchat.tools.spec import Tool


def load_functions(path: Path, *, taken: tuple[str, ...] = ()) -> tuple[Tool, ...]:
    """The tools defined in `path`; UsageError (exit 2) for a file that cannot provide them."""
    where = f"--functions {path}"
    if not path.is_file():
        raise UsageError(f"{where}: no such file")
    module = _import(path, where)
    tools: list[Tool] = []
    for name, function in _public_functions(module, where):
        try:
            tool = Tool.from_function(function)
        except SchemaError as exc:
            raise UsageError(f"{where}: function {name}: {exc}") from None
        if name in taken:
            raise UsageError(f"{where}: function {name}: the name is taken by a built-in tool")
        tools.append(tool)
    if not tools:
        raise UsageError(f"{where}: the file defines no public functions")
    return tuple(tools)


def _import(path: Path, where: str) -> Any:
    name = f"qwenchat_functions_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{where}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and typing look modules up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise UsageError(f"{where}: syntax error on line {exc.lineno}: {exc.msg}") from None
    except (Exception, SystemExit) as exc:
        raise UsageError(f"{where}: importing it failed: {type(exc).__name__}: {exc}") from None
    return module


def _public_functions(module: Any, where: str) -> list[tuple[str, Callable[..., object]]]:
    names = getattr(module, "__all__", None)
    if names is None:
        return [
            (name, value)
            for name, value in vars(module).items()
            if inspect.isfunction(value)
            and value.__module__ == module.__name__
            and not name.startswith("_")
        ]
    found: list[tuple[str, Callable[..., object]]] = []
    for name in names:
        value = getattr(module, str(name), None)
        if not inspect.isfunction(value):
            raise UsageError(f"{where}: __all__ names {name!r}, which is not a function")
        found.append((str(name), value))
    return found
