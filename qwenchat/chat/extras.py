"""What the chat uses beside the model: its tools (loaded once, one consent state for the
whole chat), the clipboard, the editor and the input history file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from qwenchat.core.settings import Settings

if TYPE_CHECKING:
    from rich.console import Console

    from qwenchat.engine.tool_loop import ToolSession
    from qwenchat.tools.setup import ToolOptions
    from qwenchat.tools.spec import ToolSet


CLIPBOARD_TOOLS = (
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("xsel", "--clipboard", "--input"),
    ("pbcopy",),
    ("clip.exe",),
)


class ChatTools:
    """Loads the toolset lazily and keeps the consent answers ("always") until the chat ends."""

    def __init__(
        self,
        settings: Settings,
        options: ToolOptions | None,
        *,
        console: Console,
        err_console: Console,
        ask_on: tuple[TextIO, TextIO] | None,
    ) -> None:
        self._settings = settings
        self._options = options
        self._console = console
        self._err_console = err_console
        self._ask_on = ask_on
        self._toolset: ToolSet | None = None
        self._session: ToolSession | None = None

    @property
    def wanted(self) -> bool:
        return self._options is not None and self._options.wanted

    def toolset(self) -> ToolSet:
        """The tools; a bad --functions file fails here."""
        if self._toolset is None:
            from qwenchat.tools.setup import ToolOptions, load_toolset

            options = self._options or ToolOptions()
            self._toolset = load_toolset(self._settings, options, Path.cwd())
        return self._toolset

    def session(self) -> ToolSession:
        if self._session is None:
            from qwenchat.render.toolpanel import RichToolView
            from qwenchat.tools.setup import ToolOptions, tool_session

            options = self._options or ToolOptions()
            view = RichToolView(self._console, self._err_console)
            self._session = tool_session(
                self._settings, options, self.toolset(), view=view, ask_on=self._ask_on
            )
        return self._session


def copy_to_clipboard(text: str) -> str:
    """Copy with the first clipboard tool found; say what happened."""
    for tool in CLIPBOARD_TOOLS:
        if shutil.which(tool[0]):
            try:
                subprocess.run(tool, input=text.encode(), check=True, timeout=5)
            except (OSError, subprocess.SubprocessError) as exc:
                return f"copy failed: {tool[0]}: {exc}"
            return f"copied {len(text):,} characters"
    return "no clipboard tool found (install wl-clipboard, xclip or xsel)"


def edit_in_editor(editor: str, initial: str = "") -> str | None:
    """Open $VISUAL or $EDITOR on a private temporary file; the saved text, or None."""
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


def history_file(data_dir: Path) -> Path:
    """The input history file, private to the user (0600 in a 0700 directory)."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    path = data_dir / "history"
    fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path
