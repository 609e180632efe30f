"""`qwenchat doctor`: check the configuration and the endpoint, one line per check.

Checks, in order: the settings load (config file, profile, base URL shape);
an API key is present (shown masked, with its source); proxy variables in
effect; the endpoint answers at all (`GET /models`); a minimal chat request
succeeds. On a 401 against a DashScope region the other regions are tried
with the same key, to say which region the key belongs to. The candidate
region URLs are a parameter, so tests can point them at loopback servers.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from qwenchat.core import errors
from qwenchat.core.endpoints import LM_STUDIO_PORT, REGION_NAMES, describe, is_dashscope
from qwenchat.core.redact import redact, redact_url
from qwenchat.core.request import RequestOptions, build_request
from qwenchat.core.sanitize import sanitize
from qwenchat.core.settings import NO_KEY_PLACEHOLDER, Settings

Status = Literal["ok", "FAIL", "info"]
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
PING = [{"role": "user", "content": "ping"}]
OLLAMA_PROBE_TIMEOUT = 2.0


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    status: Status
    name: str
    detail: str


def diagnose(
    load: Callable[[], Settings],
    *,
    environ: Mapping[str, str],
    region_urls: Mapping[str, str],
) -> Iterator[Check]:
    """Run the checks, yielding each result as soon as it is known; the key never shows."""
    keys: list[str] = []

    def loading() -> Settings:
        settings = load()
        if settings.api_key:
            keys.append(settings.api_key)
        return settings

    for check in _checks(loading, environ, region_urls):
        detail = redact_url(check.detail)
        for key in keys:
            detail = redact(detail, key)
        yield replace(check, detail=detail)


def _checks(
    load: Callable[[], Settings], environ: Mapping[str, str], region_urls: Mapping[str, str]
) -> Iterator[Check]:
    try:
        settings = load()
    except errors.QwenchatError as exc:
        yield Check("FAIL", "config", _message(exc))
        yield from proxy_checks(environ)
        return
    found = "found" if settings.config_path.is_file() else "not found, defaults used"
    profile = f"; profile {settings.profile}" if settings.profile else ""
    yield Check("ok", "config", f"{settings.config_path} ({found}){profile}")
    if settings.api_key:
        yield Check("ok", "api key", f"{settings.masked_key} ({settings.source('api_key')})")
    else:
        yield Check("FAIL", "api key", "not set: put DASHSCOPE_API_KEY in the environment or .env")
    where = _region_of(settings.base_url, region_urls)
    kind = f"DashScope {REGION_NAMES[where]}" if where else describe(settings.base_url)
    yield Check("ok", "base url", f"{settings.base_url} ({settings.source('base_url')}; {kind})")
    yield from proxy_checks(environ)
    yield from _network_checks(settings, region_urls)


def proxy_checks(environ: Mapping[str, str]) -> Iterator[Check]:
    """Proxy variables the HTTP client will honour, credentials masked."""
    found = False
    for name in PROXY_VARIABLES:
        for variable in (name, name.lower()):
            value = environ.get(variable)
            if value:
                found = True
                yield Check("info", "proxy", f"{variable}={_mask_credentials(value)}")
    if not found:
        yield Check("info", "proxy", "no proxy variables set")


def _network_checks(settings: Settings, region_urls: Mapping[str, str]) -> Iterator[Check]:
    reachable = _reach(settings)
    yield reachable
    if reachable.status == "FAIL":
        return
    if not is_dashscope(settings.base_url):
        yield from _thinking_switch(settings)
    if not settings.api_key:
        return
    try:
        _ping(settings)
    except errors.AuthError as exc:
        yield Check("FAIL", "request", _message(exc))
        yield from _key_region(settings, region_urls)
        return
    except errors.QwenchatError as exc:
        yield Check("FAIL", "request", _message(exc))
        return
    yield Check("ok", "request", f"{settings.model} answered a minimal request")


def _thinking_switch(settings: Settings) -> Iterator[Check]:
    """Which thinking switch this local server honours: Ollama answers `/api/version`."""
    param = settings.catalogue.thinking_param
    version = ollama_version(settings.base_url)
    if version is not None:
        advice = "" if param == "reasoning_effort" else '; set thinking_param = "reasoning_effort"'
        yield Check("info", "thinking", f"Ollama {version}: its /v1 honours only "
                    f"reasoning_effort (qwenchat sends {param}){advice}")  # fmt: skip
    elif urlsplit(settings.base_url).port == LM_STUDIO_PORT:
        yield Check("info", "thinking", "LM Studio's /v1 honours no thinking switch: "
                    "--think and --no-think have no effect there")  # fmt: skip


def ollama_version(base_url: str) -> str | None:
    """The version an Ollama server reports at `/api/version`, or None for any other server."""
    parts = urlsplit(base_url)
    url = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], "/api/version", "", ""))
    try:
        with urllib.request.urlopen(url, timeout=OLLAMA_PROBE_TIMEOUT) as response:
            data = json.loads(response.read(4096))
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return sanitize(str(version))[:40] if isinstance(version, str) and version else None


def _reach(settings: Settings) -> Check:
    from qwenchat.net.client import ChatClient

    client = ChatClient(replace(settings, api_key=settings.api_key or NO_KEY_PLACEHOLDER))
    try:
        listed = client.list_models()
    except errors.NetworkError as exc:
        return Check("FAIL", "endpoint", _message(exc))
    except errors.ApiError as exc:
        status = f"HTTP {exc.status}" if exc.status else "an error"
        return Check("ok", "endpoint", f"reachable ({status} for the model list)")
    finally:
        client.close()
    return Check("ok", "endpoint", f"reachable; {len(listed)} models listed")


def _ping(settings: Settings) -> None:
    """The smallest request that proves the key, the model and the endpoint work."""
    from qwenchat.net.client import ChatClient

    options = RequestOptions(max_tokens=1, stream=False, think=False)
    plan = build_request(settings.model, PING, options, catalogue=settings.catalogue)
    client = ChatClient(settings)
    try:
        for _ in client.stream(plan.body):
            pass
    finally:
        client.close()


def _key_region(settings: Settings, region_urls: Mapping[str, str]) -> Iterator[Check]:
    """After a 401 on one region, try the key on the others."""
    here = _region_of(settings.base_url, region_urls)
    if here is None:
        return
    for region, url in region_urls.items():
        if region == here:
            continue
        try:
            _ping(replace(settings, base_url=url, region=region))
        except errors.QwenchatError:
            continue
        name = REGION_NAMES.get(region, region)
        yield Check("FAIL", "region", f"the key belongs to {name}: use --region {region}")
        return
    yield Check("FAIL", "region", "the key was rejected in every region; check it in the console")


def _region_of(url: str, region_urls: Mapping[str, str]) -> str | None:
    for region, candidate in region_urls.items():
        if url.rstrip("/") == candidate.rstrip("/"):
            return region
    return None


def _mask_credentials(value: str) -> str:
    parts = urlsplit(value)
    if parts.password is None and parts.username is None:
        return value
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _message(exc: errors.QwenchatError) -> str:
    return exc.message + (f" — {exc.hint}" if exc.hint else "")


def report(checks: Iterator[Check], write: Callable[[str], None]) -> int:
    """Write one line per check; 0 when none failed, else 1."""
    failed = 0
    for check in checks:
        write(f"{check.status:<4}  {check.name:<8}  {check.detail}\n")
        failed += check.status == "FAIL"
    write("all checks passed\n" if not failed else f"{failed} check(s) failed\n")
    return errors.EXIT_OK if not failed else errors.EXIT_API
