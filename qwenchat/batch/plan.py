"""From items to request bodies (pure): the command's options, then each line's own.

Bodies are built by `request.build_request` with the settings' catalogue, and a conversation
line is trimmed to the model's context window by the same fit (`core.context_fit`), so a
batch follows the same rules as `ask`. For the Batch service the bodies are not streamed, which
rules out thinking mode.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from qwenchat.batch.inputs import SHOWN_PROBLEMS, Item, invalid_lines
from qwenchat.core import context_fit as context
from qwenchat.core.attachments import Attachment, AttachmentError, check_for_model, user_content
from qwenchat.core.catalogue import Catalogue
from qwenchat.core.errors import UsageError
from qwenchat.core.model_info import ModelInfo
from qwenchat.core.request import RequestOptions, build_request, validate


@dataclass(frozen=True)
class Job:
    """One request ready to send: the id its result is filed under, and the body."""

    id: str
    body: dict[str, Any]

    @property
    def prompt(self) -> str | None:
        """The last user message's text (what the output row shows as its prompt)."""
        messages = self.body.get("messages")
        for message in reversed(messages if isinstance(messages, list) else []):
            if isinstance(message, dict) and message.get("role") == "user":
                content = message.get("content")
                return content if isinstance(content, str) else None
        return None


@dataclass(frozen=True)
class Defaults:
    """What a line does not say for itself."""

    model: str
    system: str | None
    options: RequestOptions
    catalogue: Catalogue  # the settings' catalogue, with the config's model overrides
    context_window: int | None = None  # the configured window, over the catalogue's
    load: Callable[[str], Attachment] | None = None  # reads a line's attachment (at the edge)


@dataclass(frozen=True)
class Planned:
    jobs: list[Job]
    warnings: tuple[str, ...]


def plan_jobs(
    items: Iterable[Item], defaults: Defaults, *, name: str, remote: bool, keep: bool = True
) -> Planned:
    """Bodies for every item; UsageError naming each line whose parameters cannot work.

    With `keep=False` the bodies are only checked, not kept (a long input streaming past).
    """
    jobs: list[Job] = []
    warnings: dict[str, None] = {}
    problems: list[str] = []
    count = 0
    for item in items:
        try:
            job, said = plan_job(item, defaults, remote=remote)
        except UsageError as exc:
            count += 1
            if len(problems) < SHOWN_PROBLEMS:
                problems.append(f"line {item.line}: {exc.message.removeprefix('--')}")
            continue
        if keep:
            jobs.append(job)
        warnings.update(dict.fromkeys(said))
    if count:
        raise invalid_lines(name, problems, count)
    return Planned(jobs, tuple(warnings))


def plan_job(item: Item, defaults: Defaults, *, remote: bool) -> tuple[Job, list[str]]:
    """One item's request, and what the request rules had to say about it."""
    body, said = _body(item, defaults, remote=remote)
    return Job(item.id, body), said


def _body(item: Item, defaults: Defaults, *, remote: bool) -> tuple[dict[str, Any], list[str]]:
    params = item.params
    model = str(params.get("model", defaults.model))
    options = _options(defaults.options, params)
    validate(options)
    info = defaults.catalogue.lookup(model)
    if remote:
        options = _unstreamed(model, info, options)
    messages = _messages(item, params.get("system", defaults.system))
    if item.attachments:
        messages[-1]["content"] = _attached(item, model, info, defaults, options.max_tokens)
    messages, said = _fitted(messages, item, info, defaults.context_window, options.max_tokens)
    plan = build_request(model, messages, options, catalogue=defaults.catalogue)
    body = dict(plan.body)
    if remote:
        body.pop("stream", None)
        body.pop("stream_options", None)
        _uploadable(item.id, body)
    return body, [*said, *plan.warnings]


def _uploadable(item_id: str, body: Mapping[str, Any]) -> None:
    """The Batch service's file is UTF-8: a lone surrogate (`"\\ud800"` in the input's JSON)
    cannot go in it, so the line is refused before anything is uploaded."""
    try:
        json.dumps([item_id, body], ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        character = exc.object[exc.start : exc.start + 1].encode("unicode_escape").decode()
        raise UsageError(
            f"the text is not valid Unicode (a lone surrogate, {character}); the Batch service "
            "takes UTF-8 only"
        ) from None


def _fitted(
    messages: list[dict[str, Any]],
    item: Item,
    info: ModelInfo,
    window: int | None,
    max_tokens: int | None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The messages trimmed to the model's window, and a warning when turns were left out."""
    limit = context.input_limit(context.context_window(info, window), max_tokens)
    fitted, dropped = context.fit(messages, limit=limit)
    if not dropped:
        return messages, []
    return fitted, [
        f"line {item.line}: conversation too long for the context window "
        f"({limit:,} input tokens): left out {context.left_out(dropped)}"
    ]


def _attached(
    item: Item, model: str, info: ModelInfo, defaults: Defaults, max_tokens: int | None
) -> Any:
    """The prompt with the line's attachments (images inlined as data URLs), checked."""
    if defaults.load is None:
        raise UsageError("attachments cannot be read here")
    attachments = tuple(defaults.load(spec) for spec in item.attachments)
    if any(a.kind == "document" for a in attachments):
        raise AttachmentError("a batch line cannot attach a document (Qwen-Long needs `ask`)")
    window = context.context_window(info, defaults.context_window)
    check_for_model(attachments, model, info.vision, context.input_limit(window, max_tokens))
    return user_content(item.prompt or "", attachments)


def _options(base: RequestOptions, params: Mapping[str, Any]) -> RequestOptions:
    changes: dict[str, Any] = {
        k: params[k]
        for k in ("temperature", "top_p", "presence_penalty", "max_tokens", "seed", "think")
        if k in params
    }
    if "stop" in params:
        stop = params["stop"]
        changes["stop"] = (stop,) if isinstance(stop, str) else tuple(stop)
    return replace(base, **changes)


def _unstreamed(model: str, info: ModelInfo, options: RequestOptions) -> RequestOptions:
    """The Batch service answers in one body: no streaming, so no thinking."""
    if info.stream_only or info.thinking == "only":
        raise UsageError(f"{model} answers only by streaming; the Batch service cannot run it")
    if options.think:
        raise UsageError("thinking mode needs streaming, which the Batch service does not do")
    think = False if info.thinking == "hybrid" else options.think
    return replace(options, stream=False, think=think)


def _messages(item: Item, system: str | None) -> list[dict[str, Any]]:
    if item.prompt is not None:
        head = [{"role": "system", "content": system}] if system else []
        return [*head, {"role": "user", "content": item.prompt}]
    messages = [dict(m) for m in item.messages]
    if system and messages[0].get("role") != "system":
        messages.insert(0, {"role": "system", "content": system})
    return messages
