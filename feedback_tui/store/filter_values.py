"""The filter panel's lists: which sources, products, languages, tags and assignees exist.

A ``SELECT DISTINCT language FROM reviews`` reads every review (about a second
at a million rows, ten at ten million), and the panel waited for three of them.
The values are already in small tables:

- **source, product, language**: the daily rollups hold one row per day and
  combination (a year of 4 sources × 4 products × 2 languages is ~12k rows at
  any N). Days marked dirty since the last refresh are left out of the rollups
  and read from the reviews of those days instead, through the date index, so a
  value imported or edited a second ago is offered and one deleted is not. The
  cost is the rollup rows plus the rows of the dirty days: imports, rescoring
  and every score refresh the rollups, so those are today's few changes.
  Like the rollups (and the figures), spam is left out.
- **tags**: the ``tags`` table (``triage.tag_names``), already small.
- **assignees**: the partial ``reviews_assignee_created`` index, walked one
  distinct value at a time (a recursive query seeking the next value), so the
  cost is one seek per assignee, not one read per review.
"""

from __future__ import annotations

from feedback_tui.store import Store
from feedback_tui.store.rollups import day_end

COLUMNS = ("source", "language", "product")
LIMIT = 500  # a list longer than this is not a list anyone scrolls


def _table(kind: str) -> tuple[str, str]:
    return ("survey_responses", "survey_daily") if kind == "surveys" else ("reviews", "review_daily")


def distinct_values(store: Store, column: str, kind: str = "reviews") -> list[str]:
    """The values of ``column`` in the reviews (or survey answers) that are not spam, sorted."""
    if column not in COLUMNS:
        raise ValueError(column)
    if kind == "surveys" and column == "product":
        return []
    table, daily = _table(kind)
    spam = "" if kind == "surveys" else " AND status != 'spam'"
    dirty = [row[0] for row in store.conn.execute("SELECT day FROM rollup_dirty ORDER BY day")]
    values = {row[0] for row in store.conn.execute(
        f"SELECT DISTINCT {column} FROM {daily} WHERE {column} IS NOT NULL "
        "AND day NOT IN (SELECT day FROM rollup_dirty)")}
    for day in dirty:
        values.update(row[0] for row in store.conn.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE created_at >= ? AND created_at < ? "
            f"AND {column} IS NOT NULL{spam}", (day, day_end(day))))
    return sorted(values)[:LIMIT]


def assignees(store: Store) -> list[str]:
    """Everyone a review is assigned to, by a skip scan of the assignee index."""
    rows = store.conn.execute(
        """WITH RECURSIVE next(name) AS (
               SELECT min(assignee) FROM reviews WHERE assignee IS NOT NULL
               UNION ALL
               SELECT (SELECT min(assignee) FROM reviews WHERE assignee IS NOT NULL AND assignee > next.name)
               FROM next WHERE next.name IS NOT NULL LIMIT :limit)
           SELECT name FROM next WHERE name IS NOT NULL""", {"limit": LIMIT + 1})
    return [row[0] for row in rows][:LIMIT]

