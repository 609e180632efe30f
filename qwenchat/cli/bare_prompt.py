"""`qwenchat "a question"`: a first argument that is not a command name is a prompt for `ask`.

`qwenchat "why is the sky blue"` answers like `qwenchat ask "why is the sky blue"`, options
before or after it included (`qwenchat -m qwq-plus "…" --think`); words not quoted are one
prompt up to the first option (`qwenchat why is the sky blue --think`). A single word close to a
command name (`qwenchat modles`) is taken for a typo, not sent: it is refused with the command
it resembles and the way to ask it anyway.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

import typer
import typer.core

TYPO_CUTOFF = 0.75  # `modles` → models, `sesions` → sessions; `hello` is nothing's typo


class BarePromptGroup(typer.core.TyperGroup):
    """The root command: sends a first argument that names no command to `ask`."""

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        word = args[0] if args else ""
        if (
            word
            and not word.startswith("-")
            and not ctx.resilient_parsing  # completing a command name, not asking
            and self.get_command(ctx, word) is None
            and not _typo(word, list(self.commands))
        ):
            return "ask", self.get_command(ctx, "ask"), _joined(args)
        try:
            return super().resolve_command(ctx, args)
        except _usage_error() as exc:
            if word and not word.startswith("-"):
                exc.message += f" To send it as a prompt: qwenchat ask {word!r}"
            raise


def _usage_error() -> type[Any]:
    """Click's UsageError, wherever this Typer keeps its Click (vendored or not)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def _joined(args: list[str]) -> list[str]:
    """The leading words as one prompt (`qwenchat why is the sky blue`), options kept after."""
    words = next((n for n, arg in enumerate(args) if arg.startswith("-")), len(args))
    return [" ".join(args[:words]), *args[words:]]


def _typo(word: str, commands: list[str]) -> bool:
    """A single word that looks like a misspelt command name."""
    if any(char.isspace() for char in word.strip()):
        return False
    return bool(get_close_matches(word.lower(), commands, n=1, cutoff=TYPO_CUTOFF))
