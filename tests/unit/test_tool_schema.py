"""JSON Schema from type hints and docstrings, and loading a `--functions` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional

import pytest

from qwenchat.core.errors import UsageError
from qwenchat.tools.loader import load_functions
from qwenchat.tools.schema import SchemaError, function_schema
from qwenchat.tools.spec import check_arguments


def search(
    query: str,
    limit: int = 10,
    exact: bool = False,
    weight: float | None = None,
    tags: list[str] | None = None,
    order: Literal["new", "old"] = "new",
    any_list: Optional[list] = None,  # noqa: UP045 (Optional must keep working)
) -> str:
    """Search the notes.

    A second paragraph that is not part of the description.

    Args:
        query: Words to look for,
            across lines.
        limit (int): At most this many.
        order: Newest or oldest first.

    Returns:
        The matches.
    """
    return query


def test_google_docstring_and_every_supported_type() -> None:
    schema = function_schema(search)
    assert schema["name"] == "search"
    assert schema["description"] == "Search the notes."
    assert schema["parameters"] == {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "Words to look for, across lines."},
            "limit": {"type": "integer", "description": "At most this many."},
            "exact": {"type": "boolean"},
            "weight": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "order": {
                "type": "string",
                "enum": ["new", "old"],
                "description": "Newest or oldest first.",
            },
            "any_list": {"type": "array"},
        },
        "required": ["query"],
    }


def test_sphinx_docstring() -> None:
    def convert(amount: float, currency: Literal[1, 2]) -> float:
        """Convert money.

        :param amount: How much.
        :param currency: Which one,
            by number.
        """
        return amount

    parameters = function_schema(convert)["parameters"]
    assert parameters["properties"]["amount"] == {"type": "number", "description": "How much."}
    assert parameters["properties"]["currency"] == {
        "type": "integer", "enum": [1, 2], "description": "Which one, by number.",
    }  # fmt: skip
    assert parameters["required"] == ["amount", "currency"]


def _no_hint(x, y: int) -> int:  # type: ignore[no-untyped-def]
    """Doc."""
    return y


def _no_doc(x: int) -> int:
    return x


def _varargs(*items: int) -> int:
    """Doc."""
    return 0


def _dict_param(data: dict[str, int]) -> int:
    """Doc."""
    return 0


def _mixed_literal(kind: Literal["a", 1]) -> int:
    """Doc."""
    return 0


def _union(value: int | str) -> int:
    """Doc."""
    return 0


@pytest.mark.parametrize(
    ("function", "problem"),
    [
        (_no_hint, "parameter 'x' has no type hint"),
        (_no_doc, "it has no docstring"),
        (_varargs, r"\*items is not supported"),
        (_dict_param, r"parameter 'data': unsupported type dict\[str, int\]"),
        (_mixed_literal, "Literal values must all be of one type"),
        (_union, "parameter 'value': unsupported type"),
    ],
)
def test_unsupported_functions_say_why(function: Any, problem: str) -> None:
    with pytest.raises(SchemaError, match=problem):
        function_schema(function)


def test_arguments_are_checked_against_the_schema() -> None:
    parameters = function_schema(search)["parameters"]
    assert check_arguments(parameters, {"query": "tea", "tags": ["a"], "weight": 2}) is None
    assert check_arguments(parameters, {"query": "tea", "limit": None}) is None
    assert check_arguments(parameters, {}) == "missing required argument 'query'"
    assert check_arguments(parameters, {"query": "q", "limit": True}) == (
        "argument 'limit' must be of type integer, got true"
    )
    assert check_arguments(parameters, {"query": "q", "order": "mid"}) == (
        'argument \'order\' must be one of "new", "old"'
    )
    assert check_arguments(parameters, {"query": "q", "tags": [1]}) == (
        "argument 'tags' item must be of type string, got 1"
    )


def write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "functions.py"
    path.write_text(source, encoding="utf-8")
    return path


def test_loader_takes_public_functions_only(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "from os.path import join\n"
        "def shout(text: str) -> str:\n    '''Upper-case text.'''\n    return text.upper()\n"
        "def _helper() -> None:\n    pass\n",
    )
    (tool,) = load_functions(path)
    assert tool.name == "shout"
    assert tool.function(text="hi") == "HI"


def test_loader_honours_all(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "__all__ = ['b']\n"
        "def a(x: int) -> int:\n    '''A.'''\n    return x\n"
        "def b(x: int) -> int:\n    '''B.'''\n    return x\n",
    )
    assert [t.name for t in load_functions(path)] == ["b"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f(:\n", "syntax error on line 1"),
        ("raise RuntimeError('no network')\n", "importing it failed: RuntimeError: no network"),
        ("import sys\nsys.exit(3)\n", "importing it failed: SystemExit: 3"),
        ("X = 1\n", "the file defines no public functions"),
        ("def g(x: set) -> int:\n    '''G.'''\n    return 0\n",
         "function g: parameter 'x': unsupported type set"),
        ("def read_file(path: str) -> str:\n    '''Mine.'''\n    return path\n",
         "function read_file: the name is taken"),
        ("__all__ = ['nope']\n", "__all__ names 'nope', which is not a function"),
    ],
)  # fmt: skip
def test_loader_errors_name_the_file_and_function(
    tmp_path: Path, source: str, message: str
) -> None:
    path = write(tmp_path, source)
    with pytest.raises(UsageError, match="--functions .*functions.py: " + message):
        load_functions(path, taken=("read_file",))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_functions(tmp_path / "absent.py")
