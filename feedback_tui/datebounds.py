"""Dates that a user types as a bound (``--since``, ``--until``, ``--today``, the
filter panel's Since and Until), kept to a range every later computation can
handle: a day after the last one, a period's end, a week's start. Without it,
``--until 9999-12-31`` overflows Python's dates while the period ends are computed.

The range is the importers' own (:data:`~feedback_tui.importers.dates.FIRST_YEAR` to
:data:`~feedback_tui.importers.dates.LAST_YEAR`), checked by
:func:`~feedback_tui.importers.dates.parse_date` itself: a bound and a stored date
can never disagree about what is a date.
"""

from __future__ import annotations

from feedback_tui.importers.dates import parse_date


def bound(text: str) -> str:
    """The stored form (``YYYY-MM-DDTHH:MM:SSZ``) of a typed bound; ValueError, with a
    sentence that names the range, for anything unreadable or out of range."""
    return parse_date(text)

