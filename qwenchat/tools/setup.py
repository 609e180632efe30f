"""Putting tools together for a command: the tool set and consent for `ask` and the chat."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from qwenchat.core.errors import ConfigError
from qwenchat.core.settings import NO_KEY_PLACEHOLDER, Settings
from qwenchat.render.terminal import Terminal
from qwenchat.tools.builtins import BUILTIN_NAMES, builtin_tools
from qwenchat.tools.consent import Consent, TerminalAsker
from qwenchat.tools.files import Guard
from qwenchat.tools.loader import load_functions
from qwenchat.tools.session import ToolSession
from qwenchat.tools.spec import ToolSet


@dataclass(frozen=True)
class ToolOptions:
    """The tool flags: `--tools`, `--functions FILE.py` and `--mcp NAME` (each implies
    --tools), `--yes-tools`."""

    enabled: bool = False
    functions: Path | None = None
    yes: bool = False
    mcp: tuple[str, ...] = ()  # the MCP servers named (`all`: every one configured)

    @property
    def wanted(self) -> bool:
        return self.enabled or self.functions is not None or bool(self.mcp)


def load_toolset(settings: Settings, options: ToolOptions, root: Path) -> ToolSet:
    """The built-ins (file tools confined to `root`) plus the functions file, checked."""
    unknown = [name for name in settings.approved_tools if name not in BUILTIN_NAMES]
    if unknown:
        raise ConfigError(
            f"approved_tools: {', '.join(unknown)} is not a built-in tool "
            f"(only built-ins can be pre-approved: {', '.join(BUILTIN_NAMES)}) "
            f"(from {settings.source('approved_tools')})"
        )
    tools = builtin_tools(root, file_guard(settings))
    if options.functions is not None:
        tools = tools.plus(load_functions(options.functions, taken=tools.names))
    return tools


def file_guard(settings: Settings) -> Guard:
    """The file tools never read qwenchat's own directories or a file holding the key."""
    key = settings.api_key if settings.api_key != NO_KEY_PLACEHOLDER else None
    return Guard(private_dirs=(settings.config_path.parent, settings.data_dir), secret=key)


def tool_session(
    settings: Settings,
    options: ToolOptions,
    toolset: ToolSet,
    *,
    ask_on: tuple[TextIO, TextIO] | None,
) -> ToolSession:
    """Consent asks on `ask_on` (input, output), or nobody is asked when it is None."""
    asker = TerminalAsker(*ask_on) if ask_on is not None else None
    consent = Consent(ask=asker, approved=settings.approved_tools, yes=options.yes)
    return ToolSession(toolset, consent, settings.tool_rounds)


def ask_session(
    settings: Settings, terminal: Terminal, options: ToolOptions, toolset: ToolSet
) -> ToolSession:
    """For `ask`: consent is asked only when stdin and stderr are a terminal."""
    interactive = terminal.stdin is not None and terminal.stdin_is_tty and terminal.stderr_is_tty
    ask_on = (terminal.stdin, terminal.stderr) if interactive and terminal.stdin else None
    return tool_session(settings, options, toolset, ask_on=ask_on)
