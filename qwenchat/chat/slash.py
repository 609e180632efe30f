"""Slash commands: a registry of small handlers that return what should happen.

Handlers never print and never touch the network: they take the chat state and
the argument and return a new state plus an action for the REPL to carry out.
`/help` and the README's table are generated from, and tested against, this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from qwenchat.chat.actions import (
    Action,
    Attach,
    ChatState,
    Compress,
    Copy,
    Edit,
    Fork,
    ListModels,
    Mcp,
    Quit,
    Refuse,
    Rename,
    Resume,
    Say,
    Send,
    Sessions,
    ShowReasoning,
    SwitchProfile,
)
from qwenchat.core.attachments import Attachment
from qwenchat.core.plural import plural
from qwenchat.core.roles import SHELL

Handler = Callable[[ChatState, str], tuple[ChatState, Action]]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Handler
    aliases: tuple[str, ...] = ()


REGISTRY: dict[str, Command] = {}


def command(
    name: str, usage: str, summary: str, aliases: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        REGISTRY[name] = Command(name, usage, summary, handler, aliases)
        return handler

    return register


def lookup(name: str) -> Command | None:
    for entry in REGISTRY.values():
        if name == entry.name or name in entry.aliases:
            return entry
    return None


def dispatch(state: ChatState, line: str) -> tuple[ChatState, Action]:
    """Run the slash command in `line` (which starts with '/')."""
    name, _, argument = line.strip().partition(" ")
    entry = lookup(name)
    if entry is None:
        close = [c.name for c in REGISTRY.values() if c.name.startswith(name[:3])]
        hint = f" — did you mean {', '.join(close)}?" if close and len(name) > 1 else ""
        return state, Say(f"unknown command {name}{hint} (type /help for the list)")
    return entry.handler(state, argument.strip())


def help_text() -> str:
    width = max(len(c.usage) for c in REGISTRY.values())
    lines = [f"{c.usage:<{width}}  {c.summary}" for c in REGISTRY.values()]
    return "\n".join(lines)


@command("/help", "/help", "show the commands and keys")
def _help(state: ChatState, _: str) -> tuple[ChatState, Action]:
    keys = (
        "Enter sends · Alt+Enter, Esc Enter or Ctrl+J: new line · Ctrl+R: search history · "
        "Ctrl+X Ctrl+E: edit in $EDITOR · Ctrl-C: stop the reply / clear the line · Ctrl-D: quit"
    )
    return state, Say(help_text() + "\n\n" + keys)


@command("/exit", "/exit", "leave (also /quit, Ctrl-D)", aliases=("/quit",))
def _exit(state: ChatState, _: str) -> tuple[ChatState, Action]:
    return state, Quit()


@command("/clear", "/clear", "start a new conversation (keeps the system prompt)")
def _clear(state: ChatState, _: str) -> tuple[ChatState, Action]:
    cleared = replace(state, conversation=state.conversation.cleared(), conversation_id=None)
    return cleared, Say("new conversation")


@command("/model", "/model [NAME]", "show or switch the model for the next turn")
def _model(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if not argument:
        return state, Say(f"model: {state.model}")
    return state, ListModels(pick=argument)  # checked against the names known (typos asked)


@command("/models", "/models [PAGE|all]", "the models qwenchat knows and the server offers")
def _models(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if argument == "all":
        return state, ListModels(page=0)
    if argument and not (argument.isdigit() and int(argument) >= 1):
        return state, Refuse(f"/models takes a page number or all, not {argument!r}")
    return state, ListModels(page=int(argument or 1))


@command("/profile", "/profile [NAME]", "show the profiles or switch to one (server, model, key)")
def _profile(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if not argument:
        names = ", ".join(state.profiles) or "none (add [profiles.NAME] to the config file)"
        return state, Say(f"profile: {state.profile or '(none)'} · profiles: {names}")
    return state, SwitchProfile(argument)


@command("/system", "/system [TEXT|off]", "show, set or remove the system prompt")
def _system(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if not argument:
        return state, Say(f"system: {state.conversation.system or '(none)'}")
    text = None if argument == "off" else argument
    conversation = state.conversation.with_system(text)
    return replace(state, conversation=conversation), Say(f"system: {text or '(none)'}")


@command("/role", "/role [NAME]", "list the roles or take one (system prompt and model)")
def _role(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    role = state.roles.get(argument)
    if role is None:
        names = ", ".join(state.roles) or "none"
        unknown = f"no role {argument!r}; " if argument else ""
        return state, Say(f"{unknown}roles: {names} (use /role NAME)")
    conversation = state.conversation.with_system(role.system or state.conversation.system)
    changed = replace(
        state, conversation=conversation, model=role.model or state.model,
        shell=role.name == SHELL,
    )  # fmt: skip
    return changed, Say(f"role: {role.name} · model: {changed.model}")


@command("/think", "/think [on|off|default]", "turn thinking mode on or off for the next turns")
def _think(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    choices = {"on": True, "off": False, "default": None}
    if argument and argument not in choices:
        return state, Refuse(f"/think takes on, off or default, not {argument!r}")
    if argument not in choices:
        current = {True: "on", False: "off", None: "model default"}[state.think]
        return state, Say(f"thinking: {current} (use /think on|off|default)")
    return replace(state, think=choices[argument]), Say(f"thinking: {argument}")


@command("/tools", "/tools [on|off]", "let the model call tools (asking before each runs), or not")
def _tools(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    choices = {"on": True, "off": False}
    if argument not in choices:
        return state, Say(f"tools: {'on' if state.tools else 'off'} (use /tools on|off)")
    return replace(state, tools=choices[argument]), Say(f"tools: {argument}")


@command(
    "/mcp", "/mcp [on|off NAME|prompts|use NAME]", "MCP servers: state and tools, on/off, prompts"
)
def _mcp(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    return state, Mcp(argument)


@command("/thinking", "/thinking", "show the last answer's full reasoning again")
def _thinking(state: ChatState, _: str) -> tuple[ChatState, Action]:
    last = state.conversation.last
    if last is None or not last.reasoning:
        return state, Say("the last answer has no reasoning")
    return state, ShowReasoning(last.reasoning)


@command("/retry", "/retry", "ask for the last answer again")
def _retry(state: ChatState, _: str) -> tuple[ChatState, Action]:
    last = state.conversation.last
    if last is None:
        return state, Say("nothing to retry")
    return replace(state, conversation=state.conversation.without_last()), Send(last.user)


@command("/undo", "/undo", "drop the last exchange from the conversation")
def _undo(state: ChatState, _: str) -> tuple[ChatState, Action]:
    last = state.conversation.last
    if last is None:
        return state, Say("nothing to undo")
    conversation = state.conversation.without_last()
    return replace(state, conversation=conversation), Say(f"removed: {_preview(last.user)}")


@command("/history", "/history", "list this conversation's turns")
def _history(state: ChatState, _: str) -> tuple[ChatState, Action]:
    turns = state.conversation.turns
    if not turns:
        return state, Say("no turns yet")
    lines = []
    for number, turn in enumerate(turns, 1):
        mark = "" if turn.complete else f" [{turn.outcome}]"
        if not turn.answer and not turn.steps:
            mark = f" [{turn.outcome} · not sent to the model]"
        lines.append(f"{number}. you: {_preview(turn.user)}")
        lines.append(f"   {turn.model or state.model}: {_preview(turn.answer)}{mark}")
    return state, Say("\n".join(lines))


@command("/usage", "/usage", "tokens and cost of this conversation, per model")
def _usage(state: ChatState, _: str) -> tuple[ChatState, Action]:
    from qwenchat.core.spend import usage_report

    return state, Say(usage_report(state.conversation.turns, state.pricing, state.model))


@command("/copy", "/copy", "copy the last answer (/copy code: its last code block)")
def _copy(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    from qwenchat.chat.clipboard import last_code_block, unshown_note

    if argument not in ("", "code"):
        return state, Refuse(f"/copy takes nothing or code, not {argument!r}")
    last = state.conversation.last
    if last is None or not last.answer:
        return state, Say("no answer to copy")
    if argument == "code":
        code = last_code_block(last.answer)
        return state, (Say("no code block in the last answer") if code is None else Copy(code))
    return state, Copy(last.answer, unshown_note(last.answer))


@command("/edit", "/edit", "write the next message in $EDITOR (also Ctrl+X Ctrl+E)")
def _edit(state: ChatState, _: str) -> tuple[ChatState, Action]:
    return state, Edit()


def _preview(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@command("/sessions", "/sessions", "list the newest 20 saved conversations (/sessions all)")
def _sessions(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if argument not in ("", "all"):
        return state, Refuse(f"/sessions takes nothing or all, not {argument!r}")
    return state, Sessions(every=argument == "all")


@command("/resume", "/resume NAME|ID", "switch to a saved conversation")
def _resume(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if not argument:
        return state, Say("usage: /resume NAME|ID (/sessions lists them)")
    return state, Resume(argument)


@command("/rename", "/rename NAME", "name this conversation (for --session NAME)")
def _rename(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if not argument:
        return state, Say("usage: /rename NAME")
    return state, Rename(argument)


@command("/fork", "/fork", "copy this conversation and continue in the copy")
def _fork(state: ChatState, _: str) -> tuple[ChatState, Action]:
    return state, Fork()


@command("/compress", "/compress [KEEP]", "summarise older turns, keeping the last KEEP (2)")
def _compress(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if argument and not argument.isdigit():
        return state, Say("usage: /compress [KEEP] (how many recent turns to keep as they are)")
    keep = int(argument) if argument else 2
    if len(state.conversation.turns) <= keep:
        return state, Say(f"nothing to compress: {plural(len(state.conversation.turns), 'turn')}")
    return state, Compress(keep)


@command(
    "/attach",
    "/attach PATH|URL|mcp:SERVER/URI",
    "attach a file, URL or MCP resource to the next message",
)
def _attach(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if not argument:
        return state, Say("usage: /attach PATH|URL (an image or a text file)")
    return state, Attach(argument)


@command("/attachments", "/attachments", "list what goes with the next message")
def _attachments(state: ChatState, _: str) -> tuple[ChatState, Action]:
    return state, Say(listing(state.attached))


@command("/detach", "/detach [N]", "drop attachment N (or all) from the next message")
def _detach(state: ChatState, argument: str) -> tuple[ChatState, Action]:
    if not argument:
        return replace(state, attached=()), Say(f"detached {len(state.attached)}")
    if not argument.isdigit() or not 1 <= int(argument) <= len(state.attached):
        return state, Say(f"no attachment {argument!r} (/attachments lists them)")
    index = int(argument) - 1
    gone = state.attached[index]
    kept = state.attached[:index] + state.attached[index + 1 :]
    return replace(state, attached=kept), Say(f"detached {gone.name}")


def listing(attached: tuple[Attachment, ...]) -> str:
    if not attached:
        return "nothing attached (/attach PATH|URL)"
    return "\n".join(f"{n}. {a.label()}" for n, a in enumerate(attached, 1))
