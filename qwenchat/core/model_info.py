"""What qwenchat knows about one model (or a family matched by pattern): a frozen record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Thinking = Literal["none", "hybrid", "only"]
THINKING_KINDS: tuple[str, ...] = ("none", "hybrid", "only")
# Where `enable_thinking` goes: DashScope reads it at the top level; vLLM, SGLang and
# llama.cpp's server pass `chat_template_kwargs` to the model's chat template; Ollama's /v1
# ignores both and honours only `reasoning_effort` ("none" turns thinking off; ollama PR
# #14821, 2026-03-13). LM Studio's /v1 honours none of them (lmstudio-bug-tracker #632, #988).
THINKING_PARAMS: tuple[str, ...] = (
    "top-level",
    "chat_template_kwargs",
    "both",
    "reasoning_effort",
)
REASONING_EFFORT_ON = "high"

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
    come from, and when they were seen. `preserve_thinking`: None where no page documents
    it, False where one does (off unless the config turns it on), True to send it (earlier
    turns' reasoning then goes back with them). `nonstream_thinking`: the page says the model
    may think in a non-streamed reply (else thinking is always streamed). `family`: the entry
    is a family rule, its facts assumed for a name no page lists yet.
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
    preserve_thinking: bool | None = None
    family: bool = False
    nonstream_thinking: bool = False  # thinking may be answered without streaming
    description: str = ""
    source: str = ""
