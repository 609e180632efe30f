"""`--since` and `--until` values (pure): a duration back from now (`7d`, `24h`) or a date."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from qwenchat.core.errors import UsageError

_DURATION = re.compile(r"\s*(\d+)\s*(m|h|d|w)\s*", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(text: str, option: str, now: datetime, *, end_of_day: bool = False) -> datetime:
    """The instant a `--since`/`--until` value means, in UTC.

    `7d`, `24h`, `30m`, `2w`: that long before `now`. `2026-11-01`: the start of that day
    (UTC), or with `end_of_day` (for `--until`) the start of the next, so the day is included.
    An ISO date and time is taken as given (UTC when it has no offset).
    """
    match = _DURATION.fullmatch(text)
    if match:
        try:
            return now - timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
        except (OverflowError, ValueError):  # before the year 1, or too many digits
            raise _out_of_range(option, text) from None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option}: expected a duration such as 7d or 24h, or a date such as 2026-11-01, "
            f"got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        if end_of_day and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", text):
            if moment.date() == datetime.max.date():  # the whole last day: no end at all
                return datetime.max.replace(tzinfo=timezone.utc)
            moment += timedelta(days=1)
        return moment.astimezone(timezone.utc)
    except OverflowError:  # an offset that moves the time past the calendar's ends
        raise _out_of_range(option, text) from None


def _out_of_range(option: str, text: str) -> UsageError:
    shown = text if len(text) <= 40 else text[:40] + "…"
    return UsageError(
        f"{option}: {shown!r} is outside the calendar (years 1 to 9999); give a shorter "
        "duration or a date"
    )


def stamp(moment: datetime) -> str:
    """An instant as the store writes times, so the two compare as text."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
