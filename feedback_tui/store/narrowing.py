"""Where a rare filter's reviews can be, asked of the small tables first (issue 19).

An inbox page walks an index in the sort's order and tests each review
against the filters until the page is full. When a filter matches no review,
or very few, that walk reads the whole index: at ten million reviews "filter:
sentiment" with no review scored took 31 s, a tag nobody uses or a source with
three reviews the same. Before the walk, :func:`candidates` asks where the
listed reviews can be:

- the **daily rollups** (``review_daily``: one row per day, source, product
  and language, with the sentiment, star, replied and negative counts) answer
  source, product, language, a missing column, sentiment, the stars, replied,
  the Negative view and the dates: the days where a review can pass them all
  (an upper bound of the matches per day is the smallest of those counts).
  The reviews of the days marked dirty since the last refresh are read and
  tested (up to ``DIRTY_ROWS_LIMIT``), and so is the spam, which the rollups
  leave out, found by its partial index (m020) when the query can list it;
- **side indexes** give a tag's reviews (``review_tags``), a source's, an
  assignee's (the Mine view too) and the mismatches, counted up to a bound.

The answer is the smallest of these places and how many reviews it holds. No
place at all (a filter that matches nothing): the page is empty at once, and
so is the count. A small place: :mod:`feedback_tui.store.inbox` reads only
its reviews, tests every filter as before and sorts them, so the rows and
their order are exactly the walk's (a test compares both on every sort). Any
other case keeps the walk; its cost is then bounded by the density of the
matches, which the same counts estimate (:meth:`Candidates.collect`).

What is left to the walk: a filter the small tables cannot answer (a status
other than spam, the Needs reply view alone) that matches few reviews still
reads the whole index, and a filter matching a few reviews spread over most
days reads those days (see benchmarks/RESULTS.md, issue 19 session 6).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from feedback_tui.store import Store
from feedback_tui.store.rollups import day_end

if TYPE_CHECKING:
    from feedback_tui.store.inbox import InboxQuery

# Side indexes are counted up to this many entries: a place larger than this is
# never read instead of the walk (nor instead of the rollups' days).
SIDE_COUNT_LIMIT = 50_000
# Rollups saying more than one review in DENSE may match: the walk reads about DENSE ×
# PAGE_SIZE reviews for a page, the days are not listed (they would be most days anyway).
DENSE = 20
# A side index holding this many reviews or fewer is read without asking the rollups.
SMALL_PLACE = 2_000
# More dirty days than this (a fresh import not refreshed yet), more reviews on them
# than DIRTY_ROWS_LIMIT (each is read and tested) or more spam than SPAM_LIMIT: the
# rollups are no guide, the walk goes on as before.
DIRTY_DAYS_LIMIT = 366
DIRTY_ROWS_LIMIT = 50_000
SPAM_LIMIT = 50_000
_SENTIMENT_COUNTS = {"positive": "s_pos", "neutral": "s_neu", "negative": "s_neg"}


@dataclass(frozen=True)
class Candidates:
    """The reviews a query can list are among ``sql``'s ids (``params``): ``rows`` of them.

    ``matches`` is an upper bound of the reviews the query lists, ``total`` the
    reviews there are; ``sql`` is None when no review can match.
    """

    sql: str | None
    params: dict[str, Any] = field(default_factory=dict)
    rows: int = 0
    matches: int = 0
    total: int = 0
    origin: str = "days"  # "days" (the rollups' days) or "side" (a side index)

    @property
    def empty(self) -> bool:
        return self.sql is None

    def collect(self, limit: int) -> bool:
        """True when reading these ``rows`` costs less than the walk: the walk reads about
        ``limit`` pages' worth of reviews per match density (``total / matches`` reviews
        for each listed one) before its page is full, and all of them when fewer match."""
        if self.empty:
            return True
        walk = self.total if self.matches <= limit else limit * self.total / self.matches
        return self.rows < walk

    def count_collect(self) -> bool:
        """True when a count reads fewer reviews here than in the whole table. A side
        index alone is left to SQLite, whose count already reads it (a tag's ids, a source's
        index entries)."""
        return self.empty or (self.origin == "days" and self.rows * 2 < self.total)


def _star(rating: float) -> int:
    """The star bucket of a rating (rollups.STAR_BUCKETS): 1 below 2, 5 from 5."""
    return min(max(int(rating), 1), 5)


def _rollup_terms(query: InboxQuery) -> tuple[list[str], list[str], dict[str, Any]]:
    """The rollup filters (WHERE terms on ``review_daily``), the counts each bounds the
    matches by, and their parameters."""
    where: list[str] = []
    counts: list[str] = []
    params: dict[str, Any] = {}
    for name in ("source", "language", "product"):
        value = getattr(query, name)
        if value:
            where.append(f"{name} = :c_{name}")
            params[f"c_{name}"] = value
    if query.missing:
        where.append(f"{query.missing} IS NULL")  # inbox checks it is a known column first
    if query.sentiment:
        counts.append(_SENTIMENT_COUNTS.get(query.sentiment, "n - s_n"))  # 'unknown': not one of the three
    if query.min_rating is not None or query.max_rating is not None:
        low = _star(query.min_rating) if query.min_rating is not None else 1
        high = _star(query.max_rating) if query.max_rating is not None else 5
        stars = [f"r{i}" for i in range(low, high + 1)]
        counts.append("(" + " + ".join(stars) + ")" if stars else "0")
    if query.replied is not None:
        counts.append("replied" if query.replied else "n - replied")
    if query.view == "negative":
        counts.append("negative")
    if query.since:
        where.append("day >= :c_since")
        params["c_since"] = query.since[:10]
    if query.until:  # before midnight: not that day; later in the day: that day too
        where.append("day < :c_until" if query.until[10:] == "T00:00:00Z" else "day <= :c_until")
        params["c_until"] = query.until[:10]
    return where, counts, params


def _narrows(query: InboxQuery) -> bool:
    """Whether the query has a filter the small tables know more about than the reviews
    do (nothing to ask for the plain views: their walk fills a page at once)."""
    where, counts, _params = _rollup_terms(query)
    return bool(where or counts or query.tag or query.assignee or query.mismatch or query.view == "mine"
                or _only_spam(query))


def _only_spam(query: InboxQuery) -> bool:
    """The Spam status alone: outside the rollups, listed from its own index (m020)."""
    return bool(query.statuses) and set(query.statuses) == {"spam"}


def _lists_spam(query: InboxQuery) -> bool:
    if query.statuses:
        return "spam" in query.statuses
    return query.view == "all"


def _has_index(store: Store, name: str) -> bool:
    return store.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone() is not None


def _day_ranges(days: list[str]) -> list[tuple[str, str]]:
    """Sorted days as ``[lo, hi)`` ranges of ``created_at``, neighbours merged."""
    ranges: list[tuple[str, str]] = []
    for day in sorted(set(days)):
        end = day_end(day)
        if ranges and ranges[-1][1] >= day:
            ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
        else:
            ranges.append((day, end))
    return ranges


def _matching(store: Store, rows_sql: str, conditions: tuple[list[str], dict[str, Any]],
              extra: dict[str, Any]) -> tuple[int, int]:
    """How many reviews ``rows_sql`` (``... FROM ... reviews r ...``) reads, and how many pass the query."""
    where, params = conditions
    test = " AND ".join(where) or "1"
    row = store.conn.execute(f"SELECT count(*), coalesce(sum(CASE WHEN {test} THEN 1 ELSE 0 END), 0) {rows_sql}",
                             {**params, **extra}).fetchone()
    return int(row[0]), int(row[1])


def _by_days(store: Store, query: InboxQuery, conditions: tuple[list[str], dict[str, Any]]) -> Candidates | None:
    """The days that can hold the query's reviews, from the rollups; the dirty days and the
    spam, which the rollups do not hold, are read and tested (few reviews, or no narrowing)."""
    dirty = [row[0] for row in store.conn.execute("SELECT day FROM rollup_dirty LIMIT ?", (DIRTY_DAYS_LIMIT + 1,))]
    if len(dirty) > DIRTY_DAYS_LIMIT:
        return None
    where, counts, params = _rollup_terms(query)
    match = "0" if _only_spam(query) else counts[0] if len(counts) == 1 else f"min({', '.join(counts)})" if counts else "n"
    # The rows a narrowed page reads on a day: all of them, or the source's (its index serves it).
    source_term = next((term for term in where if term.startswith("source ")), None)
    rows_expr = f"CASE WHEN {source_term} THEN n ELSE 0 END" if source_term else "n"
    passes = f"CASE WHEN {' AND '.join(where) or '1'} THEN {match} ELSE 0 END"
    fresh = "FROM review_daily WHERE day NOT IN (SELECT day FROM rollup_dirty)"
    everything, passing = store.conn.execute(f"SELECT coalesce(sum(n), 0), coalesce(sum({passes}), 0) {fresh}",
                                             params).fetchone()
    if passing * DENSE > everything:  # the walk fills a page at once: no day is worth listing
        return None
    found = store.conn.execute(f"SELECT day, sum(n), sum({rows_expr}), sum({passes}) {fresh} GROUP BY day",
                               params).fetchall()
    total = sum(int(row[1] or 0) for row in found)
    days = {row[0]: int(row[2] or 0) for row in found if (row[3] or 0) > 0}
    matches = sum(int(row[3] or 0) for row in found)
    searched = bool(query.search and query.search.strip())
    dirty_rows = 0
    if dirty:  # their rows are tested (read whole next to a search: its index may be costly)
        ranges = {"c_dirty": json.dumps(_day_ranges(dirty))}
        rows_sql = ("FROM json_each(:c_dirty) j CROSS JOIN reviews r INDEXED BY reviews_created "
                    "WHERE r.created_at >= json_extract(j.value, '$[0]') AND r.created_at < json_extract(j.value, '$[1]')")
        rows = int(store.conn.execute(f"SELECT count(*) {rows_sql}", ranges).fetchone()[0])  # the index alone
        if rows > DIRTY_ROWS_LIMIT:
            return None
        passing = rows if searched else _matching(store, rows_sql, conditions, ranges)[1]
        total += rows
        if passing:
            days.update({day: 0 for day in dirty})
            dirty_rows = rows
            matches += passing
    parts: list[str] = []
    sql_params: dict[str, Any] = {}
    rows_read = sum(days.values()) + dirty_rows
    if days:
        column = query.missing if query.missing == "source" else "source" if query.source else None
        if column:  # the source index serves a source's days (and a missing source's)
            test = "x.source IS NULL" if query.missing == "source" else "x.source = :c_source"
            index = "reviews_source_created"
        else:
            test, index = "1", "reviews_created"
        parts.append(f"SELECT x.id FROM json_each(:c_ranges) j CROSS JOIN reviews x INDEXED BY {index} "
                     f"WHERE {test} AND x.created_at >= json_extract(j.value, '$[0]') "
                     "AND x.created_at < json_extract(j.value, '$[1]')")
        sql_params["c_ranges"] = json.dumps(_day_ranges(list(days)))
        if query.source and column:
            sql_params["c_source"] = query.source
    if _lists_spam(query):  # spam is outside the rollups: its reviews are found by its index (m020)
        if not _has_index(store, "reviews_spam"):
            return None
        spam_sql = "FROM reviews r INDEXED BY reviews_spam WHERE r.status = 'spam'"
        spam = int(store.conn.execute(f"SELECT count(*) FROM (SELECT 1 {spam_sql} LIMIT {SPAM_LIMIT + 1})").fetchone()[0])
        if spam > SPAM_LIMIT:
            return None
        _rows, passing = _matching(store, spam_sql, ([], {}) if searched else conditions, {})
        total += spam
        if passing:
            parts.append(f"SELECT r.id {spam_sql}")
            rows_read += spam
            matches += passing
    if not parts:
        return Candidates(None, total=total)
    return Candidates(" UNION ".join(parts), sql_params, rows_read, matches, total)


def _side(store: Store, query: InboxQuery, total: int) -> list[Candidates]:
    """The side indexes that hold the query's reviews, each counted up to ``SIDE_COUNT_LIMIT``."""
    found: list[Candidates] = []
    side: list[tuple[str, dict[str, Any]]] = []
    if query.tag:
        side.append(("SELECT rt.review_id AS id FROM review_tags rt INDEXED BY review_tags_tag "
                     "WHERE rt.tag_id = (SELECT t.id FROM tags t WHERE t.name = :c_tag)", {"c_tag": query.tag}))
    if query.source:
        side.append(("SELECT x.id FROM reviews x INDEXED BY reviews_source_created WHERE x.source = :c_side_source",
                     {"c_side_source": query.source}))
    elif query.missing == "source":
        side.append(("SELECT x.id FROM reviews x INDEXED BY reviews_source_created WHERE x.source IS NULL", {}))
    people = {query.assignee} if query.assignee else set()
    if query.view == "mine":
        people.add(query.agent or "")
    for who in sorted(people):
        side.append(("SELECT x.id FROM reviews x INDEXED BY reviews_assignee_created WHERE x.assignee = :c_who"
                     + str(len(side)), {f"c_who{len(side)}": who}))
    if query.mismatch:
        side.append(("SELECT x.id FROM reviews x INDEXED BY reviews_mismatch WHERE x.mismatch = 1", {}))
    for sql, params in side:
        rows = int(store.conn.execute(f"SELECT count(*) FROM ({sql} LIMIT {SIDE_COUNT_LIMIT + 1})", params).fetchone()[0])
        if rows <= SIDE_COUNT_LIMIT:  # more: how many is not known, the place is never read
            found.append(Candidates(sql if rows else None, params, rows, rows, max(total, rows), origin="side"))
    return found


def candidates(store: Store, query: InboxQuery, conditions: tuple[list[str], dict[str, Any]]) -> Candidates | None:
    """The smallest known place that holds every review ``query`` lists (see the module's
    docstring), or None when the small tables know nothing better than the whole table.

    ``conditions``: the query's WHERE terms on ``reviews r`` and their parameters
    (``inbox._conditions``), to test the few reviews the rollups do not hold. The side
    indexes are asked first: one that holds no review, or few (``SMALL_PLACE``), answers
    without the rollups.
    """
    if query.kind != "reviews" or query.ids or not _narrows(query):
        return None
    reviews = int(store.conn.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0])
    places = _side(store, query, reviews)
    if any(place.empty for place in places):
        return Candidates(None, total=reviews, origin="side")
    if places and min(place.rows for place in places) <= SMALL_PLACE:
        return min(places, key=lambda place: place.rows)
    where, counts, _params = _rollup_terms(query)
    by_days = _by_days(store, query, conditions) if where or counts or _only_spam(query) else None
    if by_days is not None:
        places.append(by_days)
    if not places:
        return None
    if any(place.empty for place in places):
        return Candidates(None, total=reviews)
    best = min(places, key=lambda place: place.rows)
    matches = min(place.matches for place in places)
    return Candidates(best.sql, best.params, best.rows, matches, max(best.total, best.rows), best.origin)
