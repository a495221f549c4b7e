"""Dates that a user types as a bound (``--since``, ``--until``, ``--today``, the
filter panel's Since and Until), kept to a range every later computation can
handle: a day after the last one, a period's end, a week's start. Without it,
``--until 9999-12-31`` overflows Python's dates while the period ends are computed.
"""

from __future__ import annotations

from datetime import date

from feedback_tui.importers.dates import FIRST_YEAR, LAST_YEAR, parse_date
from feedback_tui.text import clean

FIRST_DAY = date(FIRST_YEAR, 1, 1)  # the same range as the dates an import stores
LAST_DAY = date(LAST_YEAR, 12, 31)


def bound(text: str) -> str:
    """The stored form (``YYYY-MM-DDTHH:MM:SSZ``) of a typed bound; ValueError, with a
    sentence that names the range, for anything unreadable or out of range."""
    moment = parse_date(text)
    try:
        year, month, day = (int(part) for part in moment[:moment.index("T")].split("-"))
        when = date(year, month, day)
    except ValueError:
        when = None
    if when is None or not FIRST_DAY <= when <= LAST_DAY:
        raise ValueError(f"{clean(text, single_line=True)!r} is out of range ({FIRST_DAY} to {LAST_DAY})")
    return f"{when.isoformat()}{moment[moment.index('T'):]}"


def bound_day(text: str) -> date:
    """The day of a typed bound (``--today``)."""
    return date.fromisoformat(bound(text)[:10])
