"""The model catalogue: what qwenchat knows about each Qwen model's behaviour.

All of it is data in this one module, matched by name pattern (first match
wins), and a user can override any field from the config file:

    [models."qwen-plus"]
    context_window = 1000000
    [models."my-finetune*"]
    thinking = "hybrid"

Unknown models get safe defaults: no thinking control sent, streaming allowed
both ways, nothing assumed ignored, capabilities "unknown" (None) so nothing
is refused.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, cast

from qwenchat.core.errors import ConfigError

Thinking = Literal["none", "hybrid", "only"]
THINKING_KINDS: tuple[str, ...] = ("none", "hybrid", "only")

SAMPLING_IGNORED_BY_QWQ = frozenset(
    {"temperature", "top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs"}
)
# Qwen's model cards recommend these for thinking mode (greedy decoding makes it loop).
THINKING_SAMPLING: tuple[tuple[str, float], ...] = (("temperature", 0.6), ("top_p", 0.95))


@dataclass(frozen=True)
class ModelInfo:
    """Capabilities of a model (or a family matched by pattern); None means unknown."""

    pattern: str
    thinking: Thinking = "none"
    thinking_default: bool = False
    stream_only: bool = False
    tools: bool | None = None
    n: bool | None = None
    json_mode: bool | None = None
    ignores: frozenset[str] = frozenset()
    context_window: int | None = None
    max_output: int | None = None
    thinking_sampling: tuple[tuple[str, float], ...] = ()
    description: str = ""


def _qwen3(pattern: str, context: int, description: str) -> ModelInfo:
    return ModelInfo(
        pattern, thinking="hybrid", thinking_default=True, tools=True, n=False, json_mode=True,
        context_window=context, max_output=8192, thinking_sampling=THINKING_SAMPLING,
        description=description,
    )  # fmt: skip


# Most specific patterns first: the first match wins. `name:tag` forms are Ollama's.
CATALOGUE: tuple[ModelInfo, ...] = (
    ModelInfo(
        "qwq*", thinking="only", thinking_default=True, stream_only=True, n=False,
        json_mode=False, ignores=SAMPLING_IGNORED_BY_QWQ, context_window=131072,
        max_output=8192, thinking_sampling=THINKING_SAMPLING,
        description="QwQ reasoning model (streaming only)",
    ),
    _qwen3("qwen3-0.6b*", 32768, "Qwen3 open-weight, thinking on by default"),
    _qwen3("qwen3-1.7b*", 32768, "Qwen3 open-weight, thinking on by default"),
    _qwen3("qwen3-4b*", 32768, "Qwen3 open-weight, thinking on by default"),
    _qwen3("qwen3[-:]*", 131072, "Qwen3 open-weight, thinking on by default"),
    ModelInfo(
        "qwen-plus*", thinking="hybrid", thinking_default=False, tools=True, n=True,
        json_mode=True, context_window=131072, max_output=8192,
        thinking_sampling=THINKING_SAMPLING, description="balanced commercial model",
    ),
    ModelInfo(
        "qwen-turbo*", thinking="hybrid", thinking_default=False, tools=True, n=False,
        json_mode=True, context_window=1000000, max_output=8192,
        thinking_sampling=THINKING_SAMPLING, description="fastest, cheapest commercial model",
    ),
    ModelInfo(
        "qwen-max*", tools=True, n=False, json_mode=True, context_window=32768,
        max_output=8192, description="strongest commercial model",
    ),
    ModelInfo(
        "qwen*-1m", tools=True, n=False, json_mode=True, context_window=1000000,
        max_output=8192, description="long-context open-weight",
    ),
    ModelInfo(
        "qwen2.5[-:]*", tools=True, n=False, json_mode=True, context_window=131072,
        max_output=8192, description="Qwen2.5 open-weight",
    ),
    ModelInfo("qwen2[-:]*", n=False, context_window=131072, description="Qwen2 open-weight"),
    ModelInfo("qwen1.5-*", n=False, context_window=32768, description="Qwen1.5 open-weight"),
)  # fmt: skip

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


@dataclass(frozen=True)
class Catalogue:
    """Entries searched in order, and the model names worth listing."""

    entries: tuple[ModelInfo, ...] = CATALOGUE
    names: tuple[str, ...] = NAMED_MODELS

    def lookup(self, model: str) -> ModelInfo:
        """The entry for a model name (`org/Name` and case ignored); neutral when unknown."""
        return self._match(model) or ModelInfo(pattern=_bare(model))

    def knows(self, model: str) -> bool:
        return self._match(model) is not None

    def _match(self, model: str) -> ModelInfo | None:
        name = _bare(model)
        for info in self.entries:
            if fnmatch.fnmatchcase(name, info.pattern.lower()):
                return info
        return None


def _bare(model: str) -> str:
    return model.lower().rsplit("/", 1)[-1]


DEFAULT_CATALOGUE = Catalogue()


def lookup(model: str) -> ModelInfo:
    """The built-in catalogue entry for a model name."""
    return DEFAULT_CATALOGUE.lookup(model)


def catalogue_from(overrides: Mapping[str, Any]) -> Catalogue:
    """The built-in catalogue with the config file's `[models."…"]` tables in front.

    A table changes only the fields it names; the rest come from the entry
    the name would match anyway.
    """
    entries: list[ModelInfo] = []
    names = list(NAMED_MODELS)
    for pattern, table in overrides.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f'config: [models."{pattern}"] must be a table')
        if set(table) == {"price"}:  # prices only: read by core.price_config
            continue
        base = DEFAULT_CATALOGUE.lookup(pattern)
        changes = {k: _field(pattern, k, v) for k, v in table.items() if k != "price"}
        entries.append(replace(base, pattern=pattern, **changes))
        if not any(ch in pattern for ch in "*?[") and pattern not in names:
            names.append(pattern)
    return Catalogue(entries=(*entries, *CATALOGUE), names=tuple(names))


_FIELD_TYPES: dict[str, type] = {
    "thinking_default": bool, "stream_only": bool, "tools": bool, "n": bool,
    "json_mode": bool, "context_window": int, "max_output": int,
    "description": str, "thinking": str, "ignores": list,
}  # fmt: skip
_INTS = frozenset({"context_window", "max_output"})


def _field(pattern: str, key: str, value: Any) -> Any:
    where = f'config: [models."{pattern}"] {key}'
    if key not in _FIELD_TYPES:
        known = ", ".join(sorted(_FIELD_TYPES))
        raise ConfigError(f"{where}: unknown field (known: {known})")
    expected = _FIELD_TYPES[key]
    if not isinstance(value, expected) or (isinstance(value, bool) and key in _INTS):
        raise ConfigError(f"{where}: expected {expected.__name__}, got {value!r}")
    if key == "thinking" and value not in THINKING_KINDS:
        raise ConfigError(f"{where}: must be none, hybrid or only, got {value!r}")
    if key == "ignores":
        return frozenset(str(item) for item in cast("list[Any]", value))
    return value


def describe(info: ModelInfo) -> dict[str, Any]:
    """A model's capabilities as plain JSON-ready data."""
    data = {f.name: getattr(info, f.name) for f in fields(info)}
    data["ignores"] = sorted(info.ignores)
    data["thinking_sampling"] = dict(info.thinking_sampling)
    return data


def merged_names(catalogue: Catalogue, served: Iterable[str]) -> list[str]:
    """The catalogue's names then the server's, each once, in that order."""
    seen: dict[str, None] = dict.fromkeys(catalogue.names)
    seen.update(dict.fromkeys(served))
    return list(seen)
