"""The frame both streaming panels share: rounded edges, framed content lines, and the
throttled transient ``Live`` holding the unfinished tail (see render/panels.py). While the
``Live`` is up, a silence (a server stalling mid-answer) shows the waiting line with the
seconds since the last text, as before the first token."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.control import Control
from rich.live import Live
from rich.panel import Panel
from rich.segment import ControlType, Segment, Segments
from rich.text import Text

from qwenchat.render.borderless import Bare
from qwenchat.render.safe_console import console_rewraps
from qwenchat.render.waiting import elapsed

NOTHING = Segments([])
SILENCE_SECONDS = 2.0  # no text for this long: the waiting line shows under the tail


class Framed:
    """Content lines of a rounded panel around ``inner``, segment for segment as ``Panel``
    (expand, padding (0, 1), no height) draws them; with ``keep_last``, only the newest."""

    def __init__(self, inner: RenderableType, border_style: str, *, keep_last: int = 0) -> None:
        self._inner = inner
        self._border_style = border_style
        self._keep_last = keep_last

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        plain = console.get_style("none")  # Panel's and Padding's default style
        border = plain + console.get_style(self._border_style)
        edges = box.ROUNDED.substitute(options, safe=console.safe_box)
        child = options.update(width=options.max_width - 2, height=None, highlight=False)
        inner = child.update_width(child.max_width - 2)
        lines = console.render_lines(self._inner, inner, style=plain, pad=True)
        if 0 < self._keep_last < len(lines):
            lines = lines[len(lines) - self._keep_last :]
        left, right = Segment(edges.mid_left, border), Segment(edges.mid_right, border)
        pad, new_line = Segment(" ", plain), Segment.line()
        for line in lines:
            yield from (left, pad, *line, pad, right, new_line)


class Frame:
    """Plumbing shared by both panels: edges, committed lines and the throttled live tail.
    It is what the ``Live`` shows: Rich's print hook redraws the Live's renderable as of its
    last refresh, so the Live holds this object and ``content`` is swapped in place."""

    def __init__(
        self,
        console: Console,
        *,
        title: str,
        border_style: str,
        live: bool,
        rate: float,
        boxed: bool = True,
    ) -> None:
        self.console = console
        self.title = title
        self.border_style = border_style
        self.boxed = boxed  # False: a title line and bare content (`--no-panels`)
        self.started = False  # the top edge is printed
        self.closed = False
        self.content: RenderableType = NOTHING
        self._use_live = live and console.is_terminal and console.is_interactive
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._live: Live | None = None
        self._shown_at = 0.0
        self.touched = time.monotonic()  # when text last came in (the panels set it)
        self._lock = threading.Lock()  # the silence watch never refreshes a stopped Live
        self._watching: threading.Event | None = None
        self._drawn: tuple[int, list[int]] | None = None  # the tail's width, and its rows' cells
        self._rewraps = console_rewraps(console)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        parts = [self.content]
        quiet = time.monotonic() - self.touched
        if quiet >= SILENCE_SECONDS and not self.closed:
            parts.append(Text(f"waiting… {elapsed(quiet)}", style="dim"))
        lines = console.render_lines(Group(*parts), options, pad=False)[: options.size.height]
        self._drawn = (console.width, [Segment.get_line_length(line) for line in lines])
        new_line = Segment.line()
        for line in lines:
            yield from line
            yield new_line

    def _erase_rewrapped(self) -> None:
        """After the terminal got narrower, a terminal that rewraps lines (VTE, kitty, iTerm2,
        Windows Terminal, tmux…: `terminal.rewraps_lines`) shows each row of the live tail as
        several. Live erases only as many rows as it drew; the rows beyond those are erased
        first, from the bottom, so no stale copy of the tail stays above the next one. A
        terminal that cuts its rows instead (xterm, st, the Linux console), or one not known
        to rewrap, gets nothing more: there, erasing more would blank printed rows."""
        drawn, width = self._drawn, self.console.width
        if self._live is None or drawn is None or width >= drawn[0] or not self._rewraps:
            return
        self._drawn = None  # erased once; the next draw records its rows again
        extra = sum(max(1, -(-cells // width)) - 1 for cells in drawn[1])
        if extra:
            up = ((ControlType.CURSOR_UP, 1), (ControlType.ERASE_IN_LINE, 2)) * extra
            erase = (ControlType.ERASE_IN_LINE, 2)
            self.console.control(Control(ControlType.CARRIAGE_RETURN, erase, *up))

    @contextlib.contextmanager
    def _redrawing(self) -> Iterator[None]:
        """Hold the lock (the silence watch redraws too) and erase what a rewrap added, before
        Live moves the cursor back over the tail to draw it anew."""
        with self._lock:
            self._erase_rewrapped()
            yield

    @property
    def inner_width(self) -> int:
        """Cells a content line may take."""
        return self.console.width - 4 if self.boxed else self.console.width

    def edge(self, *, bottom: bool, text: Text | None = None) -> Segments:
        """The top edge (``text`` is the title) or bottom edge (``text`` is the subtitle);
        without a box, the title in bold, or the subtitle (if any) and a blank line."""
        if not self.boxed:
            return self._bare_edge(bottom=bottom, text=text)
        panel = Panel(Text(), box=box.ROUNDED, border_style=self.border_style)
        panel.title_align = panel.subtitle_align = "left"
        panel.subtitle, panel.title = (text, None) if bottom else (None, text)
        lines = self.console.render_lines(panel, self.console.options, pad=False)
        return Segments([*lines[-1 if bottom else 0], Segment.line()])

    def _bare_edge(self, *, bottom: bool, text: Text | None) -> Segments:
        if bottom:
            texts = [text, Text()] if text is not None else [Text()]
        else:
            texts = [Text(text.plain if text else "", style=f"bold {self.border_style}")]
        options = self.console.options
        return Segments([s for line in texts for s in self.console.render(line, options)])

    def framed(self, inner: RenderableType, *, tail: bool = False) -> Framed | Bare:
        """Content lines; a live tail keeps only as many newest lines as the screen allows."""
        rows = max(1, self.console.height - 1) if tail else 0
        return self.box(inner, keep_last=rows)

    def box(self, inner: RenderableType, *, keep_last: int = 0) -> Framed | Bare:
        """``inner``'s lines inside the panel's sides, or bare without a box."""
        if not self.boxed:
            return Bare(inner, keep_last=keep_last)
        return Framed(inner, self.border_style, keep_last=keep_last)

    def begin(self, *, edge: bool = True) -> None:
        """Print the top edge once (if ``edge``) and start the live tail (if wanted)."""
        if edge and not self.started:
            self.started = True
            self.console.print(self.edge(bottom=False, text=Text(self.title)))
        if self._use_live and self._live is None and not self.closed:
            # No stream redirection: the Terminal seam owns stdout and stderr, not Live.
            self._live = Live(
                self,
                console=self.console,
                auto_refresh=False,
                transient=True,
                vertical_overflow="crop",
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
            self._watching = threading.Event()
            watch = threading.Thread(
                target=self._watch, args=(self._live, self._watching), daemon=True
            )
            watch.start()

    def _watch(self, live: Live, stop: threading.Event) -> None:
        """Redraw the tail during a silence, so the waiting line appears and counts."""
        while not stop.wait(0.25):
            if time.monotonic() - self.touched >= SILENCE_SECONDS:
                with self._redrawing():
                    if not stop.is_set():
                        live.refresh()

    def due(self) -> bool:
        """Is a live tail on screen, and may it be redrawn now?"""
        return self._live is not None and time.monotonic() - self._shown_at >= self._interval

    def show(self, tail: RenderableType) -> None:
        if self._live is not None:
            self.content = tail
            with self._redrawing():
                self._live.refresh()
            self._shown_at = time.monotonic()

    def commit(self, pieces: Sequence[RenderableType], tail: Callable[[], RenderableType]) -> None:
        """Print finished lines once; Rich's print hook redraws the live tail below them. The
        old tail shows text now printed, so it becomes a fresh render if due, else nothing."""
        if self.due():
            self.content, self._shown_at = tail(), time.monotonic()
        else:
            self.content = NOTHING
        if pieces:
            with self._redrawing():
                self.console.print(*pieces, crop=self.boxed)

    def stop_live(self) -> None:
        """Erase the live tail (it is transient) and stop it."""
        with self._redrawing():
            self.closed = True
            if self._watching is not None:
                self._watching.set()
            live, self._live = self._live, None
            if live is not None:
                self.content = NOTHING
                live.stop()

    def end(self, pieces: Sequence[RenderableType], subtitle: Text | None) -> None:
        """Last lines, then the bottom edge."""
        self.stop_live()
        self.console.print(*pieces, self.edge(bottom=True, text=subtitle), crop=self.boxed)
