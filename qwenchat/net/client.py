"""The chat completions client: requests through the openai SDK, replies as events.

Requests, auth and error statuses go through the SDK; the streamed body is
read raw (`with_streaming_response`) and its SSE lines parsed by `events`,
which is cheaper per chunk than the SDK's own chunk objects. Every SDK or
transport error becomes a `QwenchatError` here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Generator, Iterator
from typing import Any

import openai

from qwenchat.core import errors
from qwenchat.core.catalogue import summary
from qwenchat.core.errors import QwenchatError
from qwenchat.core.events import (
    Done,
    Event,
    EventStream,
    iter_sse_data,
    parse_chunk,
    parse_completion,
)
from qwenchat.core.redact import redact
from qwenchat.core.sanitize import sanitize
from qwenchat.core.settings import Settings
from qwenchat.net import debug_log, reading
from qwenchat.net.errors import Failure, body_request_id, error_fields, first_line, translate
from qwenchat.net.reading import Watch
from qwenchat.net.retry import RetryPolicy, parse_retry_after, retrying

CONNECT_TIMEOUT = 10.0
# Fields the SDK's create() takes as keywords; anything else travels in extra_body.
SDK_FIELDS = frozenset(
    {
        "model", "messages", "stream", "stream_options", "temperature", "top_p",
        "presence_penalty", "frequency_penalty", "max_tokens", "max_completion_tokens", "seed",
        "stop", "n",
        "tools", "tool_choice", "response_format", "parallel_tool_calls",
    }
)  # fmt: skip


def make_sdk(settings: Settings, *, max_retries: int) -> openai.OpenAI:
    """The SDK client for these settings: key, base URL, connect and read timeouts

    (and, with `--debug`, an HTTP client that logs every request and response).
    """
    key = settings.require_key()
    http_client = None
    if debug_log.enabled():
        http_client = openai.DefaultHttpxClient(event_hooks=debug_log.hooks(key))
    return openai.OpenAI(
        api_key=key,
        base_url=settings.base_url,
        timeout=openai.Timeout(
            min(settings.timeout, settings.max_time or settings.timeout), connect=CONNECT_TIMEOUT
        ),
        max_retries=max_retries,
        http_client=http_client,
    )


class ChatClient:
    """Sends chat requests and yields events; raises only QwenchatError."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # qwenchat's own policy (retry.py) decides what is worth retrying
        self._sdk = make_sdk(settings, max_retries=0)
        self.policy = RetryPolicy(retries=settings.retries)

    def stream(
        self, body: dict[str, Any], *, notify: Callable[[str], None] | None = None
    ) -> EventStream:
        """Send `body` and yield its events, retrying early failures that may clear.

        Each retry is announced through `notify`; closing the iterator closes the connection.
        """
        if debug_log.enabled():
            debug_log.note(summary(self.settings.catalogue, str(body.get("model", ""))))
        return retrying(lambda: self._once(body), self.policy, notify=notify or _ignore)

    def _once(self, body: dict[str, Any]) -> Generator[Event, None, None]:
        """One attempt; a server that quotes the key back never gets it printed."""
        try:
            yield from self._attempt(body)
        except QwenchatError as exc:
            raise without_key(exc, self.settings.api_key) from None

    def _attempt(self, body: dict[str, Any]) -> Generator[Event, None, None]:
        """Send `body` and yield its events."""
        kwargs = {k: v for k, v in body.items() if k in SDK_FIELDS}
        extra = {k: v for k, v in body.items() if k not in SDK_FIELDS}
        create = self._sdk.chat.completions.with_streaming_response.create
        started = False
        watch = Watch(self.settings.timeout, self.settings.max_time)
        try:
            with create(**kwargs, extra_body=extra or None) as response:
                if not body.get("stream"):
                    text = reading.body(response.iter_bytes(), watch)
                    yield from parse_completion(_json_object(text, "reply"))
                    return
                _check_stream_type(response.headers.get("content-type", ""), response, watch)
                lines = reading.lines(response.iter_bytes(), watch)
                for data in iter_sse_data(_event_lines(lines)):
                    started = True  # a chunk arrived: from here on nothing is retried
                    watch.event()
                    if data.startswith("[DONE]"):
                        yield Done()
                        return
                    yield from parse_chunk(_json_object(data, "chunk"))
        except QwenchatError:
            raise
        except openai.APIStatusError as exc:
            raise status_error(
                exc, self.settings, str(body.get("model", "")), streamed=bool(body.get("stream"))
            ) from None
        except openai.APITimeoutError as exc:
            if _is_connect_timeout(exc):
                raise _connection(exc, self.settings, started) from None
            raise _timeout(self.settings, started) from None
        except openai.APIConnectionError as exc:
            raise _connection(exc, self.settings, started) from None
        except _transport_errors() as exc:
            if _is_timeout(exc):
                raise _timeout(self.settings, started) from None
            raise _connection(exc, self.settings, started) from None

    def list_models(self) -> list[str]:
        """The model ids the server's `GET /models` offers."""
        try:
            return [str(model.id) for model in self._sdk.models.list()]
        except openai.APIStatusError as exc:
            raise status_error(exc, self.settings, "") from None
        except openai.APIConnectionError as exc:  # timeouts included
            raise _connection(exc, self.settings, False) from None

    def close(self) -> None:
        self._sdk.close()


def without_key(exc: QwenchatError, key: str | None) -> QwenchatError:
    """Mask the key (or any 12+-character piece of it) and URL passwords in an error's text."""
    exc.message = redact(exc.message, key)
    exc.hint = redact(exc.hint, key) if exc.hint else exc.hint
    request_id = getattr(exc, "request_id", None)
    if isinstance(request_id, str):
        exc.request_id = redact(request_id, key)  # type: ignore[attr-defined]
    exc.args = (exc.message,)
    return exc


def status_error(
    exc: openai.APIStatusError, settings: Settings, model: str, *, streamed: bool = True
) -> errors.ApiError:
    """An HTTP error status as one readable error (the table is in net/errors.py)."""
    message, code = error_fields(exc.body, exc.message)
    failure = Failure(
        status=exc.status_code,
        message=message,
        code=code,
        request_id=exc.response.headers.get("x-request-id") or body_request_id(exc.body),
        retry_after=parse_retry_after(exc.response.headers.get("retry-after")),
    )
    error = translate(
        failure, model=model, url=settings.base_url, streamed=streamed, key=settings.api_key
    )
    without_key(error, settings.api_key)
    return error


def _json_object(text: str, what: str) -> dict[str, Any]:
    """`text` parsed as a JSON object, or a StreamError naming `what` and showing its start."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise errors.StreamError(f"the server sent a {what} nested too deeply to read") from None
    except ValueError:
        raise errors.StreamError(
            f"the server sent a malformed {what}: {first_line(sanitize(text))[:80]!r}"
        ) from None
    if not isinstance(value, dict):
        raise errors.StreamError(f"the server sent a {what} that is not a JSON object")
    return value


def _check_stream_type(content_type: str, response: Any, watch: Watch) -> None:
    """A 200 that is not an event stream (a proxy's HTML page, a JSON body) is an error."""
    if "event-stream" in content_type or not content_type:
        return
    text = reading.body(response.iter_bytes(), watch)
    if "json" in content_type:
        body = _json_object(text, "reply")
        parse_completion(body)  # raises for {"error": …}
        raise errors.StreamError("the server answered a streamed request without streaming")
    raise errors.StreamError(
        f"the server answered with {content_type.split(';')[0]} instead of an event stream: "
        f"{first_line(sanitize(text))[:80]!r}"
    )


SSE_FIELDS = frozenset({"data", "event", "id", "retry", ""})  # "": a `: comment` line


def _event_lines(lines: Iterator[str]) -> Iterator[str]:
    """The lines of an event stream; a body whose first line is no SSE field is not one."""
    for line in lines:
        if line.strip():
            if line.lstrip("\ufeff").partition(":")[0] not in SSE_FIELDS:
                raise errors.StreamError(
                    "the server answered without an event stream: "
                    f"{first_line(sanitize(line))[:80]!r}"
                )
            yield line
            break
        yield line
    yield from lines


def _timeout(settings: Settings, started: bool) -> errors.QwenchatError:
    if started:
        return errors.StreamError(
            f"no data from the server for {settings.timeout:g} s; the reply is incomplete "
            "(raise --timeout for long thinking)"
        )
    return errors.RequestTimeout(
        f"timed out after {settings.timeout:g} s waiting for {settings.base_url} "
        "(raise --timeout for long thinking)"
    )


def _connection(exc: BaseException, settings: Settings, started: bool) -> errors.QwenchatError:
    if started:
        return errors.StreamError("the connection broke mid-reply; the reply is incomplete")
    cause = _root_cause(exc)
    return errors.NetworkError(f"cannot reach {settings.base_url}: {cause}")


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = first_line(str(exc)).rstrip(".") or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    return sanitize(text)


def _transport_errors() -> tuple[type[BaseException], ...]:
    """httpx2 (SDK 3.x) and httpx (older SDKs) raise their own errors mid-stream."""
    found: list[type[BaseException]] = []
    for name in ("httpx2", "httpx"):
        module = sys.modules.get(name)
        error = getattr(module, "TransportError", None) if module else None
        if isinstance(error, type) and issubclass(error, BaseException):
            found.append(error)
    return tuple(found)


def _is_timeout(exc: BaseException) -> bool:
    return "Timeout" in type(exc).__name__


def _is_connect_timeout(exc: BaseException) -> bool:
    """The SDK raises one timeout error; its cause says whether connecting timed out."""
    return type(exc.__cause__).__name__ in ("ConnectTimeout", "PoolTimeout")


def _ignore(_: str) -> None:
    """Retries announced to nobody."""
