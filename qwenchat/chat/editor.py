"""/edit: write a message in the user's editor ($VISUAL or $EDITOR)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from qwenchat.core.errors import UsageError


def edit_in_editor(
    editor: str, initial: str = "", *, refused: Callable[[UsageError], None] | None = None
) -> str | None:
    """Open the editor on a private temporary file; the saved text, or None (and text that is
    not UTF-8 is `refused`: the user hears why)."""
    import shlex
    import tempfile

    fd, name = tempfile.mkstemp(prefix="qwenchat-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        if subprocess.run([*shlex.split(editor), name], check=False).returncode != 0:
            return None
        return saved_text(Path(name).read_bytes())
    except UsageError as exc:
        if refused is not None:
            refused(exc)
        return None
    except OSError:
        return None
    finally:
        Path(name).unlink(missing_ok=True)


def saved_text(data: bytes) -> str:
    """What the editor saved, as text; UsageError when it is not UTF-8."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"the editor saved text that is not UTF-8 (invalid byte at offset {exc.start}); "
            "save it as UTF-8"
        ) from None
