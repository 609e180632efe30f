"""The `shell` role's last step: show the command, then run / explain / cancel.

Nothing runs without the user's `r` at a terminal. When stdin or stdout is not a terminal the
command is only printed (the answer already was): a script or a pipe never runs anything.

What runs is what was shown: `core.shell_command.vet` offers the reply only when it can be
shown byte for byte (no control character, escape sequence, bidi override or invisible
character; one command; short enough to see whole), and the string shown is the string run.
Keys typed while the reply streamed are thrown away before the question is drawn, so they can
never answer it. The command runs without qwenchat's key variables in its environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping

from qwenchat.core.errors import EXIT_OK
from qwenchat.core.shell_command import Offer, Refusal, vet
from qwenchat.render.terminal import Terminal
from qwenchat.render.typeahead import discard_typed

CHOICES = "[r]un · [e]xplain · [c]ancel: "
SHOWN_LINES = 12  # how much of a refused reply is shown (escaped)
KEY_VARIABLES = frozenset({"DASHSCOPE_API_KEY", "OPENAI_API_KEY"})

Ask = Callable[[str], str | None]  # draws the question, returns the answer typed (None: EOF)


def offer(
    terminal: Terminal,
    answer: str,
    explain: Callable[[str], object],
    *,
    key: str | None = None,
    ask: Ask | None = None,
) -> int:
    """Ask what to do with the command; returns the command's exit code when it ran."""
    if not (terminal.stdin_is_tty and terminal.stdout_is_tty):
        return EXIT_OK
    columns, rows = shutil.get_terminal_size()
    vetted = vet(answer, columns=columns, rows=rows)
    output = terminal.output
    if isinstance(vetted, Refusal):
        output.err(_clipped(vetted.shown) + "\n")
        output.notice(f"not offered to run: {vetted.reason}")
        return EXIT_OK
    question = ask or (lambda text: _read_line(terminal, text))
    while True:
        output.err(framed(vetted, columns))
        choice = question(CHOICES)
        choice = choice.strip().lower() if choice is not None else None
        if choice in ("r", "run"):
            return run(vetted.command, clean_environment(os.environ, key))
        if choice in ("e", "explain"):
            explain(vetted.command)
            continue
        if choice in ("", "c", "cancel", "q", None):
            output.notice("cancelled: nothing was run")
            return EXIT_OK
        output.notice("type r, e or c")


def framed(vetted: Offer, columns: int) -> str:
    """The command between two rules, itself untouched (what is shown is what runs)."""
    title = "── the command, exactly as it would run "
    width = max(min(columns, 72), len(title) + 2)
    return f"\n{title}{'─' * (width - len(title))}\n{vetted.command}\n{'─' * width}\n"


def _clipped(shown: str) -> str:
    lines = shown.split("\n")
    text = "\n".join(line[:400] for line in lines[:SHOWN_LINES])
    if len(lines) > SHOWN_LINES or any(len(line) > 400 for line in lines):
        text += "\n… (not shown whole)"
    return text


def _read_line(terminal: Terminal, question: str) -> str | None:
    """The question drawn first, then the answer read: nothing typed before it counts."""
    if terminal.stdin is None:
        return None
    discard_typed(terminal.stdin)
    terminal.output.err(question)
    line = terminal.stdin.readline()
    return line if line else None


def clean_environment(environ: Mapping[str, str], key: str | None) -> dict[str, str]:
    """The environment without the key variables (and any variable holding the key itself)."""
    return {
        name: value
        for name, value in environ.items()
        if name not in KEY_VARIABLES
        and not name.startswith("QWENCHAT_")
        and not (key and key in value)
    }


def run(command: str, env: Mapping[str, str]) -> int:
    """`command` run by the user's shell, as it is (the same string that was shown)."""
    shell = os.environ.get("SHELL") or "/bin/sh"
    return subprocess.run([shell, "-c", command], env=dict(env), check=False).returncode
