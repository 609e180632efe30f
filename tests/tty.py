"""Drive the real qwenchat in a pseudo-terminal and read the screen through a terminal emulator."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping

import pexpect
import pyte

ENTER = "\r"
ALT_ENTER = "\x1b\r"
CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_J = "\n"


PROMPT = "›"  # the chat's prompt; the screen's lines are right-trimmed, its trailing space gone


def paste(text: str) -> str:
    """The bytes a terminal sends for a bracketed paste."""
    return f"\x1b[200~{text}\x1b[201~"


def say(tty: Tty, text: str, *, keys: str = ENTER) -> None:
    """Type a message in the chat, send it, and wait for the next prompt."""
    before = tty.text().count(PROMPT)
    tty.send(text + keys)
    tty.wait_for(PROMPT, after=before)


class Tty:
    """qwenchat in a pty of `rows` x `cols`, its output fed to a pyte screen with scrollback."""

    def __init__(
        self,
        *args: str,
        env: Mapping[str, str],
        rows: int = 30,
        cols: int = 100,
        shell: str | None = None,
    ) -> None:
        self.screen = pyte.HistoryScreen(cols, rows, history=20000, ratio=0.5)
        self.stream = pyte.ByteStream(self.screen)
        program, argv = (
            ("/bin/sh", ["-c", shell]) if shell else (sys.executable, ["-m", "qwenchat", *args])
        )
        self.child = pexpect.spawn(
            program,
            argv,
            env=dict(env),
            dimensions=(rows, cols),
            timeout=20,
        )
        # answer the terminal's queries (cursor position reports) like a real terminal would
        self.screen.write_process_input = lambda data: self.child.send(data)  # type: ignore[method-assign]
        self.raw = bytearray()

    def pump(self, seconds: float = 0.05) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                data = self.child.read_nonblocking(
                    65536, timeout=max(0.0, deadline - time.monotonic())
                )
            except pexpect.TIMEOUT:
                return
            except pexpect.EOF:
                return
            self.raw += data
            self.stream.feed(data)
            if time.monotonic() >= deadline:
                return

    def lines(self) -> list[str]:
        """Scrollback then the visible screen, right-trimmed."""
        cols = self.screen.columns
        history = [
            "".join(line[x].data for x in range(cols)).rstrip() for line in self.screen.history.top
        ]
        return history + [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, needle: str, timeout: float = 20.0, *, after: int = 0) -> None:
        """Wait until `needle` shows on screen (counting only after `after` occurrences)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.05)
            if self.text().count(needle) > after:
                return
            if not self.child.isalive():
                self.pump(0.2)
                if self.text().count(needle) > after:
                    return
                break
        raise AssertionError(f"{needle!r} never appeared; screen:\n{self.text()}")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def wait_exit(self, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        while self.child.isalive() and time.monotonic() < deadline:
            self.pump(0.05)
        self.pump(0.1)
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
