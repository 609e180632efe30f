"""/copy: the last answer to the system clipboard, through the first clipboard tool found."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable

from qwenchat.core.sanitize import sanitize

FENCE = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)^ {0,3}\1[`~]*[ \t]*$", re.DOTALL | re.MULTILINE
)

CLIPBOARD_TOOLS = (
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("xsel", "--clipboard", "--input"),
    ("pbcopy",),
    ("clip.exe",),
)


def last_code_block(markdown: str) -> str | None:
    """The text of the last fenced code block in `markdown` (without its fences)."""
    blocks = [match.group(2).removesuffix("\n") for match in FENCE.finditer(markdown)]
    return blocks[-1] if blocks else None


def copy_to_clipboard(text: str, terminal: Callable[[str], None] | None = None) -> str:
    """Copy with the first clipboard tool found, else through the terminal (OSC 52) when there
    is one; say what happened.

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
    if terminal is not None:
        terminal(text)
        return (
            f"sent {len(text):,} characters to the terminal's clipboard (OSC 52; no clipboard"
            " tool found, and the terminal must allow it)"
        )
    return "no clipboard tool found (install wl-clipboard, xclip or xsel)"


def unshown_note(markdown: str) -> str:
    """What to add to `/copy`'s line when the Markdown source holds text the view did not show."""
    from qwenchat.render.md_hidden import hidden

    found = hidden(sanitize(markdown))
    if not found.characters:
        return ""
    return (
        f" — the Markdown source, with {found.characters:,} characters the answer did not show"
        f" ({', '.join(found.kinds)}): look before pasting it into a shell"
    )
