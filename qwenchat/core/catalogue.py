"""The model catalogue: what qwenchat knows about each Qwen model's behaviour.

The data is in `lineup` (each entry with its source), matched by name pattern
(first match wins), and a user can override any field from the config file:

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
from typing import Any, cast

from qwenchat.core.errors import ConfigError
from qwenchat.core.lineup import CATALOGUE, NAMED_MODELS
from qwenchat.core.model_info import (
    THINKING_KINDS,
    THINKING_PARAMS,
    ModelInfo,
)


@dataclass(frozen=True)
class Catalogue:
    """Entries searched in order, the model names worth listing, and where thinking goes.

    `thinking_param` (top-level, chat_template_kwargs, both or reasoning_effort) is the
    setting's choice for models whose entry does not name one. `cap_field` is the name the
    output cap travels under: `max_completion_tokens` on DashScope (it replaced `max_tokens`
    there from 2026-04-20), `max_tokens` on the local servers that know only that.
    """

    entries: tuple[ModelInfo, ...] = CATALOGUE
    names: tuple[str, ...] = NAMED_MODELS
    thinking_param: str = "top-level"
    cap_field: str = "max_completion_tokens"

    def thinking_param_for(self, model: str) -> str:
        return self.lookup(model).thinking_param or self.thinking_param

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


def catalogue_from(
    overrides: Mapping[str, Any],
    *,
    thinking_param: str = "top-level",
    cap_field: str = "max_completion_tokens",
) -> Catalogue:
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
        changes = {
            key: _field(pattern, key, value) for key, value in table.items() if key != "price"
        }
        changes.setdefault(
            "source", "config file" + (f", over {base.source}" if base.source else "")
        )
        entries.append(replace(base, pattern=pattern, **changes))
        if not any(ch in pattern for ch in "*?[") and pattern not in names:
            names.append(pattern)
    return Catalogue(
        entries=(*entries, *CATALOGUE),
        names=tuple(names),
        thinking_param=thinking_param,
        cap_field=cap_field,
    )


_FIELD_TYPES: dict[str, type] = {
    "thinking_default": bool, "stream_only": bool, "tools": bool, "n": bool,
    "json_mode": bool, "context_window": int, "max_output": int,
    "description": str, "thinking": str, "ignores": list, "vision": bool, "budget": bool,
    "avoid_system": bool, "thinking_param": str, "source": str, "preserve_thinking": bool,
    "nonstream_thinking": bool,
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
    if key == "thinking_param" and value not in THINKING_PARAMS:
        raise ConfigError(f"{where}: must be {', '.join(THINKING_PARAMS)}, got {value!r}")
    if key == "ignores":
        return frozenset(str(item) for item in cast("list[Any]", value))
    return value


def describe(info: ModelInfo) -> dict[str, Any]:
    """A model's capabilities as plain JSON-ready data."""
    data = {f.name: getattr(info, f.name) for f in fields(info)}
    data["ignores"] = sorted(info.ignores)
    data["thinking_sampling"] = dict(info.thinking_sampling)
    return data


def summary(catalogue: Catalogue, model: str) -> str:
    """One line on where a model's facts come from (for `--debug`)."""
    info = catalogue.lookup(model)
    if not catalogue.knows(model):
        return f"model {model}: not in the catalogue; neutral defaults (nothing assumed)"
    kind = {"hybrid": "hybrid", "only": "always thinks", "none": "no thinking"}[info.thinking]
    if info.thinking == "hybrid":
        kind += ", thinks by default" if info.thinking_default else ", thinking off by default"
    window = f"{info.context_window:,}" if info.context_window else "unknown"
    family = " (family defaults)" if info.family else ""
    return f"model {model}: entry {info.pattern}{family}: {kind}, window {window}"


def merged_names(catalogue: Catalogue, served: Iterable[str]) -> list[str]:
    """The catalogue's names then the server's, each once, in that order."""
    seen: dict[str, None] = dict.fromkeys(catalogue.names)
    seen.update(dict.fromkeys(served))
    return list(seen)
