"""How tool calls look: a small Rich panel per call on a terminal, one stderr line in plain mode.

The name and arguments come from the model and the result from the tool: all of it is
sanitised, capped, and given to Rich as `Text`, never as markup.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, ClassVar

from qwenchat.core.conversation import ToolResult
from qwenchat.core.reply import ToolCall
from qwenchat.core.sanitize import sanitize
from qwenchat.render.output import Output

if TYPE_CHECKING:
    from rich.console import Console

MAX_SHOWN = 2000
MAX_LINE = 160


def describe_arguments(arguments: str, *, limit: int = MAX_SHOWN) -> str:
    """The arguments as `name: value` lines (or as sent, when they are not a JSON object)."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return _cap(sanitize(arguments), limit) + "\n(not valid JSON)"
    except RecursionError:
        return _cap(sanitize(arguments), limit) + "\n(nested too deeply to read)"
    if not isinstance(value, dict):
        return _cap(sanitize(_show(value)), limit)
    lines = [f"{key}: {_show(item)}" for key, item in value.items()] or ["(no arguments)"]
    return _cap(sanitize("\n".join(lines)), limit)


def summarise(result: ToolResult) -> str:
    """One line about a result: its size and first line, or the error or refusal."""
    first = sanitize(result.content).strip().split("\n", 1)[0]
    if result.status == "ok":
        size = len(result.content)
        unit = "character" if size == 1 else "characters"
        return _cap(f"{size:,} {unit}: {first}" if first else "(empty result)", MAX_LINE)
    return _cap(first, MAX_LINE)


def _show(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class RichToolView:
    """Each call in its own small panel, its result on a dim line below it."""

    STYLES: ClassVar[dict[str, str]] = {
        "ok": "dim",
        "error": "red",
        "declined": "yellow",
        "not run": "yellow",
    }

    def __init__(self, console: Console, err_console: Console, *, boxed: bool = True) -> None:
        self._console = console
        self._err = err_console
        self._boxed = boxed  # False: the call on one line, no panel (`--no-panels`)

    def call(self, call: ToolCall) -> None:
        from rich import box
        from rich.panel import Panel
        from rich.text import Text

        title = Text.assemble(("tool ", "dim"), (_cap(sanitize(call.name), 60), "bold"))
        if not self._boxed:
            arguments = textwrap.indent(describe_arguments(call.arguments), "  ")
            self._console.print(Text.assemble(title, "\n", arguments))
            return
        panel = Panel(
            Text(describe_arguments(call.arguments)),
            title=title,
            title_align="left",
            box=box.ROUNDED,
            border_style="cyan",
            expand=False,
        )
        self._console.print(panel)

    def result(self, call: ToolCall, result: ToolResult) -> None:
        from rich.text import Text

        line = Text(f"  ↳ {summarise(result)}", style=self.STYLES[result.status])
        self._console.print(line, overflow="ellipsis", no_wrap=True)

    def notice(self, text: str) -> None:
        from rich.text import Text

        self._err.print(Text(f"qwenchat: {text}", style="yellow"))


class PlainToolView:
    """One line on stderr per call; a second only when it did not run or failed."""

    def __init__(self, output: Output) -> None:
        self._output = output

    def call(self, call: ToolCall) -> None:
        arguments = _one_line(describe_arguments(call.arguments))  # whole: consent needs it
        self._write(f"qwenchat: tool {_cap(sanitize(call.name), 60)} {arguments}")

    def result(self, call: ToolCall, result: ToolResult) -> None:
        if result.status != "ok":
            self._write(f"qwenchat: tool {_cap(sanitize(call.name), 60)}: {summarise(result)}")

    def notice(self, text: str) -> None:
        self._write(f"qwenchat: {text}")

    def _write(self, line: str) -> None:
        self._output.err(line + "\n")
