"""Base URLs (pure): what a usable endpoint looks like, and what its host says.

The classic mistakes are DashScope's native `/api/v1` where the SDK needs
`/compatible-mode/v1`, and pasting the full `/chat/completions` URL.

A host names a region and a plan. Source for the hosts: Model Studio's "Base URL overview"
(alibabacloud.com/help/en/model-studio/base-url, last updated 2026-10-11; the Chinese page
help.aliyun.com/zh/model-studio/base-url lists the workspace domains of Tokyo and
Frankfurt): the shared DashScope domains of Beijing, Singapore, US (Virginia) and Hong Kong,
workspace-dedicated domains `{WorkspaceId}.{region-id}.maas.aliyuncs.com`, trial domains
`trial.{region-id}.maas.aliyuncs.com`. Coding Plan: `coding.dashscope.aliyuncs.com/v1`
(China) and `coding-intl.dashscope.aliyuncs.com/v1` with `sk-sp-` keys (Qwen Cloud's Coding
Plan overview, 2026-03-11); Token Plan: `token-plan.{region-id}.maas.aliyuncs.com` (the
error-code page's 401 section, mid-2026). Plans are a subscription: their usage is
"included in your plan", never priced as pay-as-you-go.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from qwenchat.core.provenance import Source

NATIVE_PATH = "/api/v1"
COMPATIBLE_PATH = "/compatible-mode/v1"
DASHSCOPE_HOST = "dashscope"
MAAS_SUFFIX = ".maas.aliyuncs.com"
CODING_KEY_PREFIX = "sk-sp-"
CODING_PLAN_URL = "https://coding-intl.dashscope.aliyuncs.com/v1"
OLLAMA_PORT = 11434
LM_STUDIO_PORT = 1234

Plan = Literal["pay-as-you-go", "coding", "token"]


@dataclass(frozen=True)
class Region:
    """A Model Studio region: its flag value, name, shared URL (None: workspace domains only)."""

    code: str
    name: str
    url: str | None
    currency: str
    region_id: str


REGIONS: dict[str, Region] = {
    r.code: r
    for r in (
        Region("cn", "China (Beijing)", "https://dashscope.aliyuncs.com/compatible-mode/v1",
               "CNY", "cn-beijing"),
        Region("intl", "Singapore", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
               "USD", "ap-southeast-1"),
        Region("us", "US (Virginia)", "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
               "USD", "us-east-1"),
        Region("hk", "China (Hong Kong)",
               "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1", "USD",
               "cn-hongkong"),
        Region("jp", "Japan (Tokyo)", None, "USD", "ap-northeast-1"),
        Region("eu", "Germany (Frankfurt)", None, "USD", "eu-central-1"),
    )
}  # fmt: skip
# --region takes the regions with a shared DashScope domain.
REGION_URLS: dict[str, str] = {code: r.url for code, r in REGIONS.items() if r.url}
REGION_NAMES: dict[str, str] = {code: r.name for code, r in REGIONS.items()}
_BY_REGION_ID = {r.region_id: r.code for r in REGIONS.values()}
_SHARED_HOSTS = {
    "dashscope.aliyuncs.com": "cn",
    "dashscope-intl.aliyuncs.com": "intl",
    "dashscope-us.aliyuncs.com": "us",
    "cn-hongkong.dashscope.aliyuncs.com": "hk",
    "coding.dashscope.aliyuncs.com": "cn",
    "coding-intl.dashscope.aliyuncs.com": "intl",
}


@dataclass(frozen=True)
class Endpoint:
    """What a base URL's host says: DashScope or not, its region, its plan, and why."""

    dashscope: bool
    region: str | None
    plan: Plan | None
    why: str

    @property
    def included(self) -> bool:
        """Usage paid by a subscription (Coding Plan, Token Plan): no per-token price."""
        return self.plan in ("coding", "token")


@lru_cache(maxsize=64)
def endpoint_of(url: str) -> Endpoint:
    """The endpoint a base URL names, read from its host alone."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _SHARED_HOSTS:
        plan: Plan = "coding" if host.startswith("coding") else "pay-as-you-go"
        kind = "the Coding Plan host" if plan == "coding" else "DashScope's shared domain"
        return Endpoint(True, _SHARED_HOSTS[host], plan, f"{host} is {kind}")
    if host.endswith(MAAS_SUFFIX):
        return _maas(host)
    if DASHSCOPE_HOST in host:
        return Endpoint(True, None, "pay-as-you-go", f"{host} names DashScope; region unknown")
    return Endpoint(False, None, None, f"{host or url} is not a DashScope host")


def _maas(host: str) -> Endpoint:
    """`{WorkspaceId}|trial|token-plan.{region-id}.maas.aliyuncs.com`."""
    labels = host[: -len(MAAS_SUFFIX)].split(".")
    region = _BY_REGION_ID.get(labels[-1]) if len(labels) == 2 else None
    where = f"region {labels[-1]}" if region else "an unknown region"
    if labels[0] == "token-plan":
        return Endpoint(True, region, "token", f"{host} is the Token Plan host in {where}")
    kind = "a trial domain" if labels[0] == "trial" else "a workspace domain"
    return Endpoint(True, region, "pay-as-you-go", f"{host} is {kind} in {where}")


def describe(url: str) -> str:
    """Which region and plan a base URL is, and why (for `doctor` and `config`)."""
    host = endpoint_of(url)
    if not host.dashscope:
        return f"OpenAI-compatible server{_local_kind(url)}: {host.why}"
    where = REGIONS[host.region] if host.region else None
    region = f"{where.name}, {where.currency}" if where else "region unknown, no prices"
    plan = "usage included in your plan" if host.included else host.plan
    return f"DashScope {region}, {plan}: {host.why}"


def _local_kind(url: str) -> str:
    port = urlsplit(url).port
    if port == OLLAMA_PORT:
        return " (Ollama's port: thinking is switched with reasoning_effort)"
    if port == LM_STUDIO_PORT:
        return " (LM Studio's port: its /v1 honours no thinking switch)"
    return ""


def is_dashscope(url: str) -> bool:
    return endpoint_of(url).dashscope


def cap_field_for(url: str) -> str:
    """The output cap's name: DashScope replaced `max_tokens` by `max_completion_tokens`

    (Model Studio notice "Changes to certain model fields", effective 2026-04-20; `max_tokens`
    deprecated before 2026-05-30); local servers all know `max_tokens`.
    """
    return "max_completion_tokens" if is_dashscope(url) else "max_tokens"


def default_thinking_param(url: str) -> str:
    """Where the thinking switch goes when no setting says: DashScope reads it top-level;

    Ollama's /v1 honours only `reasoning_effort` (port 11434 is Ollama's); vLLM, SGLang and
    llama.cpp read `chat_template_kwargs`, so other servers get both forms.
    """
    if is_dashscope(url):
        return "top-level"
    return "reasoning_effort" if urlsplit(url).port == OLLAMA_PORT else "both"


def region_for(url: str, region: str, source: Source) -> tuple[str, Source]:
    """(region, its source): a DashScope host's own region wins over any other choice,

    since that is where the request goes and how it is billed.
    """
    host = endpoint_of(url)
    if host.region is None or host.region == region:
        return region, source
    return host.region, Source("base URL host", via=urlsplit(url).hostname or "")


def url_problem(url: str) -> tuple[str, str] | None:
    """(what is wrong, what to use instead) for a base URL that cannot work, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"base URL {url!r} is not an http(s) URL",
            "use something like https://dashscope.aliyuncs.com/compatible-mode/v1 "
            "or http://127.0.0.1:8000/v1",
        )
    path = parts.path.rstrip("/")
    if path.endswith("/chat/completions"):
        base = url.rstrip("/")[: -len("/chat/completions")]
        return (
            f"base URL {url!r} includes /chat/completions",
            f"give the base only: {base}",
        )
    if is_dashscope(url) and (path == NATIVE_PATH or path.startswith(NATIVE_PATH + "/")):
        fixed = f"{parts.scheme}://{parts.netloc}{COMPATIBLE_PATH}"
        return (
            f"base URL {url!r} is DashScope's native API, not the OpenAI-compatible one",
            f"use {fixed}",
        )
    return None
