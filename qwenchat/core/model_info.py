"""What qwenchat knows about one model (or a family matched by pattern): a frozen record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Thinking = Literal["none", "hybrid", "only"]
THINKING_KINDS: tuple[str, ...] = ("none", "hybrid", "only")
# Where `enable_thinking` goes: DashScope reads it at the top level; vLLM, SGLang and
# llama.cpp's server pass `chat_template_kwargs` to the model's chat template.
THINKING_PARAMS: tuple[str, ...] = ("top-level", "chat_template_kwargs", "both")

SAMPLING_IGNORED_BY_QWQ = frozenset(
    {"temperature", "top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs"}
)
# Qwen's model cards recommend these for thinking mode (greedy decoding makes it loop).
THINKING_SAMPLING: tuple[tuple[str, float], ...] = (("temperature", 0.6), ("top_p", 0.95))


@dataclass(frozen=True)
class ModelInfo:
    """Capabilities of a model (or a family matched by pattern); None means unknown.

    `budget`: a thinking model that takes `thinking_budget`. `avoid_system`: the model's
    documentation advises against a system prompt. `thinking_param`: where the thinking
    switch goes for this model (None: the setting's choice). `source`: where the facts
    come from, and when they were seen.
    """

    pattern: str
    thinking: Thinking = "none"
    thinking_default: bool = False
    stream_only: bool = False
    tools: bool | None = None
    n: bool | None = None
    json_mode: bool | None = None
    vision: bool | None = None
    ignores: frozenset[str] = frozenset()
    context_window: int | None = None
    max_output: int | None = None
    thinking_sampling: tuple[tuple[str, float], ...] = ()
    budget: bool = True
    avoid_system: bool = False
    thinking_param: str | None = None
    description: str = ""
    source: str = ""
