"""`qwenchat ask`: one prompt, one answer through the turn engine, the turn saved, an exit code.

With -c/--session the answer follows a saved conversation; the answer cache and the tools are
the engine's. How the answer looks is chosen by `render.choose`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qwenchat.core.closed_output import OutputClosed
from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import EXIT_OK, UsageError
from qwenchat.core.request import RequestOptions, validate
from qwenchat.core.settings import Settings
from qwenchat.render.choose import OutputMode
from qwenchat.render.terminal import Terminal, join_prompt
from qwenchat.render.typeahead import no_echo

if TYPE_CHECKING:
    from qwenchat.core.attachments import Attachment
    from qwenchat.core.reply import Reply
    from qwenchat.engine.turn import TurnView
    from qwenchat.engine.turn_engine import Answered
    from qwenchat.store.database import Store
    from qwenchat.tools.assemble import ToolOptions
    from qwenchat.tools.session import ToolSession


@dataclass(frozen=True)
class AskOptions:
    prompt: str | None
    request: RequestOptions
    output: OutputMode = "auto"
    continue_last: bool = False  # add the turn to the most recent conversation
    session: str | None = None  # add the turn to this named conversation (created if new)
    cache: bool = False  # reuse a stored answer to an identical request
    cache_thinking: bool = False  # ... thinking-mode requests included
    tools: ToolOptions | None = None
    attach: tuple[str, ...] = ()  # -a PATH|URL|- in order ("-": the bytes piped on stdin)
    shell: bool = False  # the `shell` role: offer to run the answer's command
    extract: bool = False  # -x: only the fenced code of the answer on stdout


def run_ask(settings: Settings, terminal: Terminal, options: AskOptions) -> int:
    """Answer once; returns the exit code, raises QwenchatError before anything is sent."""
    from qwenchat.engine.attach_files import load_all

    validate(options.request)
    attachments = load_all(options.attach, terminal.read_piped_bytes)
    piped = None if "-" in options.attach else terminal.read_piped()  # `-a -` took stdin
    text = join_prompt(_valid_text(options.prompt), piped)
    return answer_once(settings, terminal, text, options, attachments)


def _valid_text(prompt: str | None) -> str | None:
    """The prompt argument, refused when it is not UTF-8 (its bytes arrive as surrogates)."""
    try:
        (prompt or "").encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UsageError(
            f"the prompt is not valid UTF-8 (character {exc.start + 1}); "
            "convert it, e.g. with iconv, or pipe it in"
        ) from None
    return prompt


def answer_once(
    settings: Settings,
    terminal: Terminal,
    text: str,
    options: AskOptions,
    attachments: tuple[Attachment, ...] = (),
) -> int:
    """Send `text` (after the saved history with -c/--session), show the reply, save the turn."""
    from qwenchat.engine.turn import Question
    from qwenchat.engine.turn_engine import Means, conduct
    from qwenchat.net.client import ChatClient
    from qwenchat.store.history import history_for_ask

    settings.require_key()
    tools = _tool_session(settings, terminal, options)
    store = _open_store(settings, terminal, options)
    conversation_id, history = None, Conversation(system=settings.system)
    client = None
    try:
        if store is not None:
            conversation_id, history, model = history_for_ask(
                store, settings, continue_last=options.continue_last, session=options.session,
                notice=terminal.output.notice,
            )  # fmt: skip
            settings = replace(settings, model=model)
        front = _AskFront(settings, terminal, options, tools is not None, attachments)
        client = ChatClient(settings)
        means = Means(
            client, store, conversation_id, cache=store is not None, reuse=options.cache,
            reuse_thinking=options.cache_thinking, tools=tools,
        )  # fmt: skip
        keys = terminal.stdin if terminal.stdin_is_tty and tools is None else None
        with no_echo(keys):  # keys typed during the reply are not echoed into it
            answered = conduct(
                settings, Question(history, text, options.request, attachments), means, front
            )
        view = front.shown()
        if tools is None:
            _say_tools_are_off(answered, options, view)
        if store is not None:
            _save(store, conversation_id, answered, settings, view)
    finally:
        if client is not None:
            client.close()
        if store is not None:
            store.close()
    if isinstance(answered.result.error, OutputClosed):
        return answered.result.error.exit_code  # saved, cut short; nobody left to tell
    if answered.result.error is not None:
        raise answered.result.error
    if options.extract:
        check_extracted(answered.result.turn.answer)
    if options.shell:
        return _offer(settings, terminal, answered.result.turn.answer or "")
    return EXIT_OK


def check_extracted(answer: str) -> None:
    """`-x` of an answer without code: say so (the turn is saved), exit 1."""
    from qwenchat.core.fences import fenced_code
    from qwenchat.render.extract import no_code_error

    if not fenced_code(answer):
        raise no_code_error()


def _offer(settings: Settings, terminal: Terminal, answer: str) -> int:
    from qwenchat.chat.shell_offer import offer

    def explain(command: str) -> None:
        plain = AskOptions(None, RequestOptions(think=False), "plain")
        explainer = replace(settings, system="Explain shell commands briefly, step by step.")
        answer_once(explainer, terminal, f"Explain this command:\n{command}", plain)

    return offer(terminal, answer, explain, key=settings.api_key)


class _AskFront:
    """`ask`'s front: remarks on stderr; the view for the output mode, after the attachments."""

    def __init__(
        self,
        settings: Settings,
        terminal: Terminal,
        options: AskOptions,
        tools: bool,
        attachments: tuple[Attachment, ...],
    ) -> None:
        self._settings, self._terminal, self._options = settings, terminal, options
        self._tools, self._attachments = tools, attachments
        self._view: TurnView | None = None

    def notice(self, text: str) -> None:
        self._terminal.output.notice(text)

    def view(self, price: Callable[[Reply], Reply]) -> TurnView:
        from qwenchat.render.choose import ask_display

        options, terminal = self._options, self._terminal
        if options.shell and terminal.stdin_is_tty and terminal.stdout_is_tty:
            import io  # the offer shows the command once, as it is; the reply streams unseen

            terminal = replace(terminal, stdout=io.StringIO())
        self._view = ask_display(
            self._settings, terminal, options.output, options.request,
            tools=self._tools, price=price, extract=options.extract,
        )  # fmt: skip
        _show_attached(self._terminal, options, self._attachments)
        return self._view

    def shown(self) -> TurnView:
        """The view the turn was shown in."""
        assert self._view is not None, "the turn was conducted"
        return self._view


def _show_attached(
    terminal: Terminal, options: AskOptions, attachments: tuple[Attachment, ...]
) -> None:
    """On a terminal, each attachment of the question as one dim line before the answer."""
    if attachments and options.output == "auto" and terminal.stdout_is_tty:
        from qwenchat.render.chat_view import ChatView

        view = ChatView(terminal)
        for item in attachments:
            view.attached(f"📎 {item.label()}")


def _open_store(settings: Settings, terminal: Terminal, options: AskOptions) -> Store | None:
    """The store; without it an ask still answers (unless it needs the history), with a warning."""
    from qwenchat.store.database import StoreError
    from qwenchat.store.history import open_store

    try:
        return open_store(settings)
    except StoreError as exc:
        if options.continue_last or options.session:
            raise
        terminal.output.notice(f"warning: {exc.message}; this answer is not saved")
        return None


def _tool_session(
    settings: Settings, terminal: Terminal, options: AskOptions
) -> ToolSession | None:
    """The tools for this answer, or None without --tools (a bad --functions file fails here);
    consent is asked only when stdin and stderr are a terminal."""
    if options.tools is None or not options.tools.wanted:
        return None
    from pathlib import Path

    from qwenchat.tools.assemble import load_toolset, tool_session

    toolset = load_toolset(settings, options.tools, Path.cwd())
    if options.tools.mcp:
        from qwenchat.mcp.servers import toolset_for_ask

        toolset = toolset_for_ask(settings, options.tools.mcp, toolset, terminal.output.notice)
    stdin = terminal.stdin if terminal.stdin_is_tty and terminal.stderr_is_tty else None
    ask_on = (stdin, terminal.output.err) if stdin is not None else None
    return tool_session(settings, options.tools, toolset, ask_on=ask_on)


def _say_tools_are_off(answered: Answered, options: AskOptions, view: TurnView) -> None:
    """A model that asked for tools that were not offered: say why nothing ran."""
    calls = answered.result.reply.tool_calls
    if not calls:
        return
    names = ", ".join(sorted({c.name or "?" for c in calls}))
    given = " (--yes-tools alone does not turn them on)" if options.tools else ""
    view.notice(
        f"the model asked to run {names}, but tools are off, so nothing ran{given}: "
        "add --tools to let it"
    )


def _save(
    store: Store,
    conversation_id: int | None,
    answered: Answered,
    settings: Settings,
    view: TurnView,
) -> None:
    """Commit the turn; a turn that failed before any text arrived is not worth keeping."""
    from qwenchat.store.database import StoreError
    from qwenchat.store.history import save_turn

    turn = answered.result.turn
    if turn.outcome == "error" and not (turn.answer or turn.reasoning):
        return
    try:
        if conversation_id is None:
            conversation_id = store.create(source="ask")
        saved = save_turn(store, conversation_id, answered.finished(), settings)
    except StoreError as exc:
        view.notice(f"warning: {exc.message}; this answer is not saved")
        return
    if saved.budget:
        view.notice(saved.budget)
