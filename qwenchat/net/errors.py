"""Error statuses translated into qwenchat's errors: one table, the code decides first.

DashScope's OpenAI-compatible endpoint answers `{"error": {"message", "type", "code"}}`.
The same status means different things (a 429 is a rate limit, an exhausted quota or
an overdue account; a 400 is a bad request, arrears or content moderation), so a rule
is chosen by the error `code` first, by words in the message second and by the
status last. The first matching row of RULES wins. Whether a failure is worth another
attempt follows from the row too (`retry`), and `net.retry` honours it.

Source for the codes: Model Studio's "Error codes" page
(help.aliyun.com/en/model-studio/error-code, copies dated 2025-12-12 and 2026-06-23) and
the older "Status codes" page (alibabacloud.com/help/en/model-studio/developer-reference/
error-code, 2024-11-22); the 403 `AccessDenied.Unpurchased` status is seen in client
fixtures only. See docs/models.md.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from qwenchat.core import errors
from qwenchat.core.endpoints import (
    CODING_KEY_PREFIX,
    CODING_PLAN_URL,
    REGION_NAMES,
    REGION_URLS,
    endpoint_of,
)
from qwenchat.core.events import MODERATION_HINT
from qwenchat.core.sanitize import sanitize

_HTML_TITLE = re.compile(r"<title[^>]*>([^<]{1,120})</title>", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """One row: when it applies (status, code patterns, message words) and what it says.

    Empty `statuses`, `codes` or `words` match anything. `what` and `hint` are formatted
    with the request's `model`, `url`, `region` (the 401 region advice), `plan` (the 401
    advice for Coding Plan keys and hosts) and `wait`.
    """

    kind: type[errors.ApiError]
    what: str
    hint: str | None = None
    retry: bool = False
    statuses: frozenset[int] = frozenset()
    codes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    streamed: bool | None = None  # None: either; else only for a request streamed or not

    def matches(self, status: int, code: str, message: str, streamed: bool = True) -> bool:
        if self.statuses and status not in self.statuses:
            return False
        if self.streamed is not None and self.streamed != streamed:
            return False
        if self.codes and not any(fnmatch.fnmatchcase(code, p) for p in self.codes):
            return False
        return not self.words or any(word in message for word in self.words)


def _s(*statuses: int) -> frozenset[int]:
    return frozenset(statuses)


ARREARS = "the account is overdue (in arrears)"
ARREARS_HINT = "top up the account in the Model Studio console (Billing), then try again"
QUOTA = "the quota is used up"
QUOTA_HINT = "check the model's quota in the Model Studio console, or use another model"
FREE_QUOTA = "the free quota is used up"
FREE_QUOTA_HINT = (
    "the model's free quota is gone and the workspace uses free quota only: turn off "
    '"Free quota only" for the model in the Model Studio console to pay as you go'
)
TPM = "token rate limit reached (tokens per minute)"
NOT_ACTIVATED = "model {model} is not activated for this account"
NOT_ACTIVATED_HINT = (
    "activate the model in the Model Studio console (and check the workspace and region); "
    "the key itself was accepted"
)
NOT_PURCHASED = "the workspace has not subscribed to model {model}"
NOT_PURCHASED_HINT = "subscribe to the model for this workspace in the Model Studio console"
NO_PERMISSION = "this workspace has no permission for model {model}"
NO_PERMISSION_HINT = (
    "grant the workspace access to the model (Model Studio console, Permissions); "
    "the key and the region are fine"
)
ACCESS_DENIED = "access denied to model {model}"
ACCESS_DENIED_HINT = (
    "the key lacks permission for it, or the model's free quota is used up and it has no "
    "paid use: see the model's page in the Model Studio console"
)
NOT_COMPATIBLE = "model {model} is not offered in OpenAI-compatible mode"
NOT_COMPATIBLE_HINT = (
    "the model exists, but not on /compatible-mode; `qwenchat models` lists models that are"
)
NO_THINKING_SWITCH = "model {model} does not take enable_thinking"
NO_THINKING_SWITCH_HINT = 'drop --think/--no-think, or set thinking = "none" for it in config'
JSON_THINKING = "JSON mode does not work while the model thinks"
JSON_THINKING_HINT = "add --no-think to --json-mode"
WORKSPACE_AUTH_HINT = (
    "a workspace domain takes only keys of its own workspace: check the WorkspaceId in "
    "{url} and the key's workspace"
)
TIMED_OUT = "the model took too long (the server's limit is 300 s)"
TIMED_OUT_HINT = "stream the reply instead (drop --no-stream): a streamed reply is not cut off"
AUTH_HINT = "check DASHSCOPE_API_KEY; keys belong to one region and this request went to {url}"
UNKNOWN_MODEL_HINT = "`qwenchat models` lists the models qwenchat knows"
WRONG_PATH_HINT = "{url} has no such endpoint; check --base-url (it usually ends in /v1)"
MODEL_WORDS = ("model not exist", "does not exist", "model not found", "no such model")
_TPM_CODES = ("throttling.allocationquota", "insufficient_quota")

# Codes are matched lower-cased (fnmatch patterns); words against the lower-cased message.
# Sources: Model Studio's error-code page (docs.qwencloud.com/api-reference/preparation/
# error-messages, read 2026-12-04; it names Qwen3.7, so mid-2026 or later).
RULES: tuple[Rule, ...] = (
    # 1. the error code decides
    Rule(errors.QuotaError, ARREARS, ARREARS_HINT, codes=("arrearage",)),
    Rule(errors.RateLimitError, "rate limit exceeded", "{wait}", retry=True,
         codes=("throttling", "throttling.ratequota", "throttling.user", "rate_limit_exceeded",
                "limit_requests", "requests_rate_limit*", "throttling.burstrate",
                "limit_burst_rate")),
    Rule(errors.QuotaError, FREE_QUOTA, FREE_QUOTA_HINT, codes=("allocationquota.freetieronly",)),
    Rule(errors.QuotaError, FREE_QUOTA, FREE_QUOTA_HINT, codes=_TPM_CODES,
         words=("free allocated quota",)),
    Rule(errors.RateLimitError, TPM, "{wait}", retry=True, codes=_TPM_CODES),
    Rule(errors.QuotaError, QUOTA, QUOTA_HINT,
         codes=("allocationquota.*", "quota_exceeded", "*_quota_exceeded",
                "freetierquotaexceeded")),
    Rule(errors.ModelAccessError, NOT_PURCHASED, NOT_PURCHASED_HINT,
         codes=("commoditynotpurchased",)),
    Rule(errors.ModerationError, "content moderation", MODERATION_HINT,
         codes=("datainspectionfailed", "data_inspection_failed")),
    Rule(errors.ModelAccessError, NOT_ACTIVATED, NOT_ACTIVATED_HINT,
         codes=("accessdenied.unpurchased",)),
    Rule(errors.ModelAccessError, NO_PERMISSION, NO_PERMISSION_HINT,
         codes=("model.accessdenied", "workspace.accessdenied")),
    Rule(errors.ModelAccessError, ACCESS_DENIED, ACCESS_DENIED_HINT, codes=("accessdenied",)),
    Rule(errors.AuthError, "authentication failed", AUTH_HINT + "{region}{plan}",
         codes=("invalid_api_key", "invalidapikey")),
    Rule(errors.ModelNotFoundError, NOT_COMPATIBLE, NOT_COMPATIBLE_HINT,
         codes=("model_not_supported",)),
    Rule(errors.ModelNotFoundError, "unknown model {model}", UNKNOWN_MODEL_HINT,
         codes=("model_not_found", "modelnotfound")),
    Rule(errors.ApiError, NO_THINKING_SWITCH, NO_THINKING_SWITCH_HINT,
         codes=("invalidparameter.notsupportenablethinking",)),
    Rule(errors.ApiError, TIMED_OUT, TIMED_OUT_HINT, codes=("requesttimeout",), streamed=False),
    # 2. no code that says it: the message's words
    Rule(errors.QuotaError, ARREARS, ARREARS_HINT, words=("good standing", "arrear", "overdue")),
    Rule(errors.ApiError, JSON_THINKING, JSON_THINKING_HINT, statuses=_s(400),
         words=("json mode response is not supported when enable_thinking is true",)),
    Rule(errors.ModelNotFoundError, NOT_COMPATIBLE, NOT_COMPATIBLE_HINT, statuses=_s(400, 404),
         words=("for openai compatibility mode",)),
    Rule(errors.AuthError, "authentication failed", WORKSPACE_AUTH_HINT, statuses=_s(401),
         words=("not authorized",)),
    Rule(errors.QuotaError, QUOTA, QUOTA_HINT, statuses=_s(429),
         words=("quota", "billing", "insufficient", "balance")),
    Rule(errors.ModerationError, "content moderation", MODERATION_HINT,
         words=("inappropriate content",)),
    Rule(errors.ModelNotFoundError, "unknown model {model}", UNKNOWN_MODEL_HINT,
         statuses=_s(400, 404), words=MODEL_WORDS),
    # 3. the status alone
    Rule(errors.AuthError, "authentication failed", AUTH_HINT + "{region}{plan}",
         statuses=_s(401, 403)),
    Rule(errors.ApiError, "not found", WRONG_PATH_HINT, statuses=_s(404)),
    Rule(errors.RateLimitError, "rate limit exceeded", "{wait}", retry=True, statuses=_s(429)),
    Rule(errors.ApiError, "server error", "{wait}", retry=True,
         statuses=_s(500, 502, 503, 504)),
    Rule(errors.ApiError, "server error", None, statuses=frozenset(range(505, 600))),
    Rule(errors.ApiError, "the server rejected the request"),
)  # fmt: skip


@dataclass(frozen=True)
class Failure:
    """What the server said, taken apart: status, code, message and request id."""

    status: int
    message: str
    code: str | None = None
    request_id: str | None = None
    retry_after: float | None = None


def rule_for(failure: Failure, *, streamed: bool = True) -> Rule:
    """The first row of RULES that fits; the last row fits everything."""
    code = (failure.code or "").lower()
    message = failure.message.lower()
    return next(r for r in RULES if r.matches(failure.status, code, message, streamed))


def translate(
    failure: Failure, *, model: str, url: str, streamed: bool = True, key: str | None = None
) -> errors.ApiError:
    """One readable error, with the hint that helps, for an error status."""
    rule = rule_for(failure, streamed=streamed)
    wait = failure.retry_after
    values = {
        "model": repr(model) if model else "?",
        "url": url,
        "region": region_advice(url),
        "plan": plan_advice(url, key),
        "wait": f"the server asks to wait {wait:g} s" if wait else "wait a moment and retry",
    }
    code = f", {failure.code}" if failure.code else ""
    error = rule.kind(
        f"{rule.what.format(**values)}: {failure.message} ({failure.status}{code})",
        status=failure.status,
        code=failure.code,
        request_id=failure.request_id,
        hint=rule.hint.format(**values) if rule.hint else None,
        retry_after=wait,
    )
    error.retryable = rule.retry
    return error


def region_advice(url: str) -> str:
    """For a shared DashScope domain: its region, and the flags that pick the others."""
    host = endpoint_of(url)
    if host.region not in REGION_URLS or host.plan != "pay-as-you-go":
        return ""
    others = [code for code in REGION_URLS if code != host.region]
    flags = ", ".join(others[:-1]) + f" or {others[-1]}"
    return f" ({REGION_NAMES[host.region]}): try --region {flags}"


def plan_advice(url: str, key: str | None) -> str:
    """For a 401: a Coding Plan key (`sk-sp-…`) needs the plan's own endpoint, and back."""
    coding_key = bool(key and key.startswith(CODING_KEY_PREFIX))
    coding_host = endpoint_of(url).plan == "coding"
    if coding_key and not coding_host:
        return f"; sk-sp- keys are Coding Plan keys and work only on {CODING_PLAN_URL}"
    if coding_host and not coding_key:
        return "; the Coding Plan endpoint takes only its own sk-sp- keys"
    return ""


def error_fields(body: object, fallback: str) -> tuple[str, str | None]:
    """(message, code) from an error body, a proxy's HTML page or the SDK's own text."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            message = str(inner.get("message") or "").strip()
            code = inner.get("code")
            if message:
                return sanitize(message), (sanitize(str(code)) if code else None)
    title = _HTML_TITLE.search(body) if isinstance(body, str) else None
    if title and title.group(1).strip():  # a proxy's error page: its title says enough
        return sanitize(f"an HTML page: {title.group(1).strip()}"), None
    return sanitize(first_line(fallback)), None


def body_request_id(body: Any) -> str | None:
    value = body.get("request_id") if isinstance(body, dict) else None
    return str(value) if value else None


def first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""
