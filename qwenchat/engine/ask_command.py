"""`qwenchat ask`: one prompt, one answer through the turn engine, the turn saved, an exit code.

With -c/--session the answer follows a saved conversation; the answer cache and the tools are
the engine's. How the answer looks is chosen by `render.choose`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import EXIT_OK
from qwenchat.core.request import RequestOptions, validate
from qwenchat.core.settings import Settings
from qwenchat.render.choose import OutputMode
from qwenchat.render.terminal import Terminal, join_prompt
from qwenchat.render.typeahead import no_echo

if TYPE_CHECKING:
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


def run_ask(settings: Settings, terminal: Terminal, options: AskOptions) -> int:
    """Answer once; returns the exit code, raises QwenchatError before anything is sent."""
    validate(options.request)
    text = join_prompt(options.prompt, terminal.read_piped())
    return answer_once(settings, terminal, text, options)


def answer_once(settings: Settings, terminal: Terminal, text: str, options: AskOptions) -> int:
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
        view = _display(settings, terminal, options, tools is not None, history, text)
        keys = terminal.stdin if terminal.stdin_is_tty and tools is None else None
        with no_echo(keys):  # keys typed during the reply are not echoed into it
            answered = _answer(settings, history, text, options, view, store, tools)
        if store is not None:
            _save(store, conversation_id, answered, history, settings, options, view)
    finally:
        if store is not None:
            store.close()
    if answered.result.error is not None:
        raise answered.result.error
    return EXIT_OK


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
    return ask_display(
        settings, terminal, options.output, options.request, tools=tools, price=price
    )


def _answer(
    settings: Settings,
    history: Conversation,
    text: str,
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
            settings, history, text, options.request, client, view, cache=cache, tools=tools
        )
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
    return ask_session(settings, terminal, options.tools, toolset)


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
