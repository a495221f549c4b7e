"""How a rating is written in the list and the detail: stars, or a survey score.

One function for both views, taking the values themselves (not a row), so the
detail view no longer dresses its data up as a list row to call it.
"""

from __future__ import annotations

BLANK = "  —  "


def stars(rating: float | int | None, kind: str | None = None) -> str:
    """``★★★★☆`` for a 1-5 rating (``½`` for a half star, the decimal kept
    in between), ``NPS 9`` for a survey answer, a dash when there is none."""
    if kind:
        return f"{kind.upper()} {_number(rating) if rating is not None else '—'}"
    if rating is None or rating <= 0:
        return BLANK
    value = min(float(rating), 5.0)
    full = int(value)
    rest = value - full
    half = "½" if 0.25 <= rest < 0.75 else ""
    if rest >= 0.75:
        full += 1
    return "★" * full + half + "☆" * (5 - full - len(half))


def _number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
