"""The one line that tells the user a `.env` in the working directory chose for them (pure).

A `.env` (or `.env.local`) is read from whatever directory qwenchat starts in, a cloned
repository's included. It cannot send the key elsewhere or approve tools (`core.settings`), but
it can change what is asked and of whom: the system prompt, the model, the profile. When it
does, one `note:` line names the file and what it set, so the choice is never silent.
"""

from __future__ import annotations

from pathlib import Path

from qwenchat.core.settings import Settings
from qwenchat.core.visible import escaped

TOLD = (("system", "the system prompt"), ("model", "the model"), ("profile", "the profile"))


def dotenv_note(settings: Settings, directory: Path) -> str | None:
    """`note: /dir/.env sets the model (QWENCHAT_MODEL=qwen-max), …`, or None."""
    files: dict[str, list[str]] = {}
    for name, what in TOLD:
        source = settings.source(name)
        layer, variable = source.layer, source.name
        if not source.from_dotenv or not variable:
            continue
        value = getattr(settings, name, None)
        if name == "system":
            said = f"{what} ({variable}, {len(str(value or '')):,} characters)"
        else:
            said = f"{what} ({variable}={escaped(value, 40)})"
        files.setdefault(layer, []).append(said)
    if not files:
        return None
    parts = [f"{directory / layer} sets {', '.join(said)}" for layer, said in files.items()]
    return f"note: {'; '.join(parts)} (a file in the working directory, not a flag)"
