"""The README stays a short tour, and the reference in docs/ covers every command and link."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from qwenchat.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def pages() -> list[Path]:
    return [README, *DOCS]


def all_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in pages())


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    found = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and not line.startswith("#!"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_the_readme_is_a_short_tour() -> None:
    assert README.stat().st_size <= 12 * 1024
    text = README.read_text(encoding="utf-8")
    assert "docs/thinking-reply.svg" in text
    assert "git clone" in text
    assert "cd qwenchat" in text


def test_the_readme_test_command_is_the_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    command = ".venv/bin/python -m pytest"
    assert command in ci.splitlines()
    assert "pip install --quiet -e '.[test]'" in ci
    line = f"python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && {command}\n"
    assert line in readme
    head = readme[: readme.index("## ")]  # the first screen, before any section
    assert line in head
    assert "qwenchat\n```" in head


def test_every_relative_link_and_anchor_resolves() -> None:
    for page in pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            assert linked.exists(), f"{page.name}: {target}"
            if anchor:
                assert anchor in anchors(linked), f"{page.name}: {target}"


def commands(group: Any, prefix: str) -> list[str]:
    """Every command and subcommand of a Typer group, as typed: `qwenchat batch results`."""
    found = []
    for name, command in group.commands.items():
        found.append(f"{prefix} {name}")
        if hasattr(command, "commands"):
            found.extend(commands(command, f"{prefix} {name}"))
    return found


def test_every_command_is_documented() -> None:
    root = typer.main.get_command(app)
    names = commands(root, "qwenchat")
    assert "qwenchat batch results" in names
    assert "qwenchat sessions export" in names
    text = all_text()
    for name in names:
        assert name in text, name


def test_every_root_option_is_documented() -> None:
    root = typer.main.get_command(app)
    text = all_text()
    for param in root.params:
        for flag in param.opts:
            if flag.startswith("--") and flag not in ("--help", "--version"):
                assert f"`{flag}" in text or f"{flag}`" in text or f"/{flag}" in text, flag
