"""The SQLite store and the import merge: schema, pragmas, re-imports, edits,
interrupted runs and files that are not databases."""

from __future__ import annotations

import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from conftest import BROKEN, FIXTURES, REVIEW_HEADER, import_file, write_csv
from feedback_tui.errors import DatabaseProblem
from feedback_tui.importers import open_input
from feedback_tui.models import ReviewRecord
from feedback_tui.store import Store
from feedback_tui.store.imports import import_rows
from feedback_tui.store.schema import migrations


def schema_snapshot(store: Store) -> list[tuple[str, str]]:
    return [tuple(row) for row in store.query("SELECT name, sql FROM sqlite_master ORDER BY name")]


def fts_ids(store: Store, words: str) -> set[int]:
    return {row[0] for row in store.query("SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH ?", (words,))}


# -- opening -----------------------------------------------------------------------
def test_new_database_is_private_wal_with_foreign_keys(db_path: Path) -> None:
    with Store.open(db_path) as store:
        assert store.scalar("PRAGMA journal_mode") == "wal"
        assert store.scalar("PRAGMA foreign_keys") == 1
        with pytest.raises(sqlite3.IntegrityError):  # enforced, not just declared
            store.conn.execute("INSERT INTO replies (review_id, text, agent) VALUES (999, 'hi', 'me')")
        tables = {row[0] for row in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"reviews", "survey_responses", "replies", "review_history", "import_runs", "rejects",
            "tags", "review_tags", "reviews_fts"} <= tables
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_migrations_are_idempotent_and_keep_data(db_path: Path) -> None:
    with Store.open(db_path) as store:
        import_file(store, FIXTURES / "reviews.jsonl")
        before = schema_snapshot(store)
    for _ in range(2):
        with Store.open(db_path) as store:
            assert schema_snapshot(store) == before
            applied = [row[0] for row in store.query("SELECT name FROM _sqlite_migrations")]
            assert sorted(applied) == sorted(m.name for m in migrations._migrations)
            assert store.count_reviews() == 20


def test_unique_source_and_external_id(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dupes.csv", ["id", "source", "rating", "body"],
                     [["same-1", "trustpilot", 5, "Great"], ["same-1", "app_store", 1, "Awful"]])
    result = import_file(store, path)
    assert result.inserted == 2  # one id, two sources: two reviews
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO reviews (source, external_id, body, created_at, imported_at) "
            "VALUES ('trustpilot', 'same-1', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")


def test_not_sqlite_file_is_a_clear_database_problem(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(DatabaseProblem) as caught:
        Store.open(path)
    assert str(caught.value) == f"{path}: not a feedback-tui database (the file is not SQLite or is damaged)"
    assert caught.value.exit_code == 3
    assert path.read_bytes() == before  # nothing was written into the user's file


def test_directory_as_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseProblem, match="is a directory"):
        Store.open(tmp_path)


# -- full-text search --------------------------------------------------------------
def test_fts_finds_livraison_and_ignores_accents(store: Store) -> None:
    import_file(store, FIXTURES / "reviews.csv")
    found = fts_ids(store, "livraison")
    expected = {row["id"] for row in store.query("SELECT id, title, body, author FROM reviews")
                if re.search(r"\blivraison\b", " ".join(filter(None, (row["title"], row["body"], row["author"]))), re.I)}
    assert len(found) >= 18 and found == expected
    assert fts_ids(store, "creneau") == fts_ids(store, "créneau") != set()


# -- re-imports and edits ----------------------------------------------------------
def test_search_index_matches_the_reviews_after_batched_imports_and_direct_inserts(store: Store) -> None:
    """Imports index each batch's new rows in one statement (the row trigger is
    paused inside the batch's transaction); any other insert uses the trigger."""
    parsed = open_input(FIXTURES / "reviews.csv", imported_at="2026-12-01T00:00:00Z")
    import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, batch_size=7)
    assert store.scalar("SELECT count(*) FROM reviews_fts") == store.count_reviews() == 240
    # FTS5 compares its index with the reviews table itself: raises on any difference
    store.conn.execute("INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('integrity-check', 1)")
    assert store.scalar("SELECT count(*) FROM search_index_paused") == 0
    with store.write() as conn:
        conn.execute("INSERT INTO reviews (source, external_id, body, created_at, imported_at) "
                     "VALUES ('manual', 'x-1', 'Quokka-shaped bread', '2026-05-01T00:00:00Z', 'now')")
    manual = store.scalar("SELECT id FROM reviews WHERE external_id = 'x-1'")
    assert fts_ids(store, "quokka") == {manual}


def test_a_batch_mixing_stored_and_new_reviews_merges_both(store: Store, tmp_path: Path) -> None:
    import_file(store, _version(tmp_path, "v1.csv", [
        ["k-1", "trustpilot", 2, "Cold", "Cold soup", "Ann", "2026-05-01T10:00:00Z", "en", "", ""]]))
    result = import_file(store, _version(tmp_path, "v2.csv", [
        ["k-1", "trustpilot", 3, "Cold", "Cold soup, refunded", "Ann", "2026-05-01T10:00:00Z", "en", "", ""],
        ["k-2", "trustpilot", 5, "Yum", "Warm bread", "Bob", "2026-05-03T10:00:00Z", "en", "Thanks Bob!",
         "2026-05-03T16:00:00Z"],
        ["k-3", "trustpilot", 4, "Ok", "Fine", "Cy", "2026-05-04T10:00:00Z", "en", "", ""],
    ]))
    assert (result.inserted, result.updated, result.unchanged, result.replies_imported) == (2, 1, 0, 1)
    rows = {r["external_id"]: r for r in store.query("SELECT * FROM reviews")}
    assert rows["k-1"]["body"] == "Cold soup, refunded" and rows["k-1"]["status"] == "new"
    assert (rows["k-2"]["status"], rows["k-2"]["has_reply"], rows["k-2"]["first_reply_at"]) == (
        "replied", 1, "2026-05-03T16:00:00Z")
    assert (rows["k-3"]["status"], rows["k-3"]["has_reply"], rows["k-3"]["first_reply_at"]) == ("new", 0, None)
    assert fts_ids(store, "refunded") == {rows["k-1"]["id"]} and fts_ids(store, "bread") == {rows["k-2"]["id"]}


def test_reimport_adds_nothing(store: Store) -> None:
    first = import_file(store, FIXTURES / "reviews.csv")
    replies = store.scalar("SELECT count(*) FROM replies")
    second = import_file(store, FIXTURES / "reviews.csv")
    assert (first.inserted, first.replies_imported) == (240, replies) and replies > 0
    assert (second.inserted, second.updated, second.unchanged, second.replies_imported) == (0, 0, 240, 0)
    assert store.count_reviews() == 240 and store.scalar("SELECT count(*) FROM replies") == replies
    assert store.scalar("SELECT count(*) FROM review_history") == 0
    surveys = import_file(store, FIXTURES / "surveys.csv"), import_file(store, FIXTURES / "surveys.csv")
    assert (surveys[1].inserted, surveys[1].updated, surveys[1].unchanged) == (0, 0, 330)


def _version(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    return write_csv(tmp_path / name, REVIEW_HEADER, rows)


def test_edited_review_updates_keeps_reply_history_and_becomes_outdated(store: Store, tmp_path: Path) -> None:
    v1 = _version(tmp_path, "v1.csv", [
        ["e-1", "trustpilot", 1, "Late", "Delivery was late, zeppelin slow", "Ann", "2026-05-01T10:00:00Z", "en",
         "Sorry Ann, refunded.", "2026-05-01T12:00:00Z"],
        ["e-2", "trustpilot", 2, "Meh", "Bruised apples", "Bob", "2026-05-02T10:00:00Z", "en", "", ""],
    ])
    import_file(store, v1)
    review_id = store.scalar("SELECT id FROM reviews WHERE external_id = 'e-1'")
    assert store.scalar("SELECT status FROM reviews WHERE id = ?", (review_id,)) == "replied"
    store.conn.execute("UPDATE reviews SET sentiment = 'negative', polarity = -0.5")  # as if scored
    v2 = _version(tmp_path, "v2.csv", [  # same ids, new text and rating, the reply column now empty
        ["e-1", "trustpilot", 4, "Late", "Refunded quickly, thanks! Edit: much better", "Ann",
         "2026-05-01T10:00:00Z", "en", "", ""],
        ["e-2", "trustpilot", 3, "Meh", "Bruised apples, but refunded", "Bob", "2026-05-02T10:00:00Z", "en", "", ""],
    ])
    result = import_file(store, v2)
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 0)
    row = store.query("SELECT * FROM reviews WHERE id = ?", (review_id,))[0]
    assert (row["rating"], row["body"], row["status"]) == (4, "Refunded quickly, thanks! Edit: much better", "outdated")
    assert row["sentiment"] is None and row["polarity"] is None  # to be rescored
    assert row["updated_at"] is not None
    assert [tuple(r) for r in store.query("SELECT text, origin FROM replies WHERE review_id = ?", (review_id,))] == [
        ("Sorry Ann, refunded.", "import")]
    history = store.query("SELECT rating, body FROM review_history WHERE review_id = ?", (review_id,))
    assert [tuple(r) for r in history] == [(1, "Delivery was late, zeppelin slow")]
    # an unanswered review keeps its status when edited
    assert store.scalar("SELECT status FROM reviews WHERE external_id = 'e-2'") == "new"
    # the search index follows the edit
    assert review_id not in fts_ids(store, "zeppelin")
    assert review_id in fts_ids(store, "refunded")


def test_metadata_change_updates_without_history(store: Store, tmp_path: Path) -> None:
    row = ["m-1", "trustpilot", 5, "Nice", "Lovely bread", "Ann", "2026-05-01T10:00:00Z", "en", "", ""]
    import_file(store, _version(tmp_path, "a.csv", [row]))
    renamed = row.copy()
    renamed[5] = "Ann B."
    result = import_file(store, _version(tmp_path, "b.csv", [renamed]))
    assert (result.updated, result.unchanged) == (1, 0)
    assert store.scalar("SELECT author FROM reviews") == "Ann B."
    assert store.scalar("SELECT count(*) FROM review_history") == 0


def test_google_play_reviews_edited_after_the_reply_are_outdated(store: Store) -> None:
    result = import_file(store, FIXTURES / "google_play_export.csv")
    assert (result.inserted, result.replies_imported) == (40, 16)
    statuses = dict(store.query("SELECT status, count(*) FROM reviews GROUP BY status"))
    assert statuses == {"new": 24, "replied": 6, "outdated": 10}
    assert store.scalar("SELECT count(*) FROM reviews WHERE first_reply_at IS NOT NULL") == 16
    again = import_file(store, FIXTURES / "google_play_export.csv")
    assert (again.inserted, again.updated, again.replies_imported) == (0, 0, 0)


def test_rejects_are_stored_with_the_run(store: Store) -> None:
    result = import_file(store, BROKEN / "bad_rows_reviews.csv")
    rows = store.query("SELECT import_run_id, origin, line, field, raw FROM rejects ORDER BY line")
    assert [(r["line"], r["field"]) for r in rows] == [
        (4, "rating"), (6, "rating"), (7, "created_at"), (8, "body"), (10, "rating")]
    assert {r["import_run_id"] for r in rows} == {result.run_id}
    assert {r["origin"] for r in rows} == {str(BROKEN / "bad_rows_reviews.csv")}
    assert rows[0]["raw"].startswith("br-003,")
    run = store.query("SELECT * FROM import_runs WHERE id = ?", (result.run_id,))[0]
    assert (run["status"], run["inserted"], run["rejected"]) == ("done", 4, 5)


# -- interrupted runs ---------------------------------------------------------------
def test_run_left_running_by_a_dead_process_is_marked_interrupted(store: Store) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a pid that no longer runs
    with store.write() as conn:
        conn.execute("INSERT INTO import_runs (origin, kind, started_at, pid) "
                     "VALUES ('old.csv', 'reviews', '2026-01-01T00:00:00Z', ?)", (child.pid,))
    import_file(store, FIXTURES / "reviews.tsv")
    runs = {row["origin"]: row for row in store.query("SELECT * FROM import_runs")}
    assert runs["old.csv"]["status"] == "interrupted" and "stopped" in runs["old.csv"]["error"]
    assert runs[str(FIXTURES / "reviews.tsv")]["status"] == "done"


def test_ctrl_c_keeps_committed_batches_and_marks_the_run_interrupted(store: Store) -> None:
    parsed = open_input(FIXTURES / "reviews.jsonl", imported_at="2026-12-01T00:00:00Z")
    records = list(parsed.rows)

    def interrupted() -> Iterator[ReviewRecord]:
        yield from records[:5]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_rows(store, parsed.origin, parsed.kind, parsed.format, interrupted(), batch_size=2)
    assert store.count_reviews() == 4  # two full batches committed, the fifth row was in flight
    run = store.query("SELECT status, inserted, error FROM import_runs")[0]
    assert (run["status"], run["inserted"]) == ("interrupted", 4) and run["error"]
    # running it again finishes the job without duplicates
    again = import_rows(store, parsed.origin, parsed.kind, parsed.format, iter(records))
    assert (again.inserted, again.unchanged) == (16, 4) and store.count_reviews() == 20
    assert store.scalar("SELECT count(*) FROM search_index_paused") == 0  # rolled back with the batch
    assert store.scalar("SELECT count(*) FROM reviews_fts") == 20


def test_duplicate_id_in_one_file_is_rejected_not_silently_dropped(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dupes.csv", ["id", "rating", "body", "reply"], [
        ["d-1", 1, "Late again", "Sorry, refunded"], ["d-1", 2, "Late again (edited)", ""], ["d-2", 5, "Great", ""]])
    result = import_file(store, path)
    assert (result.inserted, result.rejected, result.replies_imported) == (2, 1, 1)
    (reject,) = result.rejects
    assert (reject.line, reject.field) == (3, "external_id") and "line 2" in reject.reason
    assert store.scalar("SELECT body FROM reviews WHERE external_id = 'd-1'") == "Late again"
    assert store.scalar("SELECT count(*) FROM rejects WHERE line = 3") == 1


def test_schema_steps_register_in_number_order():
    """Steps live in several ``steps_*`` modules; sqlite-utils applies them in
    registration order, so that order must be the order of their numbers."""
    names = [m.name for m in migrations.pending(Database(memory=True))]
    numbers = [int(name[1:4]) for name in names]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert names[0] == "m001_core" and len(names) >= 12
