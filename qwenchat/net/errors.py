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
from urllib.parse import urlsplit

from qwenchat.core import errors
from qwenchat.core.events import MODERATION_HINT
from qwenchat.core.sanitize import sanitize

REGION_HOSTS = (("dashscope-intl.", "intl", "International (Singapore)", "cn"),
                ("dashscope.", "cn", "China (Beijing)", "intl"))  # fmt: skip
_HTML_TITLE = re.compile(r"<title[^>]*>([^<]{1,120})</title>", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """One row: when it applies (status, code patterns, message words) and what it says.

    Empty `statuses`, `codes` or `words` match anything. `what` and `hint` are formatted
    with the request's `model`, `url`, `region` (the 401 region advice) and `wait`.
    """

    kind: type[errors.ApiError]
    what: str
    hint: str | None = None
    retry: bool = False
    statuses: frozenset[int] = frozenset()
    codes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def matches(self, status: int, code: str, message: str) -> bool:
        if self.statuses and status not in self.statuses:
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
NOT_ACTIVATED = "model {model} is not activated for this account"
NOT_ACTIVATED_HINT = (
    "activate the model in the Model Studio console (and check the workspace and region); "
    "the key itself was accepted"
)
AUTH_HINT = "check DASHSCOPE_API_KEY; keys belong to one region and this request went to {url}"
UNKNOWN_MODEL_HINT = "`qwenchat models` lists the models qwenchat knows"
WRONG_PATH_HINT = "{url} has no such endpoint; check --base-url (it usually ends in /v1)"
MODEL_WORDS = ("model not exist", "does not exist", "model not found", "no such model")

# Codes are matched lower-cased (fnmatch patterns); words against the lower-cased message.
RULES: tuple[Rule, ...] = (
    # 1. the error code decides
    Rule(errors.QuotaError, ARREARS, ARREARS_HINT, codes=("arrearage",)),
    Rule(errors.RateLimitError, "rate limit exceeded", "{wait}", retry=True,
         codes=("throttling", "throttling.ratequota", "throttling.user", "rate_limit_exceeded",
                "limit_requests", "requests_rate_limit*")),
    Rule(errors.QuotaError, QUOTA, QUOTA_HINT,
         codes=("insufficient_quota", "throttling.allocationquota", "allocationquota.*",
                "quota_exceeded", "*_quota_exceeded", "freetierquotaexceeded")),
    Rule(errors.ModerationError, "content moderation", MODERATION_HINT,
         codes=("datainspectionfailed", "data_inspection_failed")),
    Rule(errors.ModelAccessError, NOT_ACTIVATED, NOT_ACTIVATED_HINT,
         codes=("accessdenied.unpurchased",)),
    Rule(errors.AuthError, "authentication failed", AUTH_HINT + "{region}",
         codes=("invalid_api_key", "invalidapikey")),
    Rule(errors.ModelNotFoundError, "unknown model {model}", UNKNOWN_MODEL_HINT,
         codes=("model_not_found", "modelnotfound")),
    # 2. no code that says it: the message's words
    Rule(errors.QuotaError, ARREARS, ARREARS_HINT, words=("good standing", "arrear", "overdue")),
    Rule(errors.QuotaError, QUOTA, QUOTA_HINT, statuses=_s(429),
         words=("quota", "billing", "insufficient", "balance")),
    Rule(errors.ModerationError, "content moderation", MODERATION_HINT,
         words=("inappropriate content",)),
    Rule(errors.ModelNotFoundError, "unknown model {model}", UNKNOWN_MODEL_HINT,
         statuses=_s(400, 404), words=MODEL_WORDS),
    # 3. the status alone
    Rule(errors.AuthError, "authentication failed", AUTH_HINT + "{region}", statuses=_s(401, 403)),
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


def rule_for(failure: Failure) -> Rule:
    """The first row of RULES that fits; the last row fits everything."""
    code = (failure.code or "").lower()
    message = failure.message.lower()
    return next(r for r in RULES if r.matches(failure.status, code, message))


def translate(failure: Failure, *, model: str, url: str) -> errors.ApiError:
    """One readable error, with the hint that helps, for an error status."""
    rule = rule_for(failure)
    wait = failure.retry_after
    values = {
        "model": repr(model) if model else "?",
        "url": url,
        "region": region_advice(url),
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
    """For a DashScope URL: its region, and the flag that picks the other one."""
    host = urlsplit(url).hostname or ""
    for prefix, _, name, other in REGION_HOSTS:
        if host.startswith(prefix):
            return f" ({name}): try --region {other}"
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
