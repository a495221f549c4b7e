"""The inbox's interaction queries (issue 19) give the answers of the slow queries they replace.

- The filter panel's lists come from the daily rollups (plus the rows of the
  dirty days) and a skip scan of the assignee index: they must equal a
  ``SELECT DISTINCT`` over the raw rows after inserts, edits, deletes and spam.
- Each sort order is served by an index: paging through it by keyset must give
  the order of a full sort done here in Python, and the planner must use the
  index (no sort step) on the views that list most reviews.
- Migration 017 adds its indexes to a database made before it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from feedback_tui.store import Store, filter_values, inbox, rollups
from feedback_tui.store.inbox import SORTS, VIEWS, InboxQuery
from tests.conftest import import_file, write_csv

HEADER = ["id", "source", "rating", "title", "body", "author", "created_at", "language", "product"]
SURVEY_HEADER = ["id", "kind", "score", "comment", "created_at", "customer", "source", "language"]


def _reviews(count: int = 60) -> list[list[Any]]:
    """Reviews with many ties: five dates (two on the same second), three sources, products, languages."""
    sources, products, languages = ("app_store", "trustpilot", "website"), ("Web", "iOS", ""), ("en", "fr", "")
    stamps = ("2026-03-01T00:00:00Z", "2026-03-31T23:59:59Z", "2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z",
              "2026-04-30T12:00:00Z")
    rows = []
    for i in range(count):
        rating = "" if i % 11 == 0 else (i * 7) % 5 + 1
        rows.append([f"r{i}", sources[i % 3], rating, f"title {i}", f"body number {i} of the test", f"author {i}",
                     stamps[(i * 3) % 5], languages[(i // 3) % 3], products[(i // 2) % 3]])
    return rows


def _raw(store: Store, column: str, table: str = "reviews") -> list[str]:
    spam = " AND status != 'spam'" if table == "reviews" else ""
    return sorted(row[0] for row in store.conn.execute(
        f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL{spam}"))


def _assert_lists_match(store: Store) -> None:
    for column in filter_values.COLUMNS:
        assert inbox.distinct_values(store, column) == _raw(store, column), column
    for column in ("source", "language"):
        assert inbox.distinct_values(store, column, "surveys") == _raw(store, column, "survey_responses"), column
    assert inbox.assignees(store) == sorted(row[0] for row in store.conn.execute(
        "SELECT DISTINCT assignee FROM reviews WHERE assignee IS NOT NULL"))


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    import_file(store, write_csv(tmp_path / "reviews.csv", HEADER, _reviews()))
    import_file(store, write_csv(tmp_path / "surveys.csv", SURVEY_HEADER, [
        ["s1", "nps", 9, "great", "2026-03-02T10:00:00Z", "c1", "email", "en"],
        ["s2", "csat", 2, "", "2026-03-03T10:00:00Z", "c2", "in_app", ""],
        ["s3", "ces", 5, "fine", "2026-04-03T10:00:00Z", "c3", "email", "fr"],
    ]))
    with store.write() as conn:  # polarity with ties (several reviews at each value), some unscored
        conn.execute("UPDATE reviews SET polarity = CASE WHEN id % 7 = 0 THEN NULL ELSE ((id * 13) % 5 - 2) / 2.0 END")
    rollups.refresh(store)
    return store


def test_filter_lists_equal_a_raw_scan_through_inserts_edits_deletes_and_spam(loaded: Store, tmp_path: Path) -> None:
    store = loaded
    assert store.scalar("SELECT count(*) FROM rollup_dirty") == 0
    _assert_lists_match(store)
    assert inbox.distinct_values(store, "language") == ["en", "fr"]

    # An edit of a clean day: its day is dirty, so its rows answer for it, not its stale rollup rows.
    with store.write() as conn:
        conn.execute("UPDATE reviews SET product = 'Android', language = 'de' WHERE external_id = 'r1'")
        conn.execute("UPDATE reviews SET assignee = 'zoé' WHERE id % 5 = 0")
    assert store.scalar("SELECT count(*) FROM rollup_dirty") > 0
    _assert_lists_match(store)
    assert "Android" in inbox.distinct_values(store, "product") and "de" in inbox.distinct_values(store, "language")

    # A delete: the value it held goes (its day is dirty, its rollup rows are not read).
    with store.write() as conn:
        conn.execute("DELETE FROM reviews WHERE external_id = 'r1'")
    _assert_lists_match(store)
    assert "de" not in inbox.distinct_values(store, "language")

    # Spam is left out, as from the figures: a product only spam holds is not offered.
    with store.write() as conn:
        conn.execute("UPDATE reviews SET product = 'Spamware', status = 'spam' WHERE external_id = 'r2'")
    _assert_lists_match(store)
    assert "Spamware" not in inbox.distinct_values(store, "product")

    # A new import (new source, new survey source), then the refresh the import does.
    import_file(store, write_csv(tmp_path / "more.csv", HEADER, [
        ["n1", "google_play", 3, "t", "new body", "a", "2026-05-01T08:00:00Z", "es", "Kiosk"]]))
    import_file(store, write_csv(tmp_path / "more_s.csv", SURVEY_HEADER, [
        ["s9", "nps", 3, "bad", "2026-05-02T10:00:00Z", "c9", "phone", "es"]]))
    _assert_lists_match(store)
    assert "google_play" in inbox.distinct_values(store, "source")
    assert "phone" in inbox.distinct_values(store, "source", "surveys")
    rollups.refresh(store)
    _assert_lists_match(store)


def _expected(rows: list[Any], sort: str) -> list[int]:
    """The order a sort promises, computed here by stable sorts from the last key to the first."""
    def value(row: Any, name: str) -> Any:
        if name == "rating":
            return row.rating or 0
        if name == "polarity":
            return row.polarity if row.polarity is not None else 0
        return getattr(row, name)

    keys = {
        "newest": [("created_at", True), ("id", True)],
        "oldest": [("created_at", False), ("id", False)],
        "rating_low": [("rating", False), ("created_at", True), ("id", True)],
        "rating_high": [("rating", True), ("created_at", True), ("id", True)],
        "sentiment_low": [("polarity", False), ("created_at", True), ("id", True)],
        "sentiment_high": [("polarity", True), ("created_at", False), ("id", False)],  # the exact reverse
        "needs_reply": [("is_negative", True), ("created_at", False), ("id", False)],
    }[sort]
    ordered = list(rows)
    for name, descending in reversed(keys):
        ordered.sort(key=lambda row, name=name: value(row, name), reverse=descending)
    return [row.id for row in ordered]


def _all_pages(store: Store, query: InboxQuery, size: int) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        rows = inbox.page(store, query, after=after, limit=size)
        ids += [row.id for row in rows]
        if len(rows) < size:
            return ids
        after = rows[-1].sort_key


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_by_index_pages_in_the_order_of_a_full_sort(loaded: Store, sort: str) -> None:
    store = loaded
    with store.write() as conn:
        conn.execute("UPDATE reviews SET assignee = 'tester' WHERE id % 4 = 0")
    for view in VIEWS:
        query = InboxQuery(view=view, sort=sort, agent="tester")
        everything = inbox.page(store, query, limit=10_000)
        assert len(everything) == inbox.count(store, query) > 0
        if not (view == "needs_reply" and sort == "newest"):  # that view has its own order, tested elsewhere
            assert [row.id for row in everything] == _expected(everything, sort), (view, sort)
        for size in (1, 7):
            assert _all_pages(store, query, size) == [row.id for row in everything], (view, sort, size)
        # and backwards from the end: the same rows
        last = inbox.page(store, query, from_end=True, limit=5)
        assert [row.id for row in last] == [row.id for row in everything[-5:]]


@pytest.mark.parametrize("sort", SORTS)
def test_the_planner_serves_each_sort_from_an_index(loaded: Store, sort: str) -> None:
    """No sort step over the listed reviews: the first page reads a page of index entries at any N."""
    store = loaded
    for view in ("all", "needs_reply", "negative"):
        query = InboxQuery(view=view, sort=sort)
        where, params = inbox._conditions(query)
        order = ", ".join(f"{e} {'DESC' if d else 'ASC'}" for e, d in inbox.order_of(query))
        plan = " ".join(row[-1] for row in store.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT r.id FROM reviews r WHERE {' AND '.join(where) or '1'} ORDER BY {order} LIMIT 100",
            params))
        assert "TEMP B-TREE" not in plan, (view, sort, plan)


def test_migration_017_adds_its_indexes_to_an_existing_database(db_path: Path) -> None:
    with Store.open(db_path):
        pass
    conn = sqlite3.connect(db_path)  # the database as the release before this step left it
    with conn:
        conn.execute("DROP INDEX reviews_rating_low")
        conn.execute("DROP INDEX reviews_polarity")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm017_interaction_indexes'")
    conn.close()
    with Store.open(db_path) as store:
        names = {row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"reviews_rating_low", "reviews_polarity"} <= names
        assert store.scalar("SELECT count(*) FROM _sqlite_migrations WHERE name = 'm017_interaction_indexes'") == 1
