"""The prompt's input history file (what was typed, for the up arrow and suggestions)."""

from __future__ import annotations

import os
from pathlib import Path


def history_file(data_dir: Path) -> Path | None:
    """The input history file, private to the user (0600 in a 0700 directory); None where it
    cannot be made (a read-only data directory, a full disk): the history is then kept in memory."""
    try:
        return _private_history(data_dir)
    except OSError:
        return None


def _private_history(data_dir: Path) -> Path:
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    path = data_dir / "history"
    fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path
