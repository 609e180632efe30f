"""`qwenchat ask`: one prompt, one answer through the turn engine, the turn saved, an exit code.

With -c/--session the answer follows a saved conversation; the answer cache and the tools are
the engine's. How the answer looks is chosen by `render.choose`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import EXIT_OK, UsageError
from qwenchat.core.request import RequestOptions, validate
from qwenchat.core.settings import Settings
from qwenchat.render.choose import OutputMode
from qwenchat.render.terminal import Terminal, join_prompt
from qwenchat.render.typeahead import no_echo

if TYPE_CHECKING:
    from qwenchat.core.attachments import Attachment
    from qwenchat.engine.turn import TurnView
    from qwenchat.engine.turn_engine import Answered
    from qwenchat.store.database import Store, TurnRecord
    from qwenchat.tools.session import ToolSession
    from qwenchat.tools.setup import ToolOptions

Output = OutputMode


@dataclass(frozen=True)
class AskOptions:
    prompt: str | None
    request: RequestOptions
    output: Output = "auto"
    continue_last: bool = False  # add the turn to the most recent conversation
    session: str | None = None  # add the turn to this named conversation (created if new)
    cache: bool = False  # reuse a stored answer to an identical request
    cache_thinking: bool = False  # ... thinking-mode requests included
    tools: ToolOptions | None = None
    attach: tuple[str, ...] = ()  # -a PATH|URL|- in order ("-": the bytes piped on stdin)
    shell: bool = False  # the `shell` role: offer to run the answer's command


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
    from qwenchat.store.history import history_for_ask

    settings.require_key()
    tools = _tool_session(settings, terminal, options)
    store = _open_store(settings, terminal, options)
    conversation_id, history = None, Conversation(system=settings.system)
    try:
        if store is not None:
            conversation_id, history, model = history_for_ask(
                store, settings, continue_last=options.continue_last, session=options.session
            )
            settings = replace(settings, model=model)
        history = _documents(
            settings, terminal, options, history, attachments, store, conversation_id
        )
        view = _display(settings, terminal, options, tools is not None, history, text)
        _show_attached(terminal, options, attachments)
        keys = terminal.stdin if terminal.stdin_is_tty and tools is None else None
        with no_echo(keys):  # keys typed during the reply are not echoed into it
            answered = _answer(settings, history, (text, attachments), options, view, store, tools)
        if tools is None:
            _say_tools_are_off(answered, options, view)
        if store is not None:
            _save(store, conversation_id, answered, history, settings, options, view)
    finally:
        if store is not None:
            store.close()
    if answered.result.error is not None:
        raise answered.result.error
    if options.shell:
        return _offer(settings, terminal, answered.result.turn.answer or "")
    return EXIT_OK


def _offer(settings: Settings, terminal: Terminal, answer: str) -> int:
    from qwenchat.chat.shell_offer import offer

    def explain(command: str) -> None:
        plain = AskOptions(None, RequestOptions(think=False), "plain")
        explainer = replace(settings, system="Explain shell commands briefly, step by step.")
        answer_once(explainer, terminal, f"Explain this command:\n{command}", plain)

    return offer(terminal, answer, explain, key=settings.api_key)


def _display(
    settings: Settings,
    terminal: Terminal,
    options: AskOptions,
    tools: bool,
    history: Conversation,
    text: str,
) -> TurnView:
    """The view for the output mode; each reply priced before it is shown."""
    from qwenchat.core.spend import pricer, prompt_estimate
    from qwenchat.render.choose import ask_display

    price = pricer(settings, settings.model, prompt_estimate(history, text))
    if options.shell and terminal.stdin_is_tty and terminal.stdout_is_tty:
        import io  # the offer shows the command once, as it is; the reply streams unseen

        terminal = replace(terminal, stdout=io.StringIO())
    return ask_display(
        settings, terminal, options.output, options.request, tools=tools, price=price
    )


def _documents(
    settings: Settings,
    terminal: Terminal,
    options: AskOptions,
    history: Conversation,
    attachments: tuple[Attachment, ...],
    store: Store | None,
    conversation_id: int | None,
) -> Conversation:
    """Checked first (nothing uploaded for a request that would be refused), then Qwen-Long's
    documents uploaded or found again."""
    from qwenchat.engine.turn_engine import with_checked_documents

    return with_checked_documents(
        settings, history, attachments, options.request, store=store,
        conversation_id=conversation_id, notice=terminal.output.notice,
    )  # fmt: skip


def _show_attached(
    terminal: Terminal, options: AskOptions, attachments: tuple[Attachment, ...]
) -> None:
    """On a terminal, each attachment of the question as one dim line before the answer."""
    if attachments and options.output == "auto" and terminal.stdout_is_tty:
        from qwenchat.render.chat_view import ChatView

        view = ChatView(terminal)
        for item in attachments:
            view.attached(f"📎 {item.label()}")


def _answer(
    settings: Settings,
    history: Conversation,
    message: tuple[str, tuple[Attachment, ...]],
    options: AskOptions,
    view: TurnView,
    store: Store | None,
    tools: ToolSession | None,
) -> Answered:
    from qwenchat.engine.turn_engine import CacheUse, answer
    from qwenchat.net.client import ChatClient

    cache = None
    if store is not None:
        cache = CacheUse(store, reuse=options.cache, reuse_thinking=options.cache_thinking)
    client = ChatClient(settings)
    try:
        return answer(
            settings, history, message[0], options.request, client, view, cache=cache,
            tools=tools, attachments=message[1],
        )  # fmt: skip
    finally:
        client.close()


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
    """The tools for this answer, or None without --tools (a bad --functions file fails here)."""
    if options.tools is None or not options.tools.wanted:
        return None
    from pathlib import Path

    from qwenchat.tools.setup import ask_session, load_toolset

    toolset = load_toolset(settings, options.tools, Path.cwd())
    if options.tools.mcp:
        from qwenchat.mcp.servers import toolset_for_ask

        toolset = toolset_for_ask(settings, options.tools.mcp, toolset, terminal.output.notice)
    return ask_session(settings, terminal, options.tools, toolset)


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
    history: Conversation,
    settings: Settings,
    options: AskOptions,
    view: TurnView,
) -> None:
    """Commit the turn; a turn that failed before any text arrived is not worth keeping."""
    from qwenchat.store.database import StoreError
    from qwenchat.store.history import record_for

    turn = answered.result.turn
    if turn.outcome == "error" and not (turn.answer or turn.reasoning):
        return
    record = record_for(
        turn, settings, system=history.system, think=options.request.think,
        request_key=answered.request_key, cached=answered.cached, history=history,
    )  # fmt: skip
    try:
        if conversation_id is None:
            conversation_id = store.create(source="ask")
        store.append(conversation_id, record)
        _budget(store, settings, record, view)
    except StoreError as exc:
        view.notice(f"warning: {exc.message}; this answer is not saved")


def _budget(store: Store, settings: Settings, record: TurnRecord, view: TurnView) -> None:
    """The monthly budget line, when this turn's cost crossed 80 % or 100 % of it."""
    from qwenchat.store.usage import budget_line

    line = budget_line(store, settings, record.cost)
    if line:
        view.notice(line)
