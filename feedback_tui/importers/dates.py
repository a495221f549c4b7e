"""Date parsing for exports: every date is stored as UTC ``YYYY-MM-DDTHH:MM:SSZ``.

Accepted: ISO 8601 with or without a zone (no zone means UTC), epoch seconds
or milliseconds, and the day-first ``dd/mm/yyyy[ HH:MM[:SS]]`` of French
exports. Anything else raises :class:`ValueError` with a message meant for a
user.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DAY_FIRST = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T,]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?")
_NUMBER = re.compile(r"\d{9,14}(\.\d+)?")
EXPECTED = "expected ISO 8601, epoch milliseconds or dd/mm/yyyy HH:MM"


def format_utc(moment: datetime) -> str:
    """The one stored form of a date."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(text: str) -> str:
    """Parse a date from an export into the stored UTC form."""
    value = text.strip()
    if not value:
        raise ValueError("empty date")
    if len(value) == 20 and value[10] == "T" and value[19] == "Z" and value[4] == "-":
        # Already in the stored form (most exports): check it is a real date, keep it.
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"unreadable date {value!r} ({EXPECTED})") from None
        return value
    if _NUMBER.fullmatch(value):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds since the epoch
            seconds /= 1000.0
        return format_utc(datetime.fromtimestamp(seconds, UTC))
    day_first = _DAY_FIRST.fullmatch(value)
    try:
        if day_first:
            day, month, year, hour, minute, second = day_first.groups()
            moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        else:
            moment = datetime.fromisoformat(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError:
        raise ValueError(f"unreadable date {value!r} ({EXPECTED})") from None
    return format_utc(moment)
