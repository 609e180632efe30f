"""The interactive chat: a prompt-toolkit loop around the turn engine (`engine.turn_engine`).

Policy for a reply cut short (Ctrl-C or an error mid-stream): what arrived
stays in the history, marked, so the model sees what it said; `/retry` asks
again and `/undo` drops the exchange.
"""

from __future__ import annotations

import importlib
import os
import platform
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TextIO

from qwenchat import __version__
from qwenchat.chat import actions, attach_commands, model_pick
from qwenchat.chat import slash as commands
from qwenchat.chat.actions import ChatState, Copy, Edit, Quit, Say, Send, SwitchProfile
from qwenchat.chat.chat_tools import ChatTools
from qwenchat.chat.clipboard import copy_to_clipboard
from qwenchat.chat.editor import edit_in_editor
from qwenchat.chat.saved_chat import SavedChat
from qwenchat.chat.session import ChatSession, Reload
from qwenchat.chat.shell_turn import offer_in_chat
from qwenchat.chat.typed import PausedReader, TypedAhead
from qwenchat.core import spend
from qwenchat.core.conversation import Conversation
from qwenchat.core.cost import Pricing
from qwenchat.core.errors import InternalError, Interrupted, QwenchatError, UsageError
from qwenchat.core.plural import plural
from qwenchat.core.request import RequestOptions
from qwenchat.core.roles import available
from qwenchat.core.settings import Settings
from qwenchat.render.chat_view import ChatFront, ChatView
from qwenchat.render.terminal import Terminal
from qwenchat.store.history import open_store

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession

    from qwenchat.engine.turn import TurnResult
    from qwenchat.tools.assemble import ToolOptions

PROMPT = "› "


@dataclass(frozen=True)
class ChatStart:
    """How a chat starts: the request flags, the conversation to resume, tools, piped text.

    `tty` is the terminal to read from when stdin is a pipe; `reload` gives the settings for a
    profile, for /profile.
    """

    request: RequestOptions = field(default_factory=RequestOptions)  # --think, --temperature…
    continue_last: bool = False
    session: str | None = None
    tools: ToolOptions | None = None
    reload: Reload | None = None
    piped: str | None = None
    tty: TextIO | None = None
    shell: bool = False  # the `shell` role: each answer's command is offered to run


def run_repl(settings: Settings, terminal: Terminal, start: ChatStart) -> None:
    """Start the chat (a saved one with `continue_last` or `session`); `piped` is sent first."""
    _preload()
    wanted = start.tools is not None and start.tools.wanted
    state = ChatState(
        Conversation(system=settings.system), settings.model, start.request.think, tools=wanted,
        request=start.request,
        profile=settings.profile, profiles=settings.profiles, pricing=Pricing.of(settings),
        roles=available(settings.role_tables, str(settings.config_path), os.environ,
                        platform.system()), shell=start.shell,
    )  # fmt: skip
    typed = TypedAhead((start.tty or terminal.stdin) if terminal.stdout_is_tty else None)
    repl = Repl(_session(settings, terminal, start, typed), terminal, state, start.tty, typed)
    if wanted:
        repl.session.tools.toolset()  # a bad --functions file fails now, not at the first question
    told = repl.open_store(continue_last=start.continue_last, session=start.session)
    repl.say(repl.view.fit(  # the model a resumed conversation goes on with, not the default
        f"qwenchat {__version__} · {repl.state.model} · {settings.base_url} · "
        "/help for help, Ctrl-D to leave"
    ))  # fmt: skip
    if told:
        repl.view.markdown(told)
    with repl.typed.chat():
        if start.piped and start.piped.strip():
            repl.send(start.piped.strip(), show=True)
        repl.loop()


def _session(
    settings: Settings, terminal: Terminal, start: ChatStart, typed: TypedAhead
) -> ChatSession:
    """The chat's session; consent is asked on the terminal the chat reads from, with the keys
    typed ahead during the reply set aside while it is answered."""
    source = start.tty or terminal.stdin
    ask_on = (PausedReader(source, typed), terminal.output.err) if source is not None else None
    tools = ChatTools(settings, start.tools, ask_on=ask_on, notice=terminal.output.notice)
    return ChatSession(settings, tools, start.reload)


# Commands that leave this conversation for another: consent given in it does not carry over.
NEW_CONVERSATION = frozenset({"/clear", "/resume"})


class Repl:
    """One interactive chat: its loop, the dispatch of what is typed, and its view; what it is
    connected to is its `ChatSession`."""

    def __init__(
        self,
        session: ChatSession,
        terminal: Terminal,
        state: ChatState,
        tty: TextIO | None,
        typed: TypedAhead,
    ) -> None:
        self.session = session
        self.state = state
        self.view = ChatView(terminal, panels=session.settings.panels)
        self.terminal = terminal
        self.tty = tty
        self._prompt: PromptSession[str] | None = None
        self.saved = SavedChat(None, session.settings, self.say)
        self.typed = typed or TypedAhead(
            (tty or terminal.stdin) if terminal.stdout_is_tty else None
        )

    def open_store(self, *, continue_last: bool, session: str | None) -> str | None:
        """Save this chat as it goes; load the conversation asked for on the command line (and
        say what was loaded)."""
        try:
            settings = self.session.settings
            self.saved = SavedChat(open_store(settings, warn=self.say), settings, self.say)
            self.state, told = self.saved.start(
                self.state, continue_last=continue_last, session=session
            )
        except QwenchatError as exc:
            if continue_last or session:
                raise
            self.error(exc)
            return None
        return told

    def loop(self) -> None:
        while True:
            try:
                line = self.next_line()
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                return
            if not line.strip():
                continue
            if line.lstrip().startswith("/") and self.handle_command(line.strip()):
                return
            if not line.lstrip().startswith("/"):
                self.send(line)

    def next_line(self) -> str:
        """A line typed ahead during the last reply (shown as if typed now), else the prompt's."""
        line = self.typed.next_line()
        if line is not None:
            self.view.typed(PROMPT, line)
            return line
        return self.prompt().prompt(PROMPT, default=self.typed.take_rest())

    def handle_command(self, line: str) -> bool:
        """Run a slash command; True when the REPL should end."""
        scope = self.session.consent_scope(self.state)
        ended = self._dispatch(line)
        if self.session.consent_scope(self.state) != scope or line.split()[0] in NEW_CONVERSATION:
            self.session.forget_consent()  # "always" held for that scope only
        return ended

    def _dispatch(self, line: str) -> bool:
        self.state, action = commands.dispatch(self.state, line)
        match action:
            case Quit():
                return True
            case Say(text):
                self.say(text)
            case actions.Refuse(text):
                self.error(UsageError(text))
            case Send(text):
                self.send(text)
            case actions.ShowReasoning(text):
                self.view.reasoning(text)
            case Copy(text, note):
                self.say(copy_to_clipboard(text, self.view.clipboard()) + note)
            case Edit():
                self._edit()
            case actions.Resume():
                self.state, told = self.saved.carry_out(self.state, action)
                self.view.markdown(told)  # the recap: answers as Markdown
            case actions.Sessions() | actions.Rename() | actions.Fork():
                self.state, told = self.saved.carry_out(self.state, action)
                self.say(told)
            case actions.Compress(keep):
                self._compress(keep)
            case SwitchProfile(name):
                self._switch_profile(name)
            case actions.Attach(spec):
                self._attach(spec)
            case actions.Mcp(argument):
                self._mcp(argument)
            case actions.ListModels():
                self.state, told = model_pick.carry_out(
                    self.state, action, self.session.model_names, self.settings.catalogue,
                    self.view.console.width,
                )  # fmt: skip
                self.say(told)
        self.state = self.saved.sync(self.state)
        return False

    def send(self, text: str, *, show: bool = False, offer: bool = True) -> None:
        """Send `text` (shown first when it was not typed at the prompt); with the shell role,
        the answer is then offered to run (`offer=False`: not this one)."""
        if show:
            self.view.typed(PROMPT, text)
        try:
            with self.typed.during_reply():
                result = self._run(text)
        except KeyboardInterrupt:
            self.say("interrupted")
            return
        except InternalError:
            raise
        except QwenchatError as exc:
            self.error(exc)
            return
        self.state = replace(
            self.state, conversation=self.state.conversation.with_turn(result.turn), attached=()
        )
        self.state = self.saved.sync(self.state)
        if isinstance(result.error, InternalError):
            raise result.error  # saved first; the boundary reports the bug (exit 70)
        if isinstance(result.error, Interrupted):
            self.say("interrupted: the partial answer stays in the history (/retry, /undo)")
        elif result.error is not None:
            self.error(result.error)
        elif self.state.shell and offer:
            offer_in_chat(self, result.turn.answer or "")

    def _run(self, text: str) -> TurnResult:
        from qwenchat.engine.turn import Question

        state = self.state
        question = Question(
            state.conversation, text, replace(state.request, think=state.think), state.attached
        )
        front = ChatFront(
            self.view, self.session.settings.thinking_display, tools=state.tools, priced=True
        )
        return self.session.conduct(state, question, self.saved, front).result

    def _mcp(self, argument: str) -> None:
        from qwenchat.chat.mcp_commands import carry_out

        try:
            done = carry_out(self.session.tools, self.state, argument)
        except QwenchatError as exc:
            self.error(exc)
            return
        self.state = done.state
        if done.told:
            self.say(done.told)
        if done.send is not None:
            self.send(done.send, show=True)

    def _attach(self, spec: str) -> None:
        try:
            self.state, told = attach_commands.load_pending(self.state, spec, self.session.tools)
        except QwenchatError as exc:
            self.error(exc)
            return
        self.view.attached(told)

    def _compress(self, keep: int) -> None:
        from qwenchat.engine.compress import compressed, summary_question

        before = self.state.conversation
        question = summary_question(before, keep, RequestOptions(think=self.state.think))
        front = ChatFront(self.view, "hide", tools=False, priced=False, answer_title="Summary")
        try:
            state = replace(self.state, tools=False)  # a summary is asked without tools
            summary = self.session.conduct(state, question, self.saved, front).result
            conversation = compressed(before, keep, summary)
        except KeyboardInterrupt:
            self.say("interrupted: nothing compressed")
            return
        except QwenchatError as exc:
            self.error(exc)
            return
        self.state = replace(self.state, conversation=conversation)
        self.saved.keep_title()  # the summary's request does not become the title
        self.say(
            f"compressed {plural(len(before.turns) - keep, 'turn')} into one summary; "
            f"kept the last {keep}"
        )

    def _switch_profile(self, name: str) -> None:
        if not self.session.can_switch:
            self.say("profiles cannot be switched here")
            return
        try:
            settings = self.session.switch_profile(name)
        except QwenchatError as exc:
            self.error(exc)
            return
        self.state = replace(
            self.state, model=settings.model, profile=name, pricing=Pricing.of(settings)
        )
        self.say(f"profile {name}: {settings.base_url} · model {settings.model}")

    @property
    def settings(self) -> Settings:
        return self.session.settings

    def say(self, text: str) -> None:
        self.view.say(text)

    def error(self, exc: QwenchatError) -> None:
        self.view.error(exc)

    def prompt(self) -> PromptSession[str]:
        if self._prompt is None:
            from qwenchat.chat.prompt import build_prompt

            self._prompt = build_prompt(
                self.session.settings.data_dir,
                models=self.session.model_names,
                profiles=lambda: self.state.profiles,
                toolbar=self.toolbar,
                tty=self.tty,
            )
        return self._prompt

    def toolbar(self) -> str:
        think = {True: "on", False: "off", None: "default"}[self.state.think]
        used_in, used_out = self.state.conversation.usage_totals()
        tools = " · tools on" if self.state.tools else ""
        cost = spend.total(self.state.conversation.turns, self.state.pricing, self.state.model)
        money = f" · {cost.money()}" if cost.money() else ""
        return self.view.fit(  # shortened to the width: a wrapped toolbar hides the prompt
            f" {self.state.model} · thinking {think}{tools} · {used_in + used_out:,} tokens"
            f"{money} · /help for commands "
        )

    def _edit(self) -> None:
        with self.typed.as_found():  # the editor gets the terminal as the chat found it
            edited = edit_in_editor(self.session.settings.editor, refused=self.error)
        if edited and edited.strip():
            self.send(edited.strip(), show=True)
        else:
            self.say("nothing sent")


def _preload() -> None:
    """Import the SDK and Markdown rendering while the user types the first message."""

    def work() -> None:
        for module in (
            "qwenchat.net.client",
            "qwenchat.render.rich_renderer",
            "qwenchat.engine.turn_engine",
        ):
            try:
                importlib.import_module(module)
            except Exception:
                return

    threading.Thread(target=work, name="qwenchat-preload", daemon=True).start()
