"""The error tree: every failure qwenchat reports, each with its exit code.

Only the command line's error boundary (`cli.error_boundary`) turns these into
`qwenchat: error: …` and an exit code; everything else raises them. Messages are single
lines written for the user.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70  # a bug in qwenchat (EX_SOFTWARE): anything that is not a QwenchatError


class QwenchatError(Exception):
    """Base of every error qwenchat reports to the user."""

    exit_code: int = EXIT_API

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(QwenchatError):
    """Bad flags, bad input, missing configuration (exit 2)."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """Configuration that cannot work: no key, bad URL, bad config file (exit 2)."""


class ApiError(QwenchatError):
    """The server answered with an error status (exit 1)."""

    # whether asking again may help; None: decided by the class and the status (net.retry)
    retryable: bool | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after  # seconds the server asked us to wait (Retry-After)


class AuthError(ApiError):
    """401/403: the key is wrong, or belongs to the other region."""


class RateLimitError(ApiError):
    """429 that may clear by itself (per-second or per-minute limits)."""


class QuotaError(ApiError):
    """429 worded as quota exhaustion or arrears: retrying will not help."""


class ModelNotFoundError(ApiError):
    """The server does not know the model."""


class ModerationError(ApiError):
    """Content moderation (`DataInspectionFailed`) refused the input or the output."""


class ModelAccessError(ApiError):
    """The key is fine but the model is not activated for the account (403 Unpurchased)."""


class NetworkError(QwenchatError):
    """The server could not be reached, or the connection broke (exit 1)."""


class RequestTimeout(NetworkError):
    """No answer, or no chunk, within the timeout."""


class StreamError(QwenchatError):
    """The stream broke or was malformed after it started (exit 1)."""


class Interrupted(QwenchatError):
    """The user pressed Ctrl-C (exit 130)."""

    exit_code = EXIT_INTERRUPTED


class InternalError(QwenchatError):
    """A bug in qwenchat met in the middle of a turn (exit 70): the turn that was under way is
    kept and saved first, then the boundary reports `cause` as the internal error it is."""

    exit_code = EXIT_INTERNAL

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause
