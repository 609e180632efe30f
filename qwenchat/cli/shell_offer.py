"""The `shell` role's last step: show the command, then run / explain / cancel.

Nothing runs without the user's `r` at a terminal. When stdin or stdout is not a terminal the
command is only printed (the answer already was): a script or a pipe never runs anything.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable

from qwenchat.core.errors import EXIT_OK
from qwenchat.core.roles import command_of
from qwenchat.render.terminal import Terminal

CHOICES = "[r]un · [e]xplain · [c]ancel: "


def offer(terminal: Terminal, answer: str, explain: Callable[[str], object]) -> int:
    """Ask what to do with the command; returns the command's exit code when it ran."""
    command = command_of(answer)
    if not command or not (terminal.stdin_is_tty and terminal.stdout_is_tty):
        return EXIT_OK
    output = terminal.output
    while True:
        output.err(f"\n{command}\n{CHOICES}")
        choice = _read(terminal)
        if choice in ("r", "run"):
            return _run(command)
        if choice in ("e", "explain"):
            explain(command)
            continue
        if choice in ("", "c", "cancel", "q", None):
            output.notice("cancelled: nothing was run")
            return EXIT_OK
        output.notice("type r, e or c")


def _read(terminal: Terminal) -> str | None:
    if terminal.stdin is None:
        return None
    line = terminal.stdin.readline()
    return line.strip().lower() if line else None


def _run(command: str) -> int:
    shell = os.environ.get("SHELL") or "/bin/sh"
    return subprocess.run(command, shell=True, executable=shell, check=False).returncode
