"""Rows whose file gave no date: noted at import, shown, counted (schema m025).

A review or survey answer imported without a date of its own is dated by its
import (``created_at`` is NOT NULL and every figure reads it). The store keeps
their ids in ``undated_reviews`` / ``undated_surveys`` so that the detail, the
inbox and the figures can say so. A dated row has no entry and costs nothing:
an import looks here only for a batch that holds undated rows, or for stored
rows given again once some row is noted.
"""

from __future__ import annotations

from typing import Any

from feedback_tui.models import Filters
from feedback_tui.store import Store, grouping

SIDE = {"reviews": ("undated_reviews", "review_id"), "surveys": ("undated_surveys", "response_id")}
TABLES = {"reviews": "reviews", "surveys": "survey_responses"}
STAGES = {"reviews": "stage_reviews", "surveys": "stage_surveys"}


def note_batch(conn: Any, kind: str) -> tuple[int, int]:
    """After a staged batch is merged: note its new undated rows; how many were new
    (dated by this import) and how many were stored already (their date kept)."""
    side, key = SIDE[kind]
    stage, table = STAGES[kind], TABLES[kind]
    new, kept = conn.execute(
        f"SELECT count(*) FILTER (WHERE known_id IS NULL), count(known_id) FROM {stage} WHERE undated").fetchone()
    if new:
        conn.execute(f"""INSERT OR IGNORE INTO {side} ({key})
                         SELECT r.id FROM {stage} s JOIN {table} r
                           ON r.source = s.source AND r.external_id = s.external_id
                         WHERE s.undated AND s.known_id IS NULL""")
    return int(new), int(kept)


def forget_dated(conn: Any, kind: str) -> None:
    """Stored undated rows that this batch gives a date: no longer undated (a seek when none is noted)."""
    side, key = SIDE[kind]
    if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {side})").fetchone()[0]:
        conn.execute(f"DELETE FROM {side} WHERE {key} IN "
                     f"(SELECT known_id FROM {STAGES[kind]} WHERE known_id IS NOT NULL AND undated IS NOT 1)")


def is_undated(store: Store, kind: str, row_id: int) -> bool:
    side, key = SIDE[kind]
    return bool(store.scalar(f"SELECT EXISTS (SELECT 1 FROM {side} WHERE {key} = ?)", (row_id,)))


# The counts read the side table first (CROSS JOIN fixes SQLite's join order): its rows,
# then each one's row by id. With a plain JOIN SQLite chose to walk the window's reviews by
# date and look each up in the side table: 1.0 s for `score` at 1M reviews, none undated.
def _where(kind: str, filters: Filters) -> tuple[str, dict[str, Any]]:
    where, params = grouping.where_clause(filters, table_alias="r", surveys=kind == "surveys")
    if kind == "reviews":
        where += " AND r.status != 'spam'"  # as in the figures
    return where, params


def count(store: Store, filters: Filters | None = None) -> dict[str, int]:
    """How many of the reviews and survey answers under ``filters`` (spam left out,
    as in the figures) are dated by their import: ``{"reviews": n, "surveys": n}``.
    Reads the undated rows only: nothing when every row had its date."""
    counts = {}
    for kind, (side, key) in SIDE.items():
        where, params = _where(kind, filters or Filters())
        counts[kind] = int(store.scalar(
            f"SELECT count(*) FROM {side} u CROSS JOIN {TABLES[kind]} r ON r.id = u.{key} WHERE {where}", params) or 0)
    return counts


def by_group(store: Store, filters: Filters, by: str) -> dict[Any, dict[str, int]]:
    """:func:`count` per period or segment ``by`` (the labels of ``grouping.group_expression``,
    as in the figures); a group with no undated row is left out."""
    result: dict[Any, dict[str, int]] = {}
    for kind, (side, key) in SIDE.items():
        where, params = _where(kind, filters)
        label = grouping.group_expression(by, surveys=kind == "surveys")
        for group, n in store.conn.execute(
                f"SELECT {label} AS grp, count(*) FROM {side} u CROSS JOIN {TABLES[kind]} r ON r.id = u.{key} "
                f"WHERE {where} GROUP BY grp", params):
            result.setdefault(group, dict.fromkeys(SIDE, 0))[kind] = n
    return result


def describe(counts: dict[str, int]) -> str | None:
    """``"1,234 reviews and 5 survey answers have no date in their file: dated by their import"``
    (None when there is none)."""
    parts = [f"{n:,} {noun if n != 1 else noun[:-1]}" for noun, n in
             (("reviews", counts.get("reviews", 0)), ("survey answers", counts.get("surveys", 0))) if n]
    if not parts:
        return None
    one = sum(counts.values()) == 1
    return f"{' and '.join(parts)} {'has' if one else 'have'} no date in {'its' if one else 'their'} file: " \
           f"dated by {'its' if one else 'their'} import"


def add_to_card(store: Store, card: dict[str, Any], filters: Filters, by: str | None) -> None:
    """``score --json``'s ``"undated": {"reviews": n, "surveys": n}``, overall and in each period."""
    card["undated"] = count(store, filters)
    groups = by_group(store, filters, by) if by and any(card["undated"].values()) else {}
    for period in card.get("periods", []):
        period["undated"] = groups.get(period["period"], dict.fromkeys(SIDE, 0))


def warning_lines(card: dict[str, Any]) -> list[str]:
    """What ``score`` says of a card's undated rows (nothing when every row had its date)."""
    overall = describe(card.get("undated") or {})
    if overall is None:
        return []
    return [f"Undated: {overall}.", *(f"  {period['period']}: {text}" for period in card.get("periods", [])
                                       if (text := describe(period.get("undated") or {})))]


def report_lines(store: Store, window: Filters, period: str) -> list[str]:
    """The Markdown report's section on rows dated by their import (none: no line)."""
    lines = [f"- {label}: {text}" for label, counts in sorted(by_group(store, window, period).items())
             if (text := describe(counts))]
    if not lines:
        return []
    return ["", "## Rows without a date", "",
            "Their file gave no date: they are counted in the period of their import.", "", *lines]
