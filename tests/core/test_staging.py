"""Staging a batch with many rows per INSERT (store/staging.py) keeps every row, in order.

The staging statement binds up to ``STAGE_ROWS`` rows at once and the rest of
a batch one by one; a connection with a lower limit on bound values gets
fewer rows per statement. Whatever the split, the stored reviews, their ids and
the counts are those of the file, and importing it again changes nothing.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from feedback_tui.importers import open_input
from feedback_tui.store import Store
from feedback_tui.store.imports import import_rows
from feedback_tui.store.staging import STAGE_ROWS, rows_per_insert

IMPORTED_AT = "2026-12-01T00:00:00Z"
ROWS = 2 * STAGE_ROWS + 3  # two whole statements and three rows on their own, in one batch


def write_csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "rating", "title", "body", "author", "created_at", "reply", "reply_at"])
        for i in range(rows):
            reply = "Thanks!" if i % 7 == 0 else ""
            writer.writerow([f"r-{i}", "app_store", i % 5 + 1, f"title {i}" if i % 3 else "", f"body number {i}",
                             f"author {i % 11}", f"2026-0{i % 9 + 1}-1{i % 10}T08:00:0{i % 10}Z", reply,
                             "2026-11-20T10:00:00Z" if reply else ""])
    return path


def load(store: Store, path: Path, **options: object):
    parsed = open_input(path, imported_at=IMPORTED_AT)
    return import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, **options)


def stored(store: Store) -> list[tuple]:
    return [tuple(r) for r in store.query(
        "SELECT id, external_id, rating, title, body, author, created_at, status, has_reply, first_reply_at "
        "FROM reviews ORDER BY id")]


@pytest.mark.parametrize("bulk", [False, True])
def test_every_row_of_a_batch_is_staged_and_stored_once(tmp_path: Path, bulk: bool) -> None:
    path = write_csv(tmp_path / "reviews.csv", ROWS)
    with Store.open(tmp_path / "one.db") as store:
        first = load(store, path, bulk=bulk, batch_size=ROWS + 10)
        assert (first.inserted, first.updated, first.unchanged, first.rejected) == (ROWS, 0, 0, 0)
        rows = stored(store)
        assert sorted(int(r[1][2:]) for r in rows) == list(range(ROWS))
        assert store.scalar("SELECT count(*) FROM replies") == len(range(0, ROWS, 7))
        assert store.scalar("SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH 'number'") == ROWS
        again = load(store, path, bulk=bulk, batch_size=ROWS + 10)
        assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, ROWS, 0)
        assert stored(store) == rows


def test_a_lower_limit_on_bound_values_stages_fewer_rows_per_insert(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "reviews.csv", ROWS)
    with Store.open(tmp_path / "default.db") as default, Store.open(tmp_path / "limited.db") as limited:
        assert rows_per_insert(default.conn, 14) == STAGE_ROWS
        limited.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)
        assert rows_per_insert(limited.conn, 14) == 7
        load(default, path, batch_size=ROWS + 10)
        result = load(limited, path, batch_size=ROWS + 10)
        assert result.inserted == ROWS
        # same rows, same ids: the order rows reach the staging table does not depend on the split
        assert stored(limited) == stored(default)
