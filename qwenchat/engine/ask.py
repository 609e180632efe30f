"""`qwenchat ask`: one prompt, one streamed answer, an exit code."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from qwenchat.core.conversation import Conversation
from qwenchat.core.errors import EXIT_OK
from qwenchat.core.request import RequestOptions, validate
from qwenchat.core.settings import Settings
from qwenchat.render.base import Renderer
from qwenchat.render.terminal import Terminal, join_prompt

if TYPE_CHECKING:
    from qwenchat.engine.sources import CachingSource
    from qwenchat.engine.tool_loop import ToolSession
    from qwenchat.engine.turn import EventSource, TurnResult
    from qwenchat.store.database import Store, TurnRecord
    from qwenchat.tools.setup import ToolOptions

Output = Literal["auto", "plain", "json"]


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
    """Send `text` (after the saved history with -c/--session), render the reply, save the turn."""
    from qwenchat.core.spend import prompt_estimate
    from qwenchat.net.client import ChatClient
    from qwenchat.store.keeping import history_for_ask

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
        renderer = make_renderer(settings, terminal, options, prompt_estimate(history, text))
        client = ChatClient(settings)
        caching = _caching(client, store, options, renderer)
        try:
            result = _run(
                caching or client, history, text, settings, terminal, options, renderer, tools
            )
        finally:
            client.close()
        if store is not None:
            _save(store, conversation_id, result, history, settings, options, caching, renderer)
    finally:
        if store is not None:
            store.close()
    if result.error is not None:
        raise result.error
    return EXIT_OK


def _open_store(settings: Settings, terminal: Terminal, options: AskOptions) -> Store | None:
    """The store; without it an ask still answers (unless it needs the history), with a warning."""
    from qwenchat.store.database import StoreError
    from qwenchat.store.keeping import open_store

    try:
        return open_store(settings)
    except StoreError as exc:
        if options.continue_last or options.session:
            raise
        terminal.stderr.write(f"qwenchat: warning: {exc.message}; this answer is not saved\n")
        return None


def _caching(
    client: EventSource, store: Store | None, options: AskOptions, renderer: Renderer
) -> CachingSource | None:
    from qwenchat.engine.sources import CachingSource

    if store is None:
        return None
    reuse = options.cache or options.cache_thinking
    return CachingSource(
        client, store, reuse=reuse, thinking=options.cache_thinking, notice=renderer.notice
    )


def _run(
    source: EventSource,
    history: Conversation,
    text: str,
    settings: Settings,
    terminal: Terminal,
    options: AskOptions,
    renderer: Renderer,
    tools: ToolSession | None,
) -> TurnResult:
    from qwenchat.engine.sources import FittedSource
    from qwenchat.engine.turn import run_turn

    fitted = FittedSource.for_turn(
        source,
        history,
        model=settings.model,
        window=settings.context_window,
        max_tokens=options.request.max_tokens,
        notice=renderer.notice,
    )
    catalogue = settings.catalogue
    if tools is None:
        return run_turn(
            fitted, history, text, model=settings.model, options=options.request,
            renderer=renderer, catalogue=catalogue,
        )  # fmt: skip
    from qwenchat.engine.tool_loop import FinalRoundOnly, run_tool_turn

    def renderer_for_round() -> Renderer:
        fresh = make_renderer(settings, terminal, options)
        return FinalRoundOnly(fresh) if options.output == "json" else fresh

    return run_tool_turn(
        fitted, history, text, model=settings.model, options=options.request,
        renderers=renderer_for_round, tools=tools, catalogue=catalogue,
    )  # fmt: skip


def _tool_session(
    settings: Settings, terminal: Terminal, options: AskOptions
) -> ToolSession | None:
    """The tools for this answer, or None without --tools (a bad --functions file fails here)."""
    if options.tools is None or not options.tools.wanted:
        return None
    from pathlib import Path

    from qwenchat.tools.setup import ask_session, load_toolset

    toolset = load_toolset(settings, options.tools, Path.cwd())
    rich = options.output == "auto" and terminal.stdout_is_tty
    return ask_session(settings, terminal, options.tools, toolset, rich=rich)


def _save(
    store: Store,
    conversation_id: int | None,
    result: TurnResult,
    history: Conversation,
    settings: Settings,
    options: AskOptions,
    caching: CachingSource | None,
    renderer: Renderer,
) -> None:
    """Commit the turn; a turn that failed before any text arrived is not worth keeping."""
    from qwenchat.store.database import StoreError
    from qwenchat.store.keeping import record_for

    turn = result.turn
    if turn.outcome == "error" and not (turn.answer or turn.reasoning):
        return
    record = record_for(
        turn, settings, system=history.system, think=options.request.think,
        request_key=caching.key if caching else None,
        cached=bool(caching and caching.hit), history=history,
    )  # fmt: skip
    try:
        if conversation_id is None:
            conversation_id = store.create(source="ask")
        store.append(conversation_id, record)
        _budget(store, settings, record, renderer)
    except StoreError as exc:
        renderer.notice(f"warning: {exc.message}; this answer is not saved")


def _budget(store: Store, settings: Settings, record: TurnRecord, renderer: Renderer) -> None:
    """The monthly budget line, when this turn's cost crossed 80 % or 100 % of it."""
    from qwenchat.store.usage import budget_line

    line = budget_line(store, settings, record.cost)
    if line:
        renderer.notice(line)


def make_renderer(
    settings: Settings, terminal: Terminal, options: AskOptions, prompt_tokens: int | None = None
) -> Renderer:
    """The renderer for the output mode, each reply priced before it is shown."""
    from qwenchat.engine.pricing import PricedRenderer

    inner = _renderer(settings, terminal, options)
    return PricedRenderer(inner, settings, settings.model, prompt_tokens)


def _renderer(settings: Settings, terminal: Terminal, options: AskOptions) -> Renderer:
    """Rich panels on a terminal; the answer alone on stdout otherwise."""
    if options.output == "json":
        from qwenchat.render.json_renderer import JsonRenderer

        return JsonRenderer(terminal.stdout, terminal.stderr, model=settings.model)
    if options.output == "plain" or not terminal.stdout_is_tty:
        from qwenchat.render.plain import PlainRenderer

        return PlainRenderer(
            terminal.stdout,
            terminal.stderr,
            show_reasoning=settings.thinking != "hide",
            buffered=not options.request.stream,
        )
    from qwenchat.render.rich_renderer import RichRenderer

    return RichRenderer(
        terminal.console(), terminal.console(stderr=True), thinking=settings.thinking
    )
