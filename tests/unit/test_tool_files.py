"""The file tools stay inside their directory: no `..`, no absolute paths, no symlinks out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qwenchat.core.confine import Policy
from qwenchat.tools.files import MAX_READ_BYTES, FileToolError, list_directory, read_text_file


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    inside = tmp_path / "project"
    (inside / "docs").mkdir(parents=True)
    (inside / "docs" / "a.md").write_text("# A\n", encoding="utf-8")
    (inside / "readme.txt").write_text("hello 你好", encoding="utf-8")
    return inside


def test_reads_text_inside(root: Path) -> None:
    assert read_text_file(Policy(root), "readme.txt") == "hello 你好"
    assert read_text_file(Policy(root), "docs/../readme.txt") == "hello 你好"
    assert read_text_file(Policy(root), str(root / "docs" / "a.md")) == "# A\n"


@pytest.mark.parametrize("path", ["../outside.txt", "docs/../../outside.txt", "/etc/passwd"])
def test_paths_leading_out_are_refused(root: Path, path: str) -> None:
    with pytest.raises(FileToolError, match=r"outside the working directory|no such file"):
        read_text_file(Policy(root), path)


def test_absolute_path_outside_is_refused_even_when_it_exists(root: Path) -> None:
    with pytest.raises(FileToolError, match="outside the working directory"):
        read_text_file(Policy(root), str(root.parent / "outside.txt"))


def test_symlinks_out_are_refused(root: Path) -> None:
    os.symlink(root.parent / "outside.txt", root / "link.txt")
    os.symlink(root.parent, root / "up")
    with pytest.raises(FileToolError, match="outside the working directory"):
        read_text_file(Policy(root), "link.txt")
    with pytest.raises(FileToolError, match="outside the working directory"):
        read_text_file(Policy(root), "up/outside.txt")
    with pytest.raises(FileToolError, match="outside the working directory"):
        list_directory(Policy(root), "up")


def test_symlink_inside_is_followed(root: Path) -> None:
    os.symlink(root / "readme.txt", root / "alias.txt")
    assert read_text_file(Policy(root), "alias.txt") == "hello 你好"


def test_env_files_binary_and_non_utf8_are_refused(root: Path) -> None:
    (root / ".env").write_text("DASHSCOPE_API_KEY=sk-x", encoding="utf-8")
    (root / ".env.local").write_text("DASHSCOPE_API_KEY=sk-x", encoding="utf-8")
    (root / "blob.bin").write_bytes(b"\x00\x01")
    (root / "latin.txt").write_bytes("café".encode("latin-1"))
    refusals = [
        (".env", "environment file"),
        (".env.local", "environment file"),
        ("blob.bin", "binary"),
        ("latin.txt", "not UTF-8"),
        ("docs", "not a regular file"),
    ]
    for name, reason in refusals:
        with pytest.raises(FileToolError, match=reason):
            read_text_file(Policy(root), name)


def test_large_files_are_cut_at_the_cap(root: Path) -> None:
    (root / "big.txt").write_text("é" * MAX_READ_BYTES, encoding="utf-8")
    text = read_text_file(Policy(root), "big.txt")
    body, note = text.rsplit("\n", 1)
    assert body == "é" * (MAX_READ_BYTES // 2)
    assert note == f"[truncated: the file has {2 * MAX_READ_BYTES:,} bytes; the first 65,536 shown]"


def test_list_directory(root: Path) -> None:
    os.symlink(root / "readme.txt", root / "alias.txt")
    assert list_directory(Policy(root), ".") == "alias.txt@\ndocs/\nreadme.txt  (12 bytes)"
    assert list_directory(Policy(root), "docs") == "a.md  (4 bytes)"
    with pytest.raises(FileToolError, match="outside the working directory"):
        list_directory(Policy(root), "..")
    with pytest.raises(FileToolError, match="not a directory"):
        list_directory(Policy(root), "readme.txt")
