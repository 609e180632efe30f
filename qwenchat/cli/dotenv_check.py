"""What is wrong in the working directory's `.env` files, said once, one `qwenchat:` line each.

* A line python-dotenv cannot parse (an unclosed quote, a stray word) is skipped by it; here it
  is named with the file and its line number (python-dotenv's own log lines are silenced).
* A variable a typo away from one qwenchat reads (`DASHSCOPE_APIKEY`, `QWENCHAT_MODLE`), or any
  unknown `QWENCHAT_…`/`DASHSCOPE_…` name, is named with the one it resembles, as unknown
  config.toml keys are: it is otherwise silently ignored. Other projects' variables are left
  alone.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from qwenchat.core.settings import ENV_VARS, FileLayers

OTHER_VARIABLES = frozenset({"QWENCHAT_DEBUG"})  # read outside the settings
OURS = ("QWENCHAT_", "DASHSCOPE_")
CUTOFF = 0.85  # how close a name must be to be taken for a typo of one of ours


def quiet_dotenv() -> None:
    """python-dotenv logs each line it cannot parse, once per read; `syntax_problems` says it."""
    logging.getLogger("dotenv.main").disabled = True


def dotenv_warnings(files: FileLayers) -> list[str]:
    """One line per unparsable line and per misspelt variable in `.env.local` and `.env`."""
    known = sorted({*(v for names in ENV_VARS.values() for v in names), *OTHER_VARIABLES,
                    *_profile_variables(files.config)})  # fmt: skip
    lines: list[str] = []
    for name, values in files.written.items():
        path = files.directory / name
        lines += syntax_problems(path)
        lines += [f"{path}: {line}" for line in misspelt(values, known)]
    return lines


def syntax_problems(path: Path) -> list[str]:
    """`PATH, line N: cannot parse …` for each line python-dotenv skips."""
    if not path.is_file():
        return []
    from dotenv.parser import parse_stream

    try:
        with path.open(encoding="utf-8") as stream:
            bindings = list(parse_stream(stream))
    except (OSError, UnicodeDecodeError):
        return []  # reading it fails with its own error
    return [
        f"{path}, line {b.original.line}: cannot parse {_shown(b.original.string)}; "
        "the line is ignored (quote a value that holds spaces, # or quotes)"
        for b in bindings
        if b.error
    ]


def misspelt(values: Mapping[str, Any], known: Iterable[str]) -> list[str]:
    names = list(known)
    lines = []
    for variable in values:
        if variable in names:
            continue
        near = difflib.get_close_matches(variable, names, n=1, cutoff=CUTOFF)
        if near or variable.startswith(OURS):
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            lines.append(f"unknown variable '{variable}'{hint}; qwenchat does not read it")
    return lines


def _profile_variables(config: Mapping[str, Any]) -> list[str]:
    """The variables the config's profiles name for their keys (`api_key_env`)."""
    profiles = config.get("profiles")
    found = []
    for entry in profiles.values() if isinstance(profiles, Mapping) else ():
        if isinstance(entry, Mapping) and isinstance(entry.get("api_key_env"), str):
            found.append(entry["api_key_env"])
    return found


def _shown(line: str) -> str:
    first = line.strip().split("\n", 1)[0]
    return repr(first if len(first) <= 40 else first[:39] + "…")
