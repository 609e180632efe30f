"""The built-in tools, all read-only: the time, a calculator, and reading files and directories.

Each is a plain typed function with a docstring, described by the same schema derivation
as user functions. The file tools are bound to the directory qwenchat started in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qwenchat.core.confine import Policy
from qwenchat.tools.calculator import calculator
from qwenchat.tools.files import confine, list_directory, read_text_file
from qwenchat.tools.spec import Tool, ToolSet


def current_time(timezone: str | None = None) -> str:
    """The current date and time, with the time zone and its UTC offset.

    Args:
        timezone: An IANA time zone such as Asia/Shanghai or Europe/Paris;
            the computer's local zone when left out.
    """
    if timezone:
        try:
            now = datetime.now(ZoneInfo(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {timezone!r}") from None
    else:
        now = datetime.now().astimezone()
    zone = timezone or now.tzname() or "local"
    return f"{now.isoformat(timespec='seconds')} ({now:%A}, {zone})"


def builtin_tools(root: Path | Policy) -> ToolSet:
    """The built-ins, with the file tools held to the policy (or confined to a bare root)."""
    policy = root if isinstance(root, Policy) else Policy(root)

    def read_file(path: str) -> str:
        """Read a UTF-8 text file inside the current directory (large files are cut short).

        Args:
            path: A path relative to the current directory.
        """
        return read_text_file(policy, path)

    def list_dir(path: str = ".") -> str:
        """List a directory inside the current directory: sub-directories end with /.

        Args:
            path: A path relative to the current directory; . for the directory itself.
        """
        return list_directory(policy, path)

    def target(arguments: Mapping[str, Any]) -> str:
        """The resolved path a file tool would read: what the user is asked about."""
        return str(confine(policy, str(arguments.get("path") or ".")))

    plain = tuple(Tool.from_function(f, builtin=True) for f in (current_time, calculator))
    files = tuple(
        replace(Tool.from_function(f, builtin=True), target=target) for f in (read_file, list_dir)
    )
    return ToolSet(plain + files)


BUILTIN_NAMES = ("current_time", "calculator", "read_file", "list_dir")
