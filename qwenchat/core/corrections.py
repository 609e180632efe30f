"""The catalogue that corrects itself (pure): a refusal caused by a field qwenchat chose.

When a server refuses a request because of one of the fields qwenchat put in it (thinking on
a model that takes no switch, thinking switched off on a model that only thinks, a
non-streamed thinking call, JSON mode while thinking, an output cap under a name the server
does not know, `n` or `seed` out of range), `diagnose` names the reason and the fix. The
engine (`engine.corrections`) says so in one line, fixes that field, sends the request once
more, and on success remembers the fact for that model at that endpoint, so the next request
is right the first time (`apply`).

The rules: a reason is acted on once per request; a fact only ever drops a field, turns
thinking off, or renames the output cap (never a request that asks for more); the server's
words are kept as they came through `net.errors` (sanitised) and shown through the output seam.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

THINKING_FIELDS = ("enable_thinking", "chat_template_kwargs", "reasoning_effort",
                   "thinking_budget", "preserve_thinking")  # fmt: skip
CAPS = ("max_completion_tokens", "max_tokens")
_NOT_UNDERSTOOD = ("unrecognized", "unknown", "not support", "unsupported", "extra",
                   "not permitted", "deprecated", "not allowed", "invalid")  # fmt: skip
_RANGE_N = re.compile(r"(range of n\b|\bn\b.*(range|support|must|between))")

# fact -> what it means, in a line of `qwenchat models`
MEANINGS: dict[str, str] = {
    "no-thinking-switch": "takes no thinking switch (none is sent)",
    "always-thinks": "always thinks (thinking is never switched off)",
    "no-unstreamed-thinking": "thinks only when streamed (a non-streamed request turns it off)",
    "json-without-thinking": "JSON mode needs thinking off (it is turned off)",
    "cap:max_tokens": "takes the output cap as max_tokens",
    "cap:max_completion_tokens": "takes the output cap as max_completion_tokens",
    "no-n": "takes no n (one choice per request)",
    "no-seed": "takes no seed",
}


@dataclass(frozen=True)
class Learned:
    """A fact about a model at an endpoint, when it was learned and the server's words."""

    model: str
    endpoint: str
    fact: str
    said: str
    date: str

    @property
    def meaning(self) -> str:
        return MEANINGS.get(self.fact, self.fact)


@dataclass(frozen=True)
class Fix:
    """What to change, why, and the fact to remember once the resend works."""

    fact: str
    field: str  # the field, as the one line names it

    def apply(self, body: dict[str, Any]) -> dict[str, Any]:
        return apply_fact(self.fact, body)


def diagnose(status: int | None, message: str, body: dict[str, Any]) -> Fix | None:
    """The fix for a refusal caused by a field qwenchat chose, or None."""
    if status not in (400, 404, 422):
        return None
    text = message.lower()
    for fix, applies in _RULES:
        if applies(text, body) and apply_fact(fix.fact, body) != body:
            return fix
    return None


def _switch_on(body: dict[str, Any]) -> bool | None:
    """What the body says about thinking: True, False, or None (nothing)."""
    if "enable_thinking" in body:
        return bool(body["enable_thinking"])
    kwargs = body.get("chat_template_kwargs")
    if isinstance(kwargs, dict) and "enable_thinking" in kwargs:
        return bool(kwargs["enable_thinking"])
    if "reasoning_effort" in body:
        return bool(body["reasoning_effort"] != "none")
    return None


def _no_switch(text: str, body: dict[str, Any]) -> bool:
    said = "does not support enable_thinking" in text or "notsupportenablethinking" in text
    return said or ("enable_thinking" in text and any(w in text for w in _NOT_UNDERSTOOD[:4]))


def _only_thinks(text: str, body: dict[str, Any]) -> bool:
    words = ("restricted to true", "must be true", "only support thinking", "cannot be disabled")
    return _switch_on(body) is False and any(w in text for w in words)


def _unstreamed(text: str, body: dict[str, Any]) -> bool:
    return not body.get("stream") and "stream" in text and "think" in text


def _json(text: str, body: dict[str, Any]) -> bool:
    return "response_format" in body and "json mode" in text and "enable_thinking" in text


def _cap(name: str) -> Any:
    def applies(text: str, body: dict[str, Any]) -> bool:
        other = CAPS[1] if name == CAPS[0] else CAPS[0]
        named = name in text and (name != "max_tokens" or other not in text)
        return name in body and named and any(w in text for w in _NOT_UNDERSTOOD)

    return applies


def _n(text: str, body: dict[str, Any]) -> bool:
    return "n" in body and bool(_RANGE_N.search(text))


def _seed(text: str, body: dict[str, Any]) -> bool:
    return "seed" in body and "seed" in text


_RULES: tuple[tuple[Fix, Any], ...] = (
    (Fix("json-without-thinking", "thinking (for JSON mode)"), _json),
    (Fix("no-thinking-switch", "the thinking switch"), _no_switch),
    (Fix("always-thinks", "thinking off"), _only_thinks),
    (Fix("no-unstreamed-thinking", "thinking (not streamed)"), _unstreamed),
    (Fix("cap:max_tokens", "max_completion_tokens"), _cap("max_completion_tokens")),
    (Fix("cap:max_completion_tokens", "max_tokens"), _cap("max_tokens")),
    (Fix("no-n", "n"), _n),
    (Fix("no-seed", "seed"), _seed),
)


def apply_fact(fact: str, body: dict[str, Any]) -> dict[str, Any]:
    """The body with one learned fact applied (a new dict; the same content when it changes
    nothing)."""
    out = dict(body)
    if fact == "no-thinking-switch":
        for name in THINKING_FIELDS:
            out.pop(name, None)
    elif fact == "always-thinks" and _switch_on(out) is False:
        for name in ("enable_thinking", "chat_template_kwargs", "reasoning_effort"):
            out.pop(name, None)
    elif (fact == "no-unstreamed-thinking" and not out.get("stream")) or (
        fact == "json-without-thinking" and "response_format" in out
    ):
        _turn_off(out)
    elif fact.startswith("cap:"):
        wanted = fact.removeprefix("cap:")
        for name in CAPS:
            if name != wanted and name in out:
                out[wanted] = out.pop(name)
    elif fact in ("no-n", "no-seed"):
        out.pop(fact.removeprefix("no-"), None)
    return out


def _turn_off(body: dict[str, Any]) -> None:
    """Thinking off wherever the body switches it (top-level when it says nothing)."""
    said = False
    if "chat_template_kwargs" in body:
        body["chat_template_kwargs"] = {**body["chat_template_kwargs"], "enable_thinking": False}
        said = True
    if "reasoning_effort" in body:
        body["reasoning_effort"] = "none"
        said = True
    if "enable_thinking" in body or not said:
        body["enable_thinking"] = False
    body.pop("thinking_budget", None)
    body.pop("preserve_thinking", None)


def apply_all(facts: Iterable[Learned], body: dict[str, Any]) -> dict[str, Any]:
    for learned in facts:
        body = apply_fact(learned.fact, body)
    return body


def announcement(fix: Fix, model: str, said: str) -> str:
    """The one line: what the server refused, and what happens now."""
    words = said if len(said) <= 160 else said[:159] + "…"
    return (
        f"the server refused {fix.field} for {model} ({words}); sending once more with it "
        "fixed, and remembering that for this model at this endpoint"
    )
