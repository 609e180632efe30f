"""The interactive chat: a prompt-toolkit loop around `session.run_turn`.

Policy for a reply cut short (Ctrl-C or an error mid-stream): what arrived
stays in the history, marked, so the model sees what it said; `/retry` asks
again and `/undo` drops the exchange.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from qwenchat import commands
from qwenchat.commands import (
    ChatState,
    Copy,
    Edit,
    Quit,
    Say,
    Send,
    ShowReasoning,
    SwitchProfile,
)
from qwenchat.conversation import Conversation
from qwenchat.errors import Interrupted, QwenchatError
from qwenchat.models import Catalogue, catalogue_from, merged_names
from qwenchat.request import RequestOptions
from qwenchat.settings import Settings
from qwenchat.terminal import Terminal

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from rich.console import Console

    from qwenchat.client import ChatClient

PROMPT = "› "
CLIPBOARD_TOOLS = (
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("xsel", "--clipboard", "--input"),
    ("pbcopy",),
    ("clip.exe",),
)


Reload = Callable[[str], Settings]


def run_repl(
    settings: Settings, terminal: Terminal, *, think: bool | None, reload: Reload | None = None
) -> None:
    """Start the chat; piped stdin becomes the first message. `reload` serves /profile."""
    settings.require_key()
    piped = terminal.read_piped()
    tty = None if terminal.stdin_is_tty else _open_tty()
    if not terminal.stdin_is_tty and (tty is None or not terminal.stdout_is_tty):
        _answer_without_terminal(settings, terminal, piped, think)
        return
    _preload()
    state = ChatState(
        Conversation(system=settings.system), settings.model, think,
        profile=settings.profile, profiles=settings.profiles,
    )  # fmt: skip
    repl = Repl(settings, terminal, state, tty)
    repl.reload = reload
    if piped and piped.strip():
        repl.send(piped.strip())
    repl.loop()


class Repl:
    """One interactive session: its state, its prompt, its client."""

    def __init__(
        self, settings: Settings, terminal: Terminal, state: ChatState, tty: TextIO | None
    ) -> None:
        self.settings = settings
        self.state = state
        self.console: Console = terminal.console()
        self.err_console: Console = terminal.console(stderr=True)
        self._tty = tty
        self._client: ChatClient | None = None
        self._prompt: PromptSession[str] | None = None
        self.reload: Reload | None = None
        self.catalogue: Catalogue = catalogue_from(settings.model_overrides)
        self._served: list[str] | None = None

    def loop(self) -> None:
        while True:
            try:
                line = self.prompt().prompt(PROMPT)
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                return
            if not line.strip():
                continue
            if line.lstrip().startswith("/") and self.handle_command(line.strip()):
                return
            if not line.lstrip().startswith("/"):
                self.send(line)

    def handle_command(self, line: str) -> bool:
        """Run a slash command; True when the REPL should end."""
        self.state, action = commands.dispatch(self.state, line)
        match action:
            case Quit():
                return True
            case Say(text):
                self.say(text)
            case Send(text):
                self.send(text)
            case ShowReasoning(text):
                self._show_reasoning(text)
            case Copy(text):
                self.say(copy_to_clipboard(text))
            case Edit():
                self._edit()
            case SwitchProfile(name):
                self._switch_profile(name)
        return False

    def send(self, text: str) -> None:
        from qwenchat.render.styled import RichRenderer
        from qwenchat.session import run_turn

        try:
            client = self.client()
            result = run_turn(
                client,
                self.state.conversation,
                text,
                model=self.state.model,
                options=RequestOptions(think=self.state.think),
                renderer=RichRenderer(
                    self.console, self.err_console, thinking=self.settings.thinking
                ),
                catalogue=self.catalogue,
            )
        except KeyboardInterrupt:
            self.say("interrupted")
            return
        except QwenchatError as exc:
            self.error(exc)
            return
        self.state = replace(
            self.state, conversation=self.state.conversation.with_turn(result.turn)
        )
        if isinstance(result.error, Interrupted):
            self.say("interrupted: the partial answer stays in the history (/retry, /undo)")
        elif result.error is not None:
            self.error(result.error)

    def client(self) -> ChatClient:
        if self._client is None:
            from qwenchat.client import ChatClient

            self._client = ChatClient(self.settings)
        return self._client

    def model_names(self) -> list[str]:
        """The catalogue's models and the server's (asked once, on the first completion)."""
        if self._served is None:
            try:
                self._served = self.client().list_models()
            except QwenchatError:
                self._served = []
        return merged_names(self.catalogue, self._served)

    def _switch_profile(self, name: str) -> None:
        if self.reload is None:
            self.say("profiles cannot be switched here")
            return
        try:
            settings = self.reload(name)
            catalogue = catalogue_from(settings.model_overrides)
        except QwenchatError as exc:
            self.error(exc)
            return
        if self._client is not None:
            self._client.close()
        self._client, self._served = None, None
        self.settings, self.catalogue = settings, catalogue
        self.state = replace(self.state, model=settings.model, profile=name)
        self.say(f"profile {name}: {settings.base_url} · model {settings.model}")

    def say(self, text: str) -> None:
        from rich.text import Text

        self.console.print(Text(text, style="dim"))

    def error(self, exc: QwenchatError) -> None:
        from rich.text import Text

        from qwenchat.sanitize import sanitize

        line = f"qwenchat: error: {exc.message}" + (f" — {exc.hint}" if exc.hint else "")
        self.err_console.print(Text(sanitize(line), style="red"))

    def prompt(self) -> PromptSession[str]:
        if self._prompt is None:
            from qwenchat.prompt import build_prompt

            self._prompt = build_prompt(self, self._tty)
        return self._prompt

    def toolbar(self) -> str:
        think = {True: "on", False: "off", None: "default"}[self.state.think]
        used_in, used_out = self.state.conversation.usage_totals()
        return (
            f" {self.state.model} · thinking {think} · {used_in + used_out:,} tokens · "
            "/help for commands "
        )

    def _show_reasoning(self, text: str) -> None:
        from qwenchat.render.panels import TextPanel
        from qwenchat.sanitize import sanitize

        panel = TextPanel(self.console, mode="full", live=False)
        panel.feed(sanitize(text))
        panel.close()

    def _edit(self) -> None:
        edited = edit_in_editor(self.settings.editor)
        if edited and edited.strip():
            self.send(edited.strip())
        else:
            self.say("nothing sent")


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


def _answer_without_terminal(
    settings: Settings, terminal: Terminal, piped: str | None, think: bool | None
) -> None:
    from qwenchat.ask import AskOptions, answer_once
    from qwenchat.terminal import join_prompt

    options = AskOptions(None, RequestOptions(think=think))
    code = answer_once(settings, terminal, join_prompt(None, piped), options)
    if code:
        raise SystemExit(code)


def _open_tty() -> TextIO | None:
    try:
        return open("/dev/tty", encoding="utf-8")
    except OSError:
        return None


def _preload() -> None:
    """Import the SDK and Markdown rendering while the user types the first message."""

    def work() -> None:
        for module in ("qwenchat.client", "qwenchat.render.styled", "qwenchat.session"):
            try:
                importlib.import_module(module)
            except Exception:
                return

    threading.Thread(target=work, name="qwenchat-preload", daemon=True).start()
