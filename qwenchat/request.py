"""Building the request body for one turn (pure): Qwen's rules applied in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qwenchat.errors import UsageError
from qwenchat.models import lookup


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


@dataclass(frozen=True)
class Plan:
    """A request ready to send, and what the user should be told about it."""

    body: dict[str, Any]
    warnings: tuple[str, ...]

    @property
    def streamed(self) -> bool:
        return bool(self.body.get("stream"))


SAMPLING = ("temperature", "top_p", "presence_penalty")


def build_request(
    model: str,
    messages: Sequence[dict[str, Any]],
    options: RequestOptions,
    *,
    tools: Sequence[dict[str, Any]] = (),
) -> Plan:
    """The JSON body for /chat/completions, with Qwen's rules applied.

    - thinking-only and stream-only models, and thinking on, are always streamed;
    - a non-streamed request to a hybrid-thinking model says `enable_thinking: false`;
    - sampling parameters a model ignores are left out, with one warning.
    """
    info = lookup(model)
    warnings: list[str] = []
    thinking_on = options.think if options.think is not None else info.thinking_default
    if info.thinking == "none" and options.think is None:
        thinking_on = False
    stream = options.stream or info.stream_only or thinking_on
    body: dict[str, Any] = {"model": model, "messages": list(messages), "stream": stream}
    if stream:
        body["stream_options"] = {"include_usage": True}
    if options.think is False and info.thinking == "only":
        warnings.append(f"{model} always thinks; --no-think has no effect")
    if options.think is not None and info.thinking != "only":
        body["enable_thinking"] = options.think
    elif not stream and info.thinking == "hybrid":
        body["enable_thinking"] = False
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
    if options.max_tokens is not None:
        body["max_tokens"] = options.max_tokens
    if options.seed is not None:
        body["seed"] = options.seed
    if options.stop:
        body["stop"] = options.stop[0] if len(options.stop) == 1 else list(options.stop)
    if tools:
        body["tools"] = list(tools)
    return Plan(body=body, warnings=tuple(warnings))


MAX_SEED = 2**64 - 1


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
         options.seed is None or 0 <= options.seed <= MAX_SEED, "an unsigned 64-bit integer"),
    ]  # fmt: skip
    for flag, value, ok, expected in checks:
        if not ok:
            raise UsageError(f"{flag} must be {expected}, got {value}")
    if any(not s for s in options.stop):
        raise UsageError("--stop must not be empty")
