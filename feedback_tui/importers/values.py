"""Cell values that real exports write in more than one way: ratings, replies, HTML text.

Kept apart from :mod:`base` (which validates whole rows) because each of
these is a small pure function with many cases to test.
"""

from __future__ import annotations

import ast
import html
import json
import re
import unicodedata
from typing import Any

# A rating is a number with at most two decimals ("4", "4.0", "3,5", "4.25"),
# optionally out of a scale ("4,5/5", "8/10", "4.0 out of 5 stars") and
# followed by a label ("5 étoiles : excellent"). Strict on purpose: "1,000"
# (a thousands separator) or "4.9999999999999999" (float noise) are not a
# rating anyone gave, and reading them as 1 or 5 stars would be a silent lie.
_RATING = re.compile(
    r"(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:(?:/|sur|out of|of)\s*(\d{1,3}))?\s*"
    r"(?:etoiles?|stars?|\u2605+)?(?:\s*[:\-\u2013].*)?"
)
SCALES = (5, 10, 100)
_WHOLE = {str(i): i for i in range(1, 6)}
_REPLY_TEXT_KEYS = ("body", "message", "text", "content", "reply", "comment", "response")
_REPLY_DATE_KEYS = ("modified", "publishedDate", "published_date", "updatedAt", "updated_at", "createdAt",
                    "created_at", "date", "lastUpdated")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_rating(text: str, scale: int = 5) -> tuple[int | float, str | None]:
    """A star rating on 1-5 (half and decimal stars kept exactly) and the
    original text when it was on another scale (``"8/10"`` -> ``(4, "8/10")``).

    ``scale`` is the file's scale when the value does not name one
    (``--rating-scale 10``). Raises :class:`ValueError` with a user's message.
    """
    if scale == 5 and text in _WHOLE:  # nearly every row of nearly every export: skip the regex
        return _WHOLE[text], None
    match = _RATING.fullmatch(_plain(text))
    if not match:
        raise ValueError(f"rating must be a number of stars from 0.5 to 5 (such as 4, 4.5 or 3,5/5), got {text!r}")
    number = float(match.group(1).replace(",", "."))
    out_of = int(match.group(2)) if match.group(2) else scale
    if out_of not in SCALES:
        raise ValueError(f"rating {text!r} is out of {out_of}; ratings out of 5, 10 or 100 are read")
    if not 0 < number <= out_of:
        hint = " (ratings out of 10? pass --rating-scale 10)" if out_of == 5 and number <= 10 else ""
        raise ValueError(f"rating must be above 0 and at most {out_of}, got {text!r}{hint}")
    value = number * 5 / out_of
    if out_of == 5:
        original = None
    else:
        original = text.strip()
        value = round(value, 4)
    if value < 0.5:
        raise ValueError(f"rating {text!r} is below half a star once on a 1-5 scale")
    return (int(value) if value == int(value) else value), original


def clean_html(text: str) -> str:
    """Text of an HTML-escaped export: ``<br />`` is a line break, entities are decoded.

    Only for sources known to escape their text (Amazon): a review that merely
    contains ``<`` or ``&amp;`` elsewhere is kept as written.
    """
    return html.unescape(_BREAK.sub("\n", text)).strip()


def _mapping(value: str) -> dict[str, Any] | None:
    """A JSON object or a Python dict repr (app-store-scraper), else None."""
    text = value.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    try:
        found = json.loads(text)
    except ValueError:
        try:
            # app-store-scraper writes developerResponse with repr(): single
            # quotes, double ones when the body holds an apostrophe. A literal
            # is data only (no names, no calls), so this never runs code.
            found = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            return None
    return found if isinstance(found, dict) else None


def split_reply(value: str) -> tuple[str | None, str | None]:
    """(text, date) of a reply cell that holds an object (``{'body': ..., 'modified': ...}``,
    Trustpilot's ``{"message": ..., "publishedDate": ...}``), or (``value``, None)
    for a plain reply text."""
    found = _mapping(value)
    if found is None:
        return value, None
    body = next((found[k] for k in _REPLY_TEXT_KEYS if isinstance(found.get(k), str) and found[k].strip()), None)
    when = next((str(found[k]) for k in _REPLY_DATE_KEYS if found.get(k) not in (None, "")), None)
    if body is None:
        # an object with no text we know: keep it whole rather than lose it
        return value, when
    return body.strip(), when


def json_path(item: Any, path: str) -> Any:
    """``item["dates"]["publishedDate"]`` for ``"dates.publishedDate"``; a key that
    holds a dot itself (``"im:rating"``) is tried whole first. None when absent."""
    if isinstance(item, dict) and path in item:
        return item[path]
    node = item
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
        if node is None:
            return None
    return node
