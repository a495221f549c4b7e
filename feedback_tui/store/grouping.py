"""How figures are grouped and filtered: periods, segments, and the WHERE
clause of a :class:`~feedback_tui.models.Filters`.

Every aggregate (raw tables, daily rollups, reply times) labels its groups and
filters its rows with these, so a month or a source means the same thing in
each. Named parameters only: no value is ever written into the SQL.
"""

from __future__ import annotations

from typing import Any

from feedback_tui.models import Filters

PERIODS: dict[str, str] = {
    "day": "substr(created_at, 1, 10)",
    # The Monday that starts the ISO week (SQLite 3.40 has no %V).
    "week": "date(created_at, 'weekday 0', '-6 days')",
    "month": "substr(created_at, 1, 7)",
    "quarter": "substr(created_at, 1, 4) || '-Q' || ((CAST(substr(created_at, 6, 2) AS INTEGER) + 2) / 3)",
    "year": "substr(created_at, 1, 4)",
}
SEGMENTS: dict[str, str] = {"source": "source", "product": "product", "language": "language"}


def fixed_sample_order(key: str) -> str:
    """An ORDER BY for a fixed pseudo-random sample of rows: a multiplicative hash of the
    integer ``key`` (Knuth's 2654435761 mod 2^32). The same rows come first on every run,
    spread over the whole table rather than its first or newest ids; ``key`` breaks ties."""
    return f"(({key}) * 2654435761) % 4294967296, {key}"


def group_expression(by: str | None, *, surveys: bool = False, rollup: bool = False) -> str:
    """The SQL that labels a row's group; ``NULL`` groups everything together.

    On the daily rollups the date column is ``day`` (``YYYY-MM-DD``), which the
    same period expressions read like a timestamp.
    """
    if by is None:
        return "NULL"
    if by in PERIODS:
        return PERIODS[by].replace("created_at", "day") if rollup else PERIODS[by]
    if by in SEGMENTS:
        if surveys and by == "product":
            return "NULL"
        return f"coalesce({SEGMENTS[by]}, '(none)')"
    raise ValueError(f"unknown grouping {by!r}")


# Positive and negative by stars when the review has them, else by sentiment.
POSITIVE = "CASE WHEN rating IS NOT NULL THEN rating >= 4 ELSE sentiment = 'positive' END"
NEGATIVE = "CASE WHEN rating IS NOT NULL THEN rating <= 2 ELSE sentiment = 'negative' END"


def where_clause(filters: Filters, *, table_alias: str = "", surveys: bool = False) -> tuple[str, dict[str, Any]]:
    """SQL conditions for :class:`Filters` (named parameters, never string-built values)."""
    prefix = f"{table_alias}." if table_alias else ""
    parts: list[str] = []
    params: dict[str, Any] = {}
    if filters.source:
        parts.append(f"{prefix}source = :f_source")
        params["f_source"] = filters.source
    if filters.since:
        parts.append(f"{prefix}created_at >= :f_since")
        params["f_since"] = filters.since
    if filters.until:
        parts.append(f"{prefix}created_at < :f_until")
        params["f_until"] = filters.until
    if filters.language:
        parts.append(f"{prefix}language = :f_language")
        params["f_language"] = filters.language
    if filters.product:
        # survey answers have no product: a product filter leaves none of them
        parts.append("0" if surveys else f"{prefix}product = :f_product")
        params["f_product"] = filters.product
    return (" AND ".join(parts) or "1"), params
