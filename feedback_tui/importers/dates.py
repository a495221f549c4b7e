"""Date parsing for exports: every date is stored as UTC ``YYYY-MM-DDTHH:MM:SSZ``.

Accepted: ISO 8601 with or without a zone (no zone means UTC), epoch seconds
or milliseconds, numeric dates with slashes or dots (``dd/mm/yyyy`` or
``mm/dd/yyyy``, whichever the file uses: see :func:`infer_order`), dates
written in words in French or English (``14 mars 2021``, ``Rédigé le 6
décembre 2024``, ``March 14, 2021``) and, when the file says when it was
retrieved, relative dates (``3 days ago``, ``il y a 2 mois``). Anything else
raises :class:`ValueError` with a message meant for a user.

Why the order is decided per file: ``2/11/2006`` is 2 November in Paris and
11 February in Ohio, and nothing in the value says which. A file written by
one tool uses one order, so its own unambiguous values (a first field over
12, or a second one) decide for all its rows; a row is never read d/m while
another is read m/d.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

_NUMERIC = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T,]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?"
)
# ``12/31/22`` (Etsy's order export): read for the file's day/month order, never as a date,
# since its century is a guess; a row holding one is rejected naming the file's order.
_TWO_DIGIT_YEAR = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{2})(?:[ T,]+\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
)
_NUMBER = re.compile(r"\d{9,14}(\.\d+)?")
EXPECTED = "expected ISO 8601, epoch milliseconds or dd/mm/yyyy HH:MM"
ORDERS = ("dmy", "mdy")

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
}
# "Rédigé le", "Date of experience:", "Written", "Reviewed in the United States on", weekday names
_PREFIX = re.compile(
    r"^(?:(?:redige|publie|ecrit|avis (?:ecrit|publie))(?: le)?|date (?:of|de l) ?experience ?:?|"
    r"date de l'experience ?:?|written|reviewed(?: in [a-z .]+)? on|posted|le|on|"
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday),?)\s+"
)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:er|st|nd|rd|th)?\.? ([a-z]+)\.?,? (\d{4})(?:,? (?:a |at )?(\d{1,2})[:h](\d{2}))?")
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})(?:,? (?:a |at )?(\d{1,2})[:h](\d{2}))?")
_RELATIVE = re.compile(
    r"(?:il y a |a )?(an?|une?|\d+) (second|sec|minute|min|hour|heure|day|jour|week|semaine|month|mois|year|an|annee)s?"
    r"(?: ago)?"
)
_UNIT_DAYS = {"second": 1 / 86400, "sec": 1 / 86400, "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24,
              "heure": 1 / 24, "day": 1, "jour": 1, "week": 7, "semaine": 7, "month": 30, "mois": 30,
              "year": 365, "an": 365, "annee": 365}


# Dates outside these years are a typo or a placeholder (0001-01-01, 9999-12-31), and would
# break date arithmetic later (a "+1 day" past 9999, a 3-digit year in the stored form).
FIRST_YEAR, LAST_YEAR = 1970, 2199
_STORED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def format_utc(moment: datetime) -> str:
    """The one stored form of a date (``YYYY-MM-DDTHH:MM:SSZ``, always a 4-digit year).

    Raises :class:`ValueError` for a year outside 1970-2199 or an offset that
    moves the date out of the calendar.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the zone offset moves the date out of the calendar") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"year {moment.year} is out of range ({FIRST_YEAR} to {LAST_YEAR})")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: ``'Rédigé le 6 Décembre'`` -> ``'redige le 6 decembre'``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _in_words(value: str) -> datetime | None:
    """A date written with a month name, or None when ``value`` is not one."""
    text = _plain(value)
    if not any(c.isalpha() for c in text):
        return None
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    for pattern, day_group, month_group in ((_DAY_MONTH_YEAR, 1, 2), (_MONTH_DAY_YEAR, 2, 1)):
        match = pattern.fullmatch(text)
        if match and match.group(month_group) in MONTHS:
            hour, minute = match.group(4), match.group(5)
            return datetime(int(match.group(3)), MONTHS[match.group(month_group)], int(match.group(day_group)),
                            int(hour or 0), int(minute or 0))
    return None


def parse_relative(value: str, retrieved_at: str) -> str | None:
    """``'3 days ago'`` (or ``'il y a 3 jours'``) counted back from ``retrieved_at``
    (a stored UTC date), or None when ``value`` is not a relative date."""
    match = _RELATIVE.fullmatch(_plain(value))
    if not match:
        return None
    count = 1 if match.group(1) in ("a", "an", "un", "une") else int(match.group(1))
    base = datetime.fromisoformat(retrieved_at.replace("Z", "+00:00"))
    return format_utc(base - timedelta(days=count * _UNIT_DAYS[match.group(2)]))


def numeric_fields(value: str) -> tuple[int, int] | None:
    """The first two fields of a numeric ``a/b/yyyy`` (or ``a/b/yy``) date, or None for
    other forms: a two-digit year still shows the file's order."""
    match = _NUMERIC.fullmatch(value.strip()) or _TWO_DIGIT_YEAR.fullmatch(value.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def infer_order(values: Iterable[str]) -> tuple[str | None, list[str]]:
    """The day/month order that ``values`` (a file's dates) use.

    Returns (``"dmy"``, ``"mdy"`` or None when every value is ambiguous, and
    up to two example values). A first field over 12 means day first, a second
    field over 12 means month first; both in one file is an error, since no
    order reads every row.
    """
    examples: list[str] = []
    day_first = month_first = None
    for value in values:
        fields = numeric_fields(value)
        if fields is None:
            continue
        if len(examples) < 2 and value not in examples:
            examples.append(value.strip())
        if fields[0] > 12 and day_first is None:
            day_first = value.strip()
        elif fields[1] > 12 and month_first is None:
            month_first = value.strip()
        if day_first and month_first:
            raise ValueError(f"dates in both orders: {day_first!r} is day first, {month_first!r} is month first")
    if day_first:
        return "dmy", examples
    if month_first:
        return "mdy", examples
    return None, examples


NO_ORDER = "none"  # a file whose first rows have no numeric date: a later one cannot be read safely


def has_two_digit_year(value: str) -> bool:
    """``12/31/22``: a numeric date whose year has two digits (never read as a date)."""
    return _TWO_DIGIT_YEAR.fullmatch(value.strip()) is not None


def two_digit_year(value: str, order: str) -> str:
    """The reason a ``12/31/22`` date is rejected, naming the order the file's dates
    use (``order``, decided from all of them, two-digit years included): the generic
    "dd/mm/yyyy" hint told Etsy's month-first export to write its dates day first."""
    if order == "mdy":
        expected = "mm/dd/yyyy (month first)"
    elif order == "dmy":
        expected = "dd/mm/yyyy (day first)"
    else:
        expected = "dd/mm/yyyy or mm/dd/yyyy with --date-order"
    return (f"date {value!r} has a two-digit year, whose century is not guessed: write the year in four digits, "
            f"{expected}, or ISO 8601")


def parse_date(text: str, order: str = "dmy") -> str:
    """Parse a date from an export into the stored UTC form.

    ``order`` says how to read a numeric ``a/b/yyyy`` date: ``"dmy"`` (the
    default, for dates typed on the command line), ``"mdy"``, or
    :data:`NO_ORDER` (such a date is an error: the file did not say).
    """
    value = text.strip()
    if not value:
        raise ValueError("empty date")
    if len(value) == 20 and value[10] == "T" and value[19] == "Z" and value[4] == "-" and value[5] != "W":
        # Already in the stored form (most exports): check it is a real date, keep it.
        try:
            year = datetime.fromisoformat(value).year
        except ValueError:
            raise ValueError(f"unreadable date {value!r} ({EXPECTED})") from None
        if not FIRST_YEAR <= year <= LAST_YEAR or not _STORED.fullmatch(value):
            raise ValueError(f"date {value!r}: year {year} is out of range ({FIRST_YEAR} to {LAST_YEAR})")
        return value
    if _NUMBER.fullmatch(value):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds since the epoch
            seconds /= 1000.0
        return format_utc(datetime.fromtimestamp(seconds, UTC))
    if "W" in value[4:6]:
        # ISO week dates (2026-W10-3) are read as the day they name, never stored verbatim
        try:
            return format_utc(datetime.fromisoformat(value))
        except ValueError as error:
            if "out of range" in str(error) or "offset" in str(error):
                raise ValueError(f"date {value!r}: {error}") from None
            raise ValueError(f"unreadable ISO week date {value!r} (expected YYYY-Www-D)") from None
    numeric = _NUMERIC.fullmatch(value)
    if numeric is None and _TWO_DIGIT_YEAR.fullmatch(value):
        raise ValueError(two_digit_year(value, order))
    try:
        if numeric and order == NO_ORDER:
            raise ValueError(f"date {value!r} reads day or month first, and the file's first rows did not say "
                             "which (their dates are not numeric); pass --date-order dmy or mdy")
        if numeric:
            first, second, year, hour, minute, sec, meridiem = numeric.groups()
            day, month = (first, second) if order == "dmy" else (second, first)
            hours = int(hour or 0)
            if meridiem:
                if not 1 <= hours <= 12:
                    raise ValueError
                hours = hours % 12 + (12 if meridiem.lower() == "p" else 0)
            moment = datetime(int(year), int(month), int(day), hours, int(minute or 0), int(sec or 0))
        else:
            worded = _in_words(value)
            if worded is not None:
                moment = worded
                return format_utc(moment)
            moment = datetime.fromisoformat(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError as error:
        if "--date-order" in str(error):
            raise
        expected = EXPECTED if order != "mdy" else EXPECTED.replace("dd/mm/yyyy", "mm/dd/yyyy")
        raise ValueError(f"unreadable date {value!r} ({expected})") from None
    try:
        return format_utc(moment)
    except ValueError as error:
        raise ValueError(f"date {value!r}: {error}") from None
