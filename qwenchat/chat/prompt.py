"""The prompt-toolkit input line: keys, history, completion and the toolbar."""

from __future__ import annotations

import contextlib
import select
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import create_input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys

from qwenchat.chat import slash as commands
from qwenchat.chat.input_history import history_file
from qwenchat.core.typed_keys import BURST_SECONDS


class SlashCompleter(Completer):
    """Completes slash commands, model names after `/model `, profiles after `/profile `."""

    def __init__(
        self, models: Callable[[], Sequence[str]], profiles: Callable[[], Sequence[str]]
    ) -> None:
        self._arguments = {"/model ": models, "/profile ": profiles}

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/") or "\n" in text:
            return
        for prefix, names in self._arguments.items():
            if text.startswith(prefix):
                partial = text[len(prefix) :]
                for name in names():
                    if name.startswith(partial):
                        yield Completion(name, start_position=-len(partial))
                return
        for entry in commands.REGISTRY.values():
            for name in (entry.name, *entry.aliases):
                if name.startswith(text):
                    yield Completion(name, start_position=-len(text), display_meta=entry.summary)


def key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter")
    def _submit(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.complete_state and buffer.complete_state.current_completion:
            buffer.apply_completion(buffer.complete_state.current_completion)
            return
        if _more_keys(event):
            buffer.insert_text("\n")  # keys arriving with this Enter: a paste, one message
            return
        buffer.validate_and_handle()

    @bindings.add("escape", "enter")
    @bindings.add("c-j")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    return bindings


class KeptHistory(FileHistory):
    """The input history file; a line that cannot be written (disk full) stays in memory only."""

    def store_string(self, string: str) -> None:
        with contextlib.suppress(OSError):
            super().store_string(string)


def _more_keys(event: KeyPressEvent) -> bool:
    """Whether keys arrived together with this Enter (a paste without bracketed paste): more
    keys already read, or more waiting on the terminal within a few milliseconds."""
    if any(press.key != Keys.CPRResponse for press in event.key_processor.input_queue):
        return True
    try:
        fileno = event.app.input.fileno()
        return bool(select.select([fileno], [], [], BURST_SECONDS)[0])
    except (OSError, ValueError, NotImplementedError):
        return False


def build_prompt(
    data_dir: Path,
    *,
    models: Callable[[], Sequence[str]],
    profiles: Callable[[], Sequence[str]],
    toolbar: Callable[[], str],
    tty: TextIO | None,
) -> PromptSession[str]:
    """The input line: history in `data_dir`, completion of commands, models and profiles."""
    path = history_file(data_dir)
    return PromptSession(
        history=KeptHistory(str(path)) if path is not None else InMemoryHistory(),
        auto_suggest=AutoSuggestFromHistory(),
        completer=SlashCompleter(models, profiles),
        complete_while_typing=False,
        key_bindings=key_bindings(),
        multiline=True,
        prompt_continuation=lambda width, line, wrap: "… ".rjust(width),
        bottom_toolbar=toolbar,
        enable_open_in_editor=True,
        input=create_input(stdin=tty) if tty is not None else None,
    )


def open_tty() -> TextIO | None:
    """The controlling terminal, for a chat whose stdin is a pipe; None when there is none."""
    try:
        return open("/dev/tty", encoding="utf-8")
    except OSError:
        return None
