"""Putting tools together for a command: the tool set and consent for `ask` and the chat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qwenchat.core.confine import Policy, policy_for
from qwenchat.core.errors import ConfigError
from qwenchat.core.settings import Settings
from qwenchat.tools.builtins import BUILTIN_NAMES, builtin_tools
from qwenchat.tools.consent import Consent, LineReader, TerminalAsker
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
    tools = builtin_tools(file_policy(settings, root))
    if options.functions is not None:
        tools = tools.plus(load_functions(options.functions, taken=tools.names))
    return tools


def file_policy(settings: Settings, root: Path) -> Policy:
    """The file tools' reads: confined to `root` by the one policy (`core/confine.py`)."""
    return policy_for(settings, root)


AskOn = tuple[LineReader, Callable[[str], None]]  # where consent is asked: input, and the writer


def tool_session(
    settings: Settings,
    options: ToolOptions,
    toolset: ToolSet,
    *,
    ask_on: AskOn | None,
) -> ToolSession:
    """Consent asks on `ask_on` (input, the output seam's writer), or nobody is asked when it
    is None."""
    asker = TerminalAsker(*ask_on) if ask_on is not None else None
    consent = Consent(ask=asker, approved=settings.approved_tools, yes=options.yes)
    return ToolSession(toolset, consent, settings.tool_rounds)
