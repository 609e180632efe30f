"""The model catalogue: what qwenchat knows about each Qwen model's behaviour.

Unknown models get safe defaults: no thinking control sent, streaming allowed
both ways, nothing assumed ignored.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Literal

Thinking = Literal["none", "hybrid", "only"]

SAMPLING_IGNORED_BY_QWQ = frozenset(
    {"temperature", "top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs"}
)


@dataclass(frozen=True)
class ModelInfo:
    """Capabilities of a model (or a family matched by pattern)."""

    pattern: str
    thinking: Thinking = "none"
    thinking_default: bool = False
    stream_only: bool = False
    ignores: frozenset[str] = frozenset()
    context_window: int | None = None
    description: str = ""


# Most specific patterns first: the first match wins.
CATALOGUE: tuple[ModelInfo, ...] = (
    ModelInfo(
        "qwq-*",
        thinking="only",
        thinking_default=True,
        stream_only=True,
        ignores=SAMPLING_IGNORED_BY_QWQ,
        context_window=131072,
        description="QwQ reasoning model (streaming only)",
    ),
    ModelInfo(
        "qwen3-*",
        thinking="hybrid",
        thinking_default=True,
        context_window=131072,
        description="Qwen3 open-weight, thinking on by default",
    ),
    ModelInfo(
        "qwen-plus*",
        thinking="hybrid",
        thinking_default=False,
        context_window=131072,
        description="balanced commercial model",
    ),
    ModelInfo(
        "qwen-turbo*",
        thinking="hybrid",
        thinking_default=False,
        context_window=1000000,
        description="fastest, cheapest commercial model",
    ),
    ModelInfo("qwen-max*", context_window=32768, description="strongest commercial model"),
    ModelInfo("qwen*-1m", context_window=1000000, description="long-context open-weight"),
    ModelInfo("qwen2.5-*", context_window=131072, description="Qwen2.5 open-weight"),
    ModelInfo("qwen2-*", context_window=131072, description="Qwen2 open-weight"),
    ModelInfo("qwen1.5-*", context_window=32768, description="Qwen1.5 open-weight"),
)

NAMED_MODELS: tuple[str, ...] = (
    "qwen-max", "qwen-plus", "qwen-turbo", "qwq-32b", "qwq-plus",
    "qwen3-235b-a22b", "qwen3-32b", "qwen3-30b-a3b", "qwen3-14b", "qwen3-8b",
    "qwen3-4b", "qwen3-1.7b", "qwen3-0.6b",
    "qwen2.5-72b-instruct", "qwen2.5-32b-instruct", "qwen2.5-14b-instruct",
    "qwen2.5-7b-instruct", "qwen2.5-14b-instruct-1m", "qwen2.5-7b-instruct-1m",
    "qwen2-72b-instruct", "qwen2-7b-instruct",
    "qwen1.5-110b-chat", "qwen1.5-72b-chat", "qwen1.5-32b-chat", "qwen1.5-14b-chat",
    "qwen1.5-7b-chat",
)  # fmt: skip


def lookup(model: str) -> ModelInfo:
    """The catalogue entry for a model name; a neutral entry when unknown."""
    name = model.lower().rsplit("/", 1)[-1]
    for info in CATALOGUE:
        if fnmatch.fnmatchcase(name, info.pattern):
            return info
    return ModelInfo(pattern=name)
