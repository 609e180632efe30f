"""The `shell` role in the chat: after each answer, the same run / explain / cancel as `ask`.

The rules are `chat.shell_offer`'s: the command is offered only when it can be shown as it is,
what runs is what was shown, keys typed during the reply never answer. The question is read
line by line from the terminal as the chat found it; "explain" asks in this conversation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol, TextIO

from qwenchat.chat.shell_offer import offer
from qwenchat.chat.typed import TypedAhead
from qwenchat.core.settings import Settings
from qwenchat.render.terminal import Terminal


class Chat(Protocol):
    """What the offer needs of the chat (`chat.repl.Repl`)."""

    terminal: Terminal
    tty: TextIO | None
    typed: TypedAhead

    @property
    def settings(self) -> Settings: ...

    def send(self, text: str, *, show: bool = False, offer: bool = True) -> None: ...

    def say(self, text: str) -> None: ...


EXPLAIN = "Explain this command briefly, step by step:\n{command}"


def offer_in_chat(repl: Chat, answer: str) -> None:
    """Offer the answer's command; a command that ran says how it ended."""
    terminal = repl.terminal
    if not terminal.stdin_is_tty and repl.tty is not None:
        terminal = replace(terminal, stdin=repl.tty)  # stdin was a pipe: ask on the terminal

    def explain(command: str) -> None:
        with repl.typed.quiet():  # a reply, as any other: keys typed meanwhile kept
            repl.send(EXPLAIN.format(command=command), show=True, offer=False)

    try:
        with repl.typed.as_found():
            code = offer(terminal, answer, explain, key=repl.settings.api_key)
    except KeyboardInterrupt:  # at the question, or while the command ran: the chat goes on
        repl.say("interrupted")
        return
    if code:
        repl.say(f"the command exited with status {code}")
