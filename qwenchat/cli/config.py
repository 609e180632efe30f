"""`qwenchat config`: the effective settings and where each came from."""

from __future__ import annotations

import typer

from qwenchat.cli.environment import environment
from qwenchat.cli.error_boundary import reports_errors
from qwenchat.cli.options import EndpointOptions, ModelOpt, settings_for
from qwenchat.cli.takes_options import takes_options
from qwenchat.core.endpoints import describe
from qwenchat.core.redact import redact, redact_url
from qwenchat.core.settings import Settings


@reports_errors
@takes_options(EndpointOptions)
def config(ctx: typer.Context, endpoint: EndpointOptions, model: ModelOpt = None) -> None:
    """Show the effective settings and where each came from (the key masked)."""
    settings = settings_for(ctx, endpoint, model=model)
    environment(ctx).output.out(table(masked(rows(settings), settings.api_key)))


def rows(settings: Settings) -> list[tuple[str, str, object]]:
    """(name, value, where it came from) for every setting, the key masked."""
    return [
        ("profile", settings.profile or "(none)", settings.source("profile")),
        ("api key", settings.masked_key, settings.source("api_key")),
        ("base url", redact_url(settings.base_url), settings.source("base_url")),
        ("region", settings.region, settings.source("region")),
        ("endpoint", describe(redact_url(settings.base_url)), "the base URL's host"),
        ("model", settings.model, settings.source("model")),
        ("timeout", f"{settings.timeout:g} s", settings.source("timeout")),
        ("max time", f"{settings.max_time:g} s" if settings.max_time else "(none)",
         settings.source("max_time")),
        ("retries", str(settings.retries), settings.source("retries")),
        ("system", settings.system or "(none)", settings.source("system")),
        ("thinking", settings.thinking_display, settings.source("thinking")),
        ("panels", "on" if settings.panels else "off (no borders)", settings.source("panels")),
        ("tool rounds", str(settings.tool_rounds), settings.source("tool_rounds")),
        ("approved tools", ", ".join(settings.approved_tools) or "(none)",
         settings.source("approved_tools")),
        ("config file", str(settings.config_path),
         "exists" if settings.config_path.is_file() else "not found"),
        ("data dir", str(settings.data_dir), ""),
        ("context window", f"{settings.context_window:,}" if settings.context_window
         else "per model", settings.source("context_window")),
    ]  # fmt: skip


def masked(found: list[tuple[str, str, object]], key: str | None) -> list[tuple[str, str, object]]:
    """Every value with the key masked (`[key]`): a `.env` may have built the base URL, or the
    system prompt, from `${DASHSCOPE_API_KEY}`; URL passwords as `user:***@`."""
    return [(name, redact(value, key), source) for name, value, source in found]


def table(found: list[tuple[str, str, object]]) -> str:
    width = max(len(name) for name, _, _ in found)
    lines = []
    for name, value, source in found:
        suffix = f"  ({source})" if source else ""
        lines.append(f"{name:<{width}}  {value}{suffix}\n")
    return "".join(lines)
