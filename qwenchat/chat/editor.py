"""/edit: write a message in the user's editor ($VISUAL or $EDITOR)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def edit_in_editor(editor: str, initial: str = "") -> str | None:
    """Open the editor on a private temporary file; the saved text, or None."""
    import shlex
    import tempfile

    fd, name = tempfile.mkstemp(prefix="qwenchat-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(initial)
        if subprocess.run([*shlex.split(editor), name], check=False).returncode != 0:
            return None
        return Path(name).read_text(encoding="utf-8")
    except OSError:
        return None
    finally:
        Path(name).unlink(missing_ok=True)
