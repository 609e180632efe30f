"""Building the request body for one turn (pure): Qwen's rules applied in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qwenchat.core.catalogue import DEFAULT_CATALOGUE, Catalogue
from qwenchat.core.errors import UsageError
from qwenchat.core.model_info import REASONING_EFFORT_ON, ModelInfo


@dataclass(frozen=True)
class RequestOptions:
    """Per-request choices from flags or REPL commands; None means "server default"."""

    temperature: float | None = None
    top_p: float | None = None
    presence_penalty: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()
    think: bool | None = None
    stream: bool = True
    thinking_budget: int | None = None
    n: int | None = None
    json_mode: bool = False
    search: bool = False


@dataclass(frozen=True)
class Plan:
    """A request ready to send, and what the user should be told about it."""

    body: dict[str, Any]
    warnings: tuple[str, ...]
    notes: tuple[str, ...] = ()  # advice, shown dim, not a warning

    @property
    def choices(self) -> int:
        return int(self.body.get("n") or 1)


SAMPLING = ("temperature", "top_p", "presence_penalty")
QWQ_SYSTEM_NOTE = (
    "note: Qwen advises against a system prompt for {model}; "
    "it reasons best with instructions in the message"
)


def build_request(
    model: str,
    messages: Sequence[dict[str, Any]],
    options: RequestOptions,
    *,
    tools: Sequence[dict[str, Any]] = (),
    catalogue: Catalogue = DEFAULT_CATALOGUE,
) -> Plan:
    """The JSON body for /chat/completions, with Qwen's rules applied.

    - thinking-only and stream-only models, and thinking on, are always streamed;
    - a non-streamed request to a hybrid-thinking model says `enable_thinking: false`;
    - a model the catalogue knows to have no thinking mode gets no thinking fields;
    - the thinking switch goes top-level, in `chat_template_kwargs` or both (the
      catalogue's `thinking_param`: DashScope reads the first, local servers the second);
    - sampling parameters a model ignores are left out, with one warning;
    - options a model cannot honour (`--json-mode` on QwQ, `-n` beyond qwen-plus) are
      usage errors, raised before anything is sent.
    """
    info = catalogue.lookup(model)
    warnings: list[str] = []
    think = _effective_think(model, info, catalogue.knows(model), options, warnings)
    thinking_on = info.thinking == "only" or (
        think if think is not None else (info.thinking_default and info.thinking != "none")
    )
    stream = options.stream or info.stream_only or (thinking_on and not info.nonstream_thinking)
    body: dict[str, Any] = {"model": model, "messages": list(messages), "stream": stream}
    if stream:
        body["stream_options"] = {"include_usage": True}
    param = catalogue.thinking_param_for(model)
    _thinking_fields(model, info, think, options, body, warnings, param)
    _sampling(model, info, options, body, warnings)
    _plain_fields(model, info, options, body, warnings, tools=bool(tools), cap=catalogue.cap_field)
    if tools:
        body["tools"] = list(tools)
    if info.preserve_thinking and thinking_on and info.thinking != "none":
        body["preserve_thinking"] = True
    notes: list[str] = []
    if info.avoid_system and messages and messages[0].get("role") == "system":
        notes.append(QWQ_SYSTEM_NOTE.format(model=model))
    return Plan(body=body, warnings=tuple(warnings), notes=tuple(notes))


def _effective_think(
    model: str, info: ModelInfo, known: bool, options: RequestOptions, warnings: list[str]
) -> bool | None:
    """The thinking switch once the model, --thinking-budget and --json-mode have had a say."""
    think = options.think
    if known and info.thinking == "none" and think is not None:
        if think:
            warnings.append(f"{model} has no thinking mode; --think not sent")
        think = None  # nothing to switch on or off
    if options.thinking_budget is not None:
        if think is False:
            raise UsageError("--thinking-budget needs thinking on; drop --no-think")
        if info.thinking == "hybrid":
            think = True
    if options.json_mode:
        if info.json_mode is False or info.thinking == "only":
            raise UsageError(f"{model} does not support --json-mode")
        if think is True:
            raise UsageError(
                "--json-mode does not work in thinking mode; remove --think (or add --no-think)"
            )
        if think is None and _may_think_unasked(info, known):
            think = False
    return think


def _may_think_unasked(info: ModelInfo, known: bool) -> bool:
    """A hybrid that thinks by default, or a model the catalogue does not know (it may)."""
    return (info.thinking == "hybrid" and info.thinking_default) or not known


def _thinking_fields(
    model: str,
    info: ModelInfo,
    think: bool | None,
    options: RequestOptions,
    body: dict[str, Any],
    warnings: list[str],
    param: str,
) -> None:
    if think is False and info.thinking == "only":
        warnings.append(f"{model} always thinks; --no-think has no effect")
    if think is not None and info.thinking != "only":
        _switch(body, think, param)
    elif not body["stream"] and info.thinking == "hybrid" and not info.nonstream_thinking:
        _switch(body, False, param)
    if options.thinking_budget is not None:
        if info.thinking == "none" and think is None:
            warnings.append(f"{model} has no thinking mode; --thinking-budget not sent")
        elif not info.budget:
            warnings.append(
                f"{model} always thinks but takes no thinking budget; --thinking-budget not sent"
            )
        else:
            body["thinking_budget"] = options.thinking_budget


def _switch(body: dict[str, Any], on: bool, param: str) -> None:
    """Thinking on or off, where this server reads it."""
    if param in ("top-level", "both"):
        body["enable_thinking"] = on
    if param in ("chat_template_kwargs", "both"):
        body["chat_template_kwargs"] = {"enable_thinking": on}
    if param == "reasoning_effort":
        body["reasoning_effort"] = REASONING_EFFORT_ON if on else "none"


def _sampling(
    model: str, info: ModelInfo, options: RequestOptions, body: dict[str, Any], warnings: list[str]
) -> None:
    ignored = [
        name for name in SAMPLING if getattr(options, name) is not None and name in info.ignores
    ]
    if ignored:
        flags = ", ".join("--" + name.replace("_", "-") for name in ignored)
        warnings.append(f"{model} ignores {flags}; not sent")
    for name in SAMPLING:
        value = getattr(options, name)
        if value is not None and name not in info.ignores:
            body[name] = value


def _plain_fields(
    model: str,
    info: ModelInfo,
    options: RequestOptions,
    body: dict[str, Any],
    warnings: list[str],
    *,
    tools: bool,
    cap: str = "max_completion_tokens",
) -> None:
    if options.max_tokens is not None:
        body[cap] = options.max_tokens
    if options.seed is not None:
        body["seed"] = options.seed
    if options.stop:
        body["stop"] = options.stop[0] if len(options.stop) == 1 else list(options.stop)
    if options.n is not None and options.n > 1:
        if info.n is False:
            raise UsageError(
                f"-n {options.n}: {model} returns one choice per request; qwen-plus takes -n"
            )
        if tools:
            warnings.append(f"-n {options.n} not sent: with tools the server returns one choice")
        else:
            body["n"] = options.n
    if options.json_mode:
        body["response_format"] = {"type": "json_object"}
    if options.search:
        body["enable_search"] = True


# DashScope's OpenAI-compatible mode takes seeds in [0, 2^31 - 1] (Model Studio error-code
# page, docs.qwencloud.com/api-reference/preparation/error-messages, mid-2026)
MAX_SEED = 2**31 - 1
MAX_CHOICES = 4


def validate(options: RequestOptions) -> None:
    """Reject values outside the ranges DashScope documents, naming the flag."""
    checks: list[tuple[str, object, bool, str]] = [
        ("--temperature", options.temperature,
         options.temperature is None or 0 <= options.temperature < 2, "in [0, 2)"),
        ("--top-p", options.top_p,
         options.top_p is None or 0 < options.top_p <= 1, "in (0, 1]"),
        ("--presence-penalty", options.presence_penalty,
         options.presence_penalty is None or -2 <= options.presence_penalty <= 2, "in [-2, 2]"),
        ("--max-tokens", options.max_tokens,
         options.max_tokens is None or options.max_tokens >= 1, "at least 1"),
        ("--seed", options.seed,
         options.seed is None or 0 <= options.seed <= MAX_SEED, f"in [0, {MAX_SEED}]"),
        ("-n", options.n, options.n is None or 1 <= options.n <= MAX_CHOICES, "in 1–4"),
        ("--thinking-budget", options.thinking_budget,
         options.thinking_budget is None or options.thinking_budget >= 1, "at least 1"),
    ]  # fmt: skip
    for flag, value, ok, expected in checks:
        if not ok:
            raise UsageError(f"{flag} must be {expected}, got {value}")
    if any(not s for s in options.stop):
        raise UsageError("--stop must not be empty")
