"""How the chat looks: its dim remarks, red error lines, reasoning shown again, and the view
each turn streams to (Rich panels, tool calls in small panels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from qwenchat.core.errors import QwenchatError
from qwenchat.core.reply import Reply
from qwenchat.core.settings import ThinkingDisplay
from qwenchat.render.choose import TurnDisplay
from qwenchat.render.terminal import Terminal

if TYPE_CHECKING:
    from rich.console import Console

# Between Markdown pieces that `ChatView.markdown` renders one by one (a control character, so
# never part of sanitised text).
PIECE_BREAK = "\x1e"


class ChatView:
    """The chat's two consoles (stdout and stderr), both sanitising what they print."""

    def __init__(self, terminal: Terminal, *, panels: bool = True) -> None:
        self.console: Console = terminal.console()
        self.err_console: Console = terminal.console(stderr=True)
        self._terminal = terminal
        self._panels = panels  # False: replies without borders (`--no-panels`)

    def clipboard(self) -> Callable[[str], None] | None:
        """What puts text on the terminal's clipboard (OSC 52); None off a terminal."""
        return self._terminal.output.clipboard if self._terminal.stdout_is_tty else None

    def say(self, text: str) -> None:
        """A remark from the chat itself (dim)."""
        from rich.text import Text

        self.console.print(Text(text, style="dim"))

    def attached(self, line: str) -> None:
        """One attachment, as one dim line (`📎 cat.png · 1.2 MB · 1024×768`)."""
        self.say(line)

    def fit(self, line: str) -> str:
        """`line` cut to the terminal's width (with "…"), so it does not wrap."""
        width = self.console.width
        return line if len(line) < width else line[: max(1, width - 2)] + "…"

    def markdown(self, text: str) -> None:
        """Markdown from the chat (a resumed conversation's recap), rendered; each piece between
        PIECE_BREAKs on its own, so an open block in one never reaches into the next."""
        from rich.markdown import Markdown

        from qwenchat.core.sanitize import sanitize

        for piece in text.split(PIECE_BREAK):
            self.console.print(Markdown(sanitize(piece), hyperlinks=False))

    def typed(self, prompt: str, text: str) -> None:
        """A message sent without being typed at the prompt (typed ahead, piped, edited)."""
        from rich.text import Text

        from qwenchat.core.sanitize import sanitize

        self.console.print(Text(prompt + sanitize(text)))

    def error(self, exc: QwenchatError) -> None:
        """The error's one line, in red on stderr."""
        from rich.text import Text

        from qwenchat.render.output import error_line

        self.err_console.print(Text(error_line(exc), style="red"))

    def reasoning(self, text: str) -> None:
        """A reply's reasoning, shown again in full (/think show)."""
        from qwenchat.core.sanitize import sanitize
        from qwenchat.render.panels import TextPanel

        panel = TextPanel(self.console, mode="full", live=False, boxed=self._panels)
        panel.feed(sanitize(text))
        panel.close()

    def turn(
        self,
        thinking_display: ThinkingDisplay,
        *,
        tools: bool = False,
        price: Callable[[Reply], Reply] | None = None,
        answer_title: str = "Answer",
    ) -> TurnDisplay:
        """The view of one turn: Rich panels per round, tool calls in their own panels."""
        from qwenchat.render.rich_renderer import RichRenderer
        from qwenchat.render.toolpanel import RichToolView

        def renderer() -> RichRenderer:
            return RichRenderer(
                self.console,
                self.err_console,
                thinking_display=thinking_display,
                panels=self._panels,
                answer_title=answer_title,
            )

        panels = RichToolView(self.console, self.err_console, boxed=self._panels) if tools else None
        return TurnDisplay(renderer, panels, price)


class ChatFront:
    """Where the chat shows a turn the engine conducts (`engine.turn_engine.Front`): remarks
    as the chat's dim lines, the reply in the chat's panels."""

    def __init__(
        self,
        view: ChatView,
        thinking_display: ThinkingDisplay,
        *,
        tools: bool,
        priced: bool,
        answer_title: str = "Answer",
    ) -> None:
        self._view = view
        self._answer_title = answer_title  # "Summary": a /compress summary is not an answer
        self._thinking_display = thinking_display
        self._tools = tools
        self._priced = priced  # False: the reply's cost is not shown (a /compress summary)

    def notice(self, text: str) -> None:
        self._view.say(text)

    def view(self, price: Callable[[Reply], Reply]) -> TurnDisplay:
        shown = price if self._priced else None
        return self._view.turn(
            self._thinking_display, tools=self._tools, price=shown, answer_title=self._answer_title
        )
