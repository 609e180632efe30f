"""Settings: resolved once, frozen, and each value remembers where it came from.

Precedence, highest first: command-line flags > environment variables >
`.env.local` then `.env` in the current directory > the user config file
(`$XDG_CONFIG_HOME/qwenchat/config.toml`) > built-in defaults. A selected
profile (`--profile NAME`, a `[profiles.NAME]` table) sits just below the flags.
No other module reads these variables. This module reads no file: the command line
reads the config and `.env` files (`cli.settings_files`) and hands their contents in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from qwenchat.core import setting_values as values_
from qwenchat.core.catalogue import DEFAULT_CATALOGUE, Catalogue, catalogue_from
from qwenchat.core.endpoints import (
    REGION_URLS,
    cap_field_for,
    default_thinking_param,
    is_dashscope,
    region_for,
    url_problem,
)
from qwenchat.core.errors import ConfigError
from qwenchat.core.model_info import THINKING_PARAMS
from qwenchat.core.price_config import budget_from, prices_from
from qwenchat.core.prices import DEFAULT_PRICES, PriceTable
from qwenchat.core.provenance import DEFAULT, Layer, Source

Region = str  # a key of core.endpoints.REGIONS
ThinkingDisplay = Literal["full", "summary", "hide"]

DEFAULT_MODEL = "qwen-plus"
DEFAULT_TIMEOUT = 120.0
DEFAULT_RETRIES = 2
DEFAULT_TOOL_ROUNDS = 8
THINKING_DISPLAYS: tuple[str, ...] = ("full", "summary", "hide")

# Each setting, and the environment variables that provide it, in order of preference.
ENV_VARS: dict[str, tuple[str, ...]] = {
    "api_key": ("DASHSCOPE_API_KEY", "OPENAI_API_KEY"),
    "region": ("QWENCHAT_REGION",),
    "base_url": ("QWENCHAT_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE"),
    "model": ("QWENCHAT_MODEL", "MODEL_NAME"),
    "timeout": ("QWENCHAT_TIMEOUT",),
    "max_time": ("QWENCHAT_MAX_TIME",),
    "system": ("QWENCHAT_SYSTEM",),
    "thinking": ("QWENCHAT_THINKING",),
    "context_window": ("QWENCHAT_CONTEXT_WINDOW",),
    "retries": ("QWENCHAT_RETRIES",),
    "tool_rounds": ("QWENCHAT_TOOL_ROUNDS",),
    "approved_tools": ("QWENCHAT_APPROVED_TOOLS",),
    "profile": ("QWENCHAT_PROFILE",),
    "thinking_param": ("QWENCHAT_THINKING_PARAM",),
    "monthly_budget": ("QWENCHAT_MONTHLY_BUDGET",),
    "panels": ("QWENCHAT_PANELS",),
}
CONFIG_KEYS = frozenset(ENV_VARS)
# What a `[profiles.NAME]` table may set; `api_key_env` names the variable holding its key.
PROFILE_KEYS = frozenset(
    {
        "base_url",
        "region",
        "model",
        "timeout",
        "system",
        "thinking",
        "context_window",
        "thinking_param",
    }
)
PROFILE_KEY_FIELDS = frozenset({"api_key_env", "api_key"})
# Local servers ignore the key, but the SDK insists on one.
NO_KEY_PLACEHOLDER = "EMPTY"

# Settings never taken from the working directory's .env files.
NOT_FROM_DOTENV = frozenset({"approved_tools"})


@dataclass(frozen=True)
class Settings:
    """Everything qwenchat needs to know before it talks to a server."""

    api_key: str | None = field(repr=False)
    base_url: str
    region: Region
    model: str
    timeout: float
    system: str | None
    thinking_display: ThinkingDisplay  # how reasoning is shown (the `thinking` setting)
    config_path: Path
    data_dir: Path
    sources: Mapping[str, Source] = field(default_factory=dict)
    editor: str = "vi"
    context_window: int | None = None  # tokens; None: the model catalogue's value
    retries: int = DEFAULT_RETRIES  # extra attempts after a failure that may clear by itself
    tool_rounds: int = DEFAULT_TOOL_ROUNDS
    approved_tools: tuple[str, ...] = ()
    profile: str | None = None
    profiles: tuple[str, ...] = ()
    # the built-in catalogue with config.toml's [models."…"] tables in front, resolved once
    catalogue: Catalogue = DEFAULT_CATALOGUE
    prices: PriceTable = DEFAULT_PRICES  # with config.toml's [models."…".price] tables in front
    monthly_budget: float | None = None  # in the region's currency
    max_time: float | None = None  # seconds one reply may take in all; None: no deadline
    panels: bool = True  # replies in bordered panels; False: borderless, copyable Markdown
    role_tables: Mapping[str, Any] = field(default_factory=dict)  # config.toml's [roles.NAME]
    mcp_tables: Mapping[str, Any] = field(default_factory=dict)  # config.toml's [mcp.NAME] only

    # the base URL as a `.env` file wrote it, when it expanded a `${VAR}` into it
    base_url_written: str | None = None

    @property
    def stored_base_url(self) -> str:
        """The endpoint as it may be kept on disk: never with a `${VAR}` expanded into it."""
        return self.base_url_written or self.base_url

    @property
    def masked_key(self) -> str:
        return mask_key(self.api_key)

    @property
    def is_dashscope(self) -> bool:
        return is_dashscope(self.base_url)

    def require_key(self) -> str:
        source = self.source("api_key")
        if not self.api_key and source.layer == "profile":
            raise ConfigError(f"no API key: {source} is not set")
        if not self.api_key:
            raise ConfigError(
                "no API key: set DASHSCOPE_API_KEY in the environment or in a .env file, "
                "or point --base-url at a local server that needs none"
            )
        return self.api_key

    def source(self, name: str) -> Source:
        return self.sources.get(name, DEFAULT)


def mask_key(key: str | None) -> str:
    """Show just enough of a key to recognise it: `sk-…1a2b`."""
    if not key:
        return "(not set)"
    if len(key) < 12:
        return "…" + "*" * 4
    return f"{key[:3]}…{key[-4:]}"


@dataclass(frozen=True)
class FileLayers:
    """What the files said, read by the caller: core reads no file itself.

    `config` is the parsed config file (`config_path`), `dotenv_local` and `dotenv` the
    variables of `.env.local` and `.env`; `data_dir` is where conversations are kept.
    """

    config_path: Path
    data_dir: Path
    config: Mapping[str, Any] = field(default_factory=dict)
    dotenv_local: Mapping[str, str | None] = field(default_factory=dict)
    dotenv: Mapping[str, str | None] = field(default_factory=dict)
    directory: Path = Path()  # where the `.env` files were looked for
    config_text: str = ""  # the config file's text, for errors that name a line
    # each `.env` file's values as written, `${VAR}` not expanded (what may be stored)
    written: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)


def resolve_settings(
    flags: Mapping[str, Any], environ: Mapping[str, str], files: FileLayers
) -> Settings:
    """Resolve every setting from the layers, highest precedence first."""
    config_path = files.config_path
    config, tables = _split_config(files.config)
    dotenvs = (files.dotenv_local, files.dotenv)
    layers: list[dict[str, tuple[Any, Source]]] = [
        {
            k: (v, Source("flag", f"--{k.replace('_', '-')}"))
            for k, v in flags.items()
            if v is not None
        },
        _from_env(environ, "env"),
        _from_env(dotenvs[0], ".env.local"),
        _from_env(dotenvs[1], ".env"),
        {k: (v, Source("config", str(config_path))) for k, v in config.items()},
    ]
    profiles = tables.get("profiles", {})
    profile = _resolve(["profile"], layers)[0].get("profile")
    if profile is not None:
        layers.insert(1, _profile_layer(str(profile), profiles, (environ, *dotenvs)))
    values, sources = _resolve(list(ENV_VARS), layers)
    settings = _build(values, sources, config_path, files.data_dir)
    _check_key_destination(settings, files.directory)
    return replace(
        settings,
        base_url_written=_as_written(sources.get("base_url", DEFAULT), files.written),
        editor=environ.get("VISUAL") or environ.get("EDITOR") or "vi",
        profile=None if profile is None else str(profile),
        profiles=tuple(profiles),
        role_tables=tables.get("roles", {}),
        mcp_tables=tables.get("mcp", {}),
        catalogue=catalogue_from(
            tables.get("models", {}),
            thinking_param=_thinking_param(values.get("thinking_param"), settings, sources),
            cap_field=cap_field_for(settings.base_url),
        ),
        prices=prices_from(tables.get("models", {}), DEFAULT_PRICES, where=str(config_path),
                           read_text=lambda: files.config_text),
    )  # fmt: skip


def _split_config(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The config file's top-level settings, and its `[models]` and `[profiles]` tables."""
    flat = {k: v for k, v in data.items() if k in CONFIG_KEYS and not isinstance(v, dict)}
    tables = {
        k: v
        for k, v in data.items()
        if k in ("models", "profiles", "roles", "mcp") and isinstance(v, dict)
    }
    return flat, tables


def _resolve(
    names: list[str], layers: list[dict[str, tuple[Any, Source]]]
) -> tuple[dict[str, Any], dict[str, Source]]:
    """Each name's value and source from the first layer that has it."""
    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for name in names:
        for mapping in layers:
            if name in mapping and mapping[name][0] not in (None, ""):
                values[name], sources[name] = mapping[name]
                break
    return values, sources


def _as_written(source: Source, written: Mapping[str, Mapping[str, str | None]]) -> str | None:
    """The base URL's text in the `.env` file it came from, when that text names a variable."""
    raw = written.get(source.layer, {}).get(source.name)
    return raw.strip().rstrip("/") if raw and "${" in raw else None


def _check_key_destination(settings: Settings, cwd: Path) -> None:
    """Refuse to send the key to an endpoint named less trustworthily than the key itself."""
    key_source, url_source = settings.source("api_key"), settings.source("base_url")
    if settings.api_key in (None, "", NO_KEY_PLACEHOLDER) or url_source.layer == "region":
        return
    if settings.base_url in REGION_URLS.values():
        return
    if url_source.trust <= key_source.trust:
        return
    if url_source.from_dotenv:
        layer, named = url_source.layer, url_source.name
        where, fix = f"{cwd / layer} ({named})", f"delete {named} from {cwd / layer}"
    else:
        where, fix = str(url_source), "give the key in the same place (api_key, or api_key_env)"
    raise ConfigError(
        f"{where} names the endpoint but the API key comes from {key_source}, which is "
        f"more trusted; the key is not sent there: {fix}, or set the base URL with "
        "--base-url or in the environment"
    )


def _profile_layer(
    name: str, profiles: Mapping[str, Any], environs: tuple[Mapping[str, str | None], ...]
) -> dict[str, tuple[Any, Source]]:
    """The values a `[profiles.NAME]` table sets, its key read from the variable it names."""
    table = profiles.get(name)
    if not isinstance(table, Mapping):
        known = ", ".join(sorted(profiles)) or "none defined"
        raise ConfigError(
            f"unknown profile {name!r} (known: {known})",
            hint="profiles are [profiles.NAME] tables in the config file",
        )
    unknown = set(table) - PROFILE_KEYS - PROFILE_KEY_FIELDS
    if unknown:
        raise ConfigError(f"profile {name!r}: unknown keys {', '.join(sorted(unknown))}")
    source = Source("profile", name)
    layer = {k: (v, source) for k, v in table.items() if k in PROFILE_KEYS}
    variable = table.get("api_key_env")
    if variable:
        found = next((e.get(str(variable)) for e in environs if e.get(str(variable))), None)
        # a missing variable must not fall back to another server's key
        layer["api_key"] = (
            found or _Missing(str(variable)),
            Source("profile", name, str(variable)),
        )
    elif table.get("api_key"):
        layer["api_key"] = (table["api_key"], source)
    elif "base_url" in table and not is_dashscope(str(table["base_url"])):
        layer["api_key"] = (NO_KEY_PLACEHOLDER, Source("profile", name, "no key needed"))
    return layer


class _Missing(str):
    """A key variable a profile names but the environment lacks."""

    __slots__ = ()


def _build(
    values: Mapping[str, Any], sources: dict[str, Source], config_path: Path, data_dir: Path
) -> Settings:
    region = str(values.get("region", "cn")).lower()
    if region not in REGION_URLS:
        raise ConfigError(
            f"unknown region {region!r} (from {sources['region']}); use {', '.join(REGION_URLS)}"
        )
    base_url = _pick_base_url(values, sources, region)
    region, sources["region"] = region_for(base_url, region, sources.get("region", DEFAULT))
    thinking = str(values.get("thinking", "full")).lower()
    if thinking not in THINKING_DISPLAYS:
        raise ConfigError(
            f"unknown thinking display {thinking!r} (from {sources['thinking']}); "
            "use full, summary or hide"
        )
    api_key = values.get("api_key")
    if api_key is None and not is_dashscope(base_url):  # local servers ignore the key
        api_key, sources["api_key"] = NO_KEY_PLACEHOLDER, Source("default", via="no key needed")
    return Settings(
        api_key=None if isinstance(api_key, _Missing) else api_key,
        base_url=base_url,
        region=region,
        model=str(values.get("model", DEFAULT_MODEL)),
        timeout=values_.timeout_seconds(
            values.get("timeout", DEFAULT_TIMEOUT), sources.get("timeout")
        ),
        system=values.get("system") or None,
        thinking_display=thinking,  # type: ignore[arg-type]
        config_path=config_path,
        data_dir=data_dir,
        sources=sources,
        context_window=values_.context_window(values.get("context_window"), sources),
        retries=values_.retries(values.get("retries", DEFAULT_RETRIES), sources.get("retries")),
        tool_rounds=values_.tool_rounds(values.get("tool_rounds", DEFAULT_TOOL_ROUNDS), sources),
        approved_tools=values_.names(values.get("approved_tools", ())),
        monthly_budget=budget_from(values.get("monthly_budget"), sources.get("monthly_budget")),
        max_time=values_.max_time(values.get("max_time"), sources.get("max_time")),
        panels=values_.switch(values.get("panels", True), "panels", sources.get("panels")),
    )


def _thinking_param(value: Any, settings: Settings, sources: Mapping[str, Source]) -> str:
    """Where the thinking switch goes: as set, else top-level for DashScope, both elsewhere."""
    if value is None:
        return default_thinking_param(settings.base_url)
    if str(value) not in THINKING_PARAMS:
        raise ConfigError(
            f"unknown thinking_param {value!r} (from {sources.get('thinking_param')}); "
            f"use {', '.join(THINKING_PARAMS)}"
        )
    return str(value)


def _pick_base_url(values: Mapping[str, Any], sources: dict[str, Source], region: str) -> str:
    """An explicit base URL wins over the region unless the region was set more directly."""
    url = values.get("base_url")
    if url is not None:
        if sources["base_url"].rank <= sources.get("region", DEFAULT).rank:
            url = str(url).rstrip("/")
            problem = url_problem(url)
            if problem:
                raise ConfigError(f"{problem[0]} (from {sources['base_url']})", hint=problem[1])
            return url
        del sources["base_url"]
    sources["base_url"] = Source("region", region)
    return REGION_URLS[region]


def _from_env(environ: Mapping[str, str | None], layer: Layer) -> dict[str, tuple[Any, Source]]:
    found: dict[str, tuple[Any, Source]] = {}
    for name, variables in ENV_VARS.items():
        for variable in variables:
            value = environ.get(variable)
            if layer.startswith(".env") and name in NOT_FROM_DOTENV:
                break
            if value and value.strip():
                found[name] = (value.strip(), Source(layer, variable))
                break
    return found
