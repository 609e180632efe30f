"""The house rules, read from the source with `ast`: which package may import what, no import
cycles, small files and functions, and nothing but the entry points at the top level."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "qwenchat"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 50
# A third-party library, and the only package of qwenchat allowed to import it.
OWNERS = {
    "openai": "net",
    "typer": "cli",
    "click": "cli",
    "prompt_toolkit": "chat",
    "rich": "render",
    "sqlite3": "store",
    "mcp": "mcp",
    "jsonschema": "mcp",
    "httpx2": "mcp",
}
TOP_LEVEL_ALLOWED = {"__init__.py", "__main__.py"}


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module name imported anywhere in the tree (inside functions too), made absolute."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def graph() -> dict[str, set[str]]:
    names = {name for name, _ in modules()}
    edges: dict[str, set[str]] = {}
    for name, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set(imports(tree, name, path.name == "__init__.py"))
        edges[name] = {t for t in targets if t in names and t != name and t != "qwenchat"}
    return edges


@pytest.mark.parametrize(("library", "owner"), sorted(OWNERS.items()))
def test_each_library_is_imported_by_its_own_package_only(library: str, owner: str) -> None:
    offenders = []
    for name, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = set(imports(tree, name, path.name == "__init__.py"))
        uses = any(i == library or i.startswith(library + ".") for i in found)
        if uses and not name.startswith(f"qwenchat.{owner}"):
            offenders.append(name)
    assert offenders == [], f"{library} may be imported only in qwenchat.{owner}"


def test_no_import_cycles() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert cycles == []


def test_files_are_small() -> None:
    large = {
        str(path.relative_to(PACKAGE)): n
        for _, path in modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    }
    assert large == {}


def test_functions_are_short() -> None:
    long = {}
    for name, path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = node.body[0]
                # a docstring is not body
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    start = node.body[1].lineno if len(node.body) > 1 else node.end_lineno
                else:
                    start = first.lineno
                length = (node.end_lineno or 0) - (start or 0) + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}"] = length
    assert long == {}


def test_only_the_entry_points_sit_at_the_top_level() -> None:
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top <= TOP_LEVEL_ALLOWED


# Which packages each package may import: lower layers only, never back up.
LAYERS = {
    "core": set(),
    "net": {"core"},
    "store": {"core"},
    "render": {"core"},
    "tools": {"core"},
    "mcp": {"core", "tools"},
    "engine": {"core", "net", "store", "tools"},
    "batch": {"core", "net", "store", "engine", "render"},
    "chat": {"core", "net", "store", "engine", "render", "tools", "mcp"},
    "web": {"core", "net", "store", "engine"},  # the page's server: no terminal rendering
    "cli": {"core", "net", "store", "engine", "render", "tools", "mcp", "chat", "batch", "web"},
}


def test_each_package_imports_only_the_layers_below_it() -> None:
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(
        LAYERS
    )
    wrong = set()
    for name, targets in graph().items():
        parts = name.split(".")
        if len(parts) < 3:
            continue
        package = parts[1]
        for target in targets:
            other = target.split(".")[1]
            if other != package and other not in LAYERS[package]:
                wrong.add(f"{name} -> {target}")
    assert sorted(wrong) == []
