"""Resizing the terminal while a reply streams: no block shows twice.

Many terminals (VTE, kitty, iTerm2, Windows Terminal, tmux) rewrap lines when the window gets
narrower, so each row of the live tail becomes several. `ReflowScreen` is such a terminal: it
keeps which rows continue into the next, and rewraps its lines on `resize`; with `reflow=False`
it cuts its rows instead, as xterm, st and the Linux console do. Only a terminal known to
rewrap gets the extra rows erased.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from rich.console import Console

from qwenchat.render.panels import MarkdownPanel, TextPanel
from qwenchat.render.safe_console import SafeConsole, console_rewraps
from qwenchat.render.terminal import Terminal, rewraps_lines
from tests.unit.test_mdblocks import chunk

CONTROL = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\r|\n")


class ReflowScreen:
    """An endlessly tall terminal that rewraps its lines when its width changes."""

    def __init__(self, width: int, *, reflow: bool = True) -> None:
        self.width = width
        self.reflow = reflow  # False: rows are cut at the new width, as xterm does
        self.rows: list[str] = [""]
        self.wrapped: list[bool] = [False]  # row i continues into row i + 1
        self.row = self.col = 0

    def feed(self, output: str) -> None:
        at = 0
        for match in [*CONTROL.finditer(output), None]:
            self._write(output[at : match.start() if match else len(output)])
            if match is None:
                return
            at = match.end()
            token, code = match.group(0), match.group(2)
            if token == "\n":
                self._down()
            elif token == "\r":
                self.col = 0
            elif code == "A":
                self.row = max(0, self.row - int(match.group(1) or 1))
            elif code == "K":
                self.rows[self.row], self.wrapped[self.row] = "", False

    def _down(self) -> None:
        self.row, self.col = self.row + 1, 0
        while len(self.rows) <= self.row:
            self.rows.append("")
            self.wrapped.append(False)

    def _write(self, text: str) -> None:
        for char in text:
            if self.col == self.width:  # autowrap: this row continues into the next
                self.wrapped[self.row] = True
                self._down()
            line = self.rows[self.row].ljust(self.col)
            self.rows[self.row] = line[: self.col] + char + line[self.col + 1 :]
            self.col += 1

    def resize(self, width: int) -> None:
        if not self.reflow:
            self.width, self.rows = width, [row[:width] for row in self.rows]
            self.col = min(self.col, width)
            return
        lines: list[str] = []
        cursor = (0, 0)
        start = True
        for i, row in enumerate(self.rows):
            text = row.ljust(self.width) if self.wrapped[i] else row
            if start:
                lines.append("")
            if i == self.row:
                cursor = (len(lines) - 1, len(lines[-1]) + self.col)
            lines[-1] += text
            start = not self.wrapped[i]
        self.width, self.rows, self.wrapped = width, [], []
        for number, line in enumerate(lines):
            pieces = [line[at : at + width] for at in range(0, len(line), width)] or [""]
            if number == cursor[0]:
                offset = cursor[1]
                index = min(offset // width, len(pieces) - 1)
                self.row, self.col = len(self.rows) + index, offset - index * width
            self.rows += pieces
            self.wrapped += [True] * (len(pieces) - 1) + [False]

    def lines(self) -> list[str]:
        rows = [row.rstrip() for row in self.rows]
        while rows and not rows[-1]:
            rows.pop()
        return rows


def test_the_screen_model_rewraps() -> None:
    screen = ReflowScreen(10)
    screen.feed("0123456789abcdef\nxy")
    assert screen.lines() == ["0123456789", "abcdef", "xy"]
    screen.resize(4)
    assert screen.lines() == ["0123", "4567", "89ab", "cdef", "xy"]
    screen.feed("\x1b[2K\r\x1b[1A\x1b[2Kz")  # erase the last two rows, write on the upper one
    assert screen.lines() == ["0123", "4567", "89ab", "z"]


def console_on(out: io.StringIO, width: int, *, rewraps: bool = True) -> Console:
    return SafeConsole(
        out, rewraps=rewraps, width=width, height=14, force_terminal=True,
        force_interactive=True, color_system=None,
    )  # fmt: skip


CODE = (
    "Intro paragraph.\n\n```\n"
    + "".join(f"code line {n:02} {'x' * 48}\n" for n in range(40))
    + "```\n"
)
REASONING = "".join(f"thought {n:02} is a longer line of reasoning\n" for n in range(40))


def resized(
    panel_of: Callable[[Console], MarkdownPanel | TextPanel],
    text: str,
    *,
    at: int,
    widths: tuple[int, int],
    rewraps: bool = True,
    reflow: bool | None = None,
) -> tuple[list[str], str]:
    """Stream ``text`` into a live panel and resize the terminal from ``widths[0]`` to
    ``widths[1]`` columns after ``at`` chunks: the screen's rows then, and its text at the end.
    The panel erases rewrapped rows if ``rewraps``; the screen rewraps if ``reflow`` (by default
    it does what the panel expects)."""
    out = io.StringIO()
    console = console_on(out, widths[0], rewraps=rewraps)
    screen = ReflowScreen(widths[0], reflow=rewraps if reflow is None else reflow)
    panel = panel_of(console)
    pieces = chunk(text, [7, 5])
    for piece in pieces[:at]:
        panel.feed(piece)
    screen.feed(out.getvalue())
    before = screen.lines()
    out.seek(0), out.truncate()
    screen.resize(widths[1])
    console.width = widths[1]
    for piece in pieces[at:]:
        panel.feed(piece)
    panel.close()
    screen.feed(out.getvalue())
    return before, "\n".join(screen.lines())


@pytest.mark.parametrize(("boxed", "rewraps"), [(True, True), (False, True), (True, False)])
def test_narrowing_mid_answer_leaves_each_line_once(boxed: bool, rewraps: bool) -> None:
    def panel_of(console: Console) -> MarkdownPanel:
        return MarkdownPanel(console, refresh_per_second=1e9, boxed=boxed)

    # after 40 chunks the open fence is in the live tail
    _, shown = resized(panel_of, CODE, at=40, widths=(70, 50), rewraps=rewraps)
    for n in range(40):
        assert shown.count(f"code line {n:02}") == 1, (n, shown)
    assert shown.count("Intro paragraph.") == 1


def test_narrowing_mid_thinking_leaves_each_line_once() -> None:
    def panel_of(console: Console) -> TextPanel:
        return TextPanel(console, refresh_per_second=1e9)

    _, shown = resized(panel_of, REASONING, at=120, widths=(60, 45))
    for n in range(40):
        assert shown.count(f"thought {n:02}") == 1, (n, shown)


def test_widening_mid_answer_changes_nothing_already_shown() -> None:
    def panel_of(console: Console) -> MarkdownPanel:
        return MarkdownPanel(console, refresh_per_second=1e9)

    before, shown = resized(panel_of, CODE, at=40, widths=(50, 70))
    committed = [line for line in before if "Intro" in line]
    assert committed
    assert committed[0] in shown.split("\n")  # printed rows stay as they were
    for n in range(40):
        assert shown.count(f"code line {n:02}") == 1


KNOWN_TO_REWRAP = [
    {"TERM": "xterm-256color", "VTE_VERSION": "7600"},
    {"TERM": "xterm-256color", "KONSOLE_VERSION": "230800"},
    {"TERM": "xterm-kitty"},  # kitty's TERM reaches an ssh session too
    {"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"},
    {"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"},
    {"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"},
    {"TERM": "xterm-256color", "WT_SESSION": "f1e2d3"},
    {"TERM": "screen-256color", "TMUX": "/tmp/tmux-0/default,1,0"},
    {"TERM": "tmux-256color"},
    {"XTERM_VERSION": "XTerm(390)", "TMUX": "/tmp/tmux-0/default,1,0"},
    {"XTERM_VERSION": "XTerm(390)", "TERM_PROGRAM": "WezTerm"},
]
NOT_KNOWN_TO_REWRAP = [
    {},
    {"TERM": "linux"},
    {"TERM": "st-256color"},
    {"TERM": "xterm-256color"},  # xterm without XTERM_VERSION, e.g. over ssh: unknown
    {"TERM": "xterm-256color", "XTERM_VERSION": "XTerm(390)"},
    {"TERM": "rxvt-unicode-256color"},
    {"TERM": "screen.xterm-256color"},
    {"TERM": "screen-256color", "VTE_VERSION": "7600"},  # GNU screen inside a VTE terminal
]


@pytest.mark.parametrize(
    ("environ", "rewraps"),
    [*((e, True) for e in KNOWN_TO_REWRAP), *((e, False) for e in NOT_KNOWN_TO_REWRAP)],
)
def test_which_terminals_rewrap(environ: dict[str, str], rewraps: bool) -> None:
    assert rewraps_lines(environ) is rewraps
    terminal = Terminal(stdin=None, stdout=io.StringIO(), stderr=io.StringIO(), rewraps=rewraps)
    assert console_rewraps(terminal.console()) is rewraps


EARLIER = [f"earlier conversation {n:02}" for n in range(20)]


def after_earlier_rows(console: Console) -> MarkdownPanel:
    """A live panel below rows printed before it (the conversation so far)."""
    for line in EARLIER:
        console.print(line)
    return MarkdownPanel(console, refresh_per_second=1e9)


def narrowed_on(environ: dict[str, str], *, reflow: bool) -> str:
    """Narrow a terminal modelled as rewrapping or cutting mid-answer, the erasing decided by
    what `environ` says the terminal is: the screen's text at the end."""
    _, shown = resized(
        after_earlier_rows, CODE, at=40, widths=(70, 50), rewraps=rewraps_lines(environ),
        reflow=reflow,
    )  # fmt: skip
    for n in range(40):
        assert shown.count(f"code line {n:02}") == 1, (n, shown)
    return shown


@pytest.mark.parametrize("environ", NOT_KNOWN_TO_REWRAP)
def test_narrowing_a_terminal_not_known_to_rewrap_erases_nothing_printed(
    environ: dict[str, str],
) -> None:
    shown = narrowed_on(environ, reflow=False)  # such a terminal may well cut its rows
    for line in EARLIER:
        assert shown.count(line) == 1, (line, shown)


@pytest.mark.parametrize("environ", KNOWN_TO_REWRAP)
def test_narrowing_a_terminal_known_to_rewrap_erases_only_the_rewrapped_rows(
    environ: dict[str, str],
) -> None:
    shown = narrowed_on(environ, reflow=True)
    for line in EARLIER:
        assert shown.count(line) == 1, (line, shown)


def test_erasing_the_rewrapped_rows_on_a_terminal_that_cuts_would_blank_earlier_rows() -> None:
    """Why an unknown terminal gets no erasing: on one that cuts, the conversation goes."""
    _, shown = resized(after_earlier_rows, CODE, at=40, widths=(70, 50), rewraps=True, reflow=False)
    assert sum(shown.count(line) for line in EARLIER) < len(EARLIER)
