"""/copy: the last answer to the system clipboard, through the first clipboard tool found."""

from __future__ import annotations

import shutil
import subprocess

from qwenchat.core.sanitize import sanitize

CLIPBOARD_TOOLS = (
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("xsel", "--clipboard", "--input"),
    ("pbcopy",),
    ("clip.exe",),
)


def copy_to_clipboard(text: str) -> str:
    """Copy with the first clipboard tool found; say what happened.

    Only sanitised text is copied: an answer's `ESC[201~` would end a bracketed paste early and
    let what follows run in the shell it is pasted into.
    """
    text = sanitize(text)
    for tool in CLIPBOARD_TOOLS:
        if shutil.which(tool[0]):
            try:
                subprocess.run(tool, input=text.encode(), check=True, timeout=5)
            except (OSError, subprocess.SubprocessError) as exc:
                return f"copy failed: {tool[0]}: {exc}"
            return f"copied {len(text):,} characters"
    return "no clipboard tool found (install wl-clipboard, xclip or xsel)"
