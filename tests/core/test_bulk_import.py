"""Large first loads: one transaction, secondary indexes rebuilt once, all or nothing.

A bulk load must give exactly the database a batched import gives, never show
other connections a table without its indexes, and roll back completely when
stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import BROKEN, FIXTURES
from feedback_tui.importers import open_input
from feedback_tui.models import ReviewRecord
from feedback_tui.store import Store
from feedback_tui.store.imports import BULK_MIN_ROWS, IMPORT_CACHE_KIB, bulk_wanted, import_rows

IMPORTED_AT = "2026-12-01T00:00:00Z"
COLUMNS = ("source, external_id, rating, title, body, author, created_at, updated_at, language, product, url, "
           "status, has_reply, first_reply_at")


def load(store: Store, path: Path, **options: object):
    parsed = open_input(path, imported_at=IMPORTED_AT)
    return import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, batch_size=50, **options)


def contents(store: Store) -> dict[str, list[tuple]]:
    return {
        "reviews": [tuple(r) for r in store.query(f"SELECT {COLUMNS} FROM reviews ORDER BY source, external_id")],
        "replies": [tuple(r) for r in store.query(
            "SELECT r.external_id, p.text, p.created_at, p.origin FROM replies p JOIN reviews r ON r.id = p.review_id "
            "ORDER BY 1, 2")],
        "surveys": [tuple(r) for r in store.query(
            "SELECT source, external_id, kind, score, comment, created_at FROM survey_responses ORDER BY 1, 2")],
        "rejects": [tuple(r) for r in store.query("SELECT line, field, reason FROM rejects ORDER BY origin, line")],
        "schema": [tuple(r) for r in store.query("SELECT type, name, sql FROM sqlite_master ORDER BY name")],
    }


def test_bulk_load_gives_the_same_database_as_batches(tmp_path: Path) -> None:
    files = (FIXTURES / "reviews.csv", FIXTURES / "google_play_export.csv", FIXTURES / "surveys.csv",
             BROKEN / "bad_rows_reviews.csv")
    steps: dict[str, list[str]] = {"batched": [], "bulk": []}
    with Store.open(tmp_path / "batched.db") as batched, Store.open(tmp_path / "bulk.db") as bulk:
        for path in files:
            one = load(batched, path, bulk=False, on_step=steps["batched"].append)
            other = load(bulk, path, bulk=True, on_step=steps["bulk"].append)
            assert (one.inserted, one.updated, one.unchanged, one.rejected, one.replies_imported) == (
                other.inserted, other.updated, other.unchanged, other.rejected, other.replies_imported)
        assert contents(bulk) == contents(batched)
        # the rebuild, which has no rows to count, is announced (the CLI's bar shows it)
        assert steps == {"batched": [], "bulk": ["Rebuilding indexes and saving"] * len(files)}
        assert contents(bulk)["rejects"]  # the broken file's rows were kept aside in both
        assert bulk.count_reviews() > 250
        bulk.conn.execute("INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('integrity-check', 1)")
        assert bulk.scalar("PRAGMA integrity_check") == "ok"
        # the rebuilt indexes answer queries: the inbox's date index is used
        plan = " ".join(r[3] for r in bulk.query("EXPLAIN QUERY PLAN SELECT id FROM reviews ORDER BY created_at"))
        assert "reviews_created" in plan


def test_other_connections_never_see_the_table_without_its_indexes(tmp_path: Path) -> None:
    db = tmp_path / "feedback.db"
    seen: list[tuple[int, int]] = []
    with Store.open(db) as store, Store.open(db) as reader:
        indexes = reader.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews'")

        def look(_handled: int) -> None:  # called between batches, inside the load's transaction
            seen.append((reader.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                       "AND tbl_name = 'reviews'"), reader.count_reviews()))

        load(store, FIXTURES / "reviews.csv", bulk=True, progress=look)
        assert len(seen) >= 4 and set(seen) == {(indexes, 0)}  # the last commit: indexes, no rows yet
        assert reader.count_reviews() == 240


def _interrupted_after(records: list[ReviewRecord], n: int) -> Iterator[ReviewRecord]:
    """The first ``n`` records, then Ctrl-C."""
    yield from records[:n]
    raise KeyboardInterrupt


def test_a_stopped_bulk_load_leaves_nothing_half_done(store: Store) -> None:
    load(store, FIXTURES / "surveys.csv")
    before = contents(store)
    parsed = open_input(FIXTURES / "reviews.jsonl", imported_at=IMPORTED_AT)
    records = list(parsed.rows)

    with pytest.raises(KeyboardInterrupt):
        import_rows(store, parsed.origin, parsed.kind, parsed.format, _interrupted_after(records, 7), batch_size=2,
                    bulk=True)
    assert contents(store) == before  # no row, and every index back
    assert store.scalar("SELECT status FROM import_runs ORDER BY id DESC LIMIT 1") == "interrupted"

    result = import_rows(store, parsed.origin, parsed.kind, parsed.format, iter(records), batch_size=2, bulk=True,
                         should_stop=lambda: True)
    assert (result.inserted, result.unchanged) == (0, 0) and contents(store) == before
    assert store.query("SELECT status, error FROM import_runs ORDER BY id DESC LIMIT 1")[0][1] == "cancelled"

    again = import_rows(store, parsed.origin, parsed.kind, parsed.format, iter(records), batch_size=2, bulk=True)
    assert again.inserted == store.count_reviews() == 20


def test_bulk_load_gives_back_the_cache_and_checkpoints_of_its_end(store: Store) -> None:
    """The end of a bulk load reads the table with a cache that holds the whole database,
    and its log is copied into the database by another connection; afterwards the
    connection has the import's cache and its automatic checkpoints again, whether the
    load finished, was cancelled or was interrupted."""
    autocheckpoint = store.scalar("PRAGMA wal_autocheckpoint")
    parsed = open_input(FIXTURES / "reviews.jsonl", imported_at=IMPORTED_AT)
    records = list(parsed.rows)

    with pytest.raises(KeyboardInterrupt):
        import_rows(store, parsed.origin, parsed.kind, parsed.format, _interrupted_after(records, 7), batch_size=2,
                    bulk=True)
    assert store.scalar("PRAGMA wal_autocheckpoint") == autocheckpoint
    import_rows(store, parsed.origin, parsed.kind, parsed.format, iter(records), batch_size=2, bulk=True,
                should_stop=lambda: True)
    assert store.scalar("PRAGMA wal_autocheckpoint") == autocheckpoint
    load(store, FIXTURES / "reviews.csv", bulk=True)
    assert store.count_reviews() == 240
    assert store.scalar("PRAGMA cache_size") == -IMPORT_CACHE_KIB
    assert store.scalar("PRAGMA wal_autocheckpoint") == autocheckpoint
    with Store.open(store.path) as other:  # what another connection reads, from the copied log
        assert other.count_reviews() == 240
        assert other.scalar("SELECT count(*) FROM review_daily") > 0


def test_bulk_is_chosen_for_a_large_load_into_a_smaller_table(store: Store) -> None:
    assert not bulk_wanted(store, "reviews", None)
    assert not bulk_wanted(store, "reviews", BULK_MIN_ROWS - 1)
    assert bulk_wanted(store, "reviews", BULK_MIN_ROWS)
    load(store, FIXTURES / "reviews.csv")
    assert bulk_wanted(store, "surveys", BULK_MIN_ROWS)
    with store.write() as conn:  # as if the table held more rows than the file brings
        conn.execute("INSERT INTO reviews (id, source, external_id, body, created_at, imported_at) "
                     "VALUES (?, 'web', 'far', 'Fine', '2026-05-01T00:00:00Z', 'now')", (BULK_MIN_ROWS * 2,))
    assert not bulk_wanted(store, "reviews", BULK_MIN_ROWS)


def test_bulk_load_indexes_the_final_text_once(store: Store, tmp_path: Path) -> None:
    """A bulk load indexes its new reviews in one statement at the end. A review
    that comes twice (two batches: the second edits the first) is searchable by
    its final text only; an older review edited by the load follows the edit."""
    from conftest import REVIEW_HEADER, write_csv

    old = write_csv(tmp_path / "old.csv", REVIEW_HEADER, [
        ["o-1", "web", 2, "Cold", "Soup arrived lukewarm", "Ann", "2026-05-01T10:00:00Z", "en", "", ""]])
    load(store, old)
    rows = [[f"n-{i}", "web", 5, "Fine", f"Ordinary order number {i}", "Bob", "2026-05-02T10:00:00Z", "en", "", ""]
            for i in range(120)]
    rows[110] = ["n-3", "web", 1, "Edited", "Zeppelin-shaped bread", "Bob", "2026-05-02T10:00:00Z", "en", "", ""]
    rows[111] = ["o-1", "web", 4, "Cold", "Soup arrived warm after all", "Ann", "2026-05-01T10:00:00Z", "en", "", ""]
    config = [tuple(r) for r in store.query("SELECT k, v FROM reviews_fts_config ORDER BY k")]
    result = load(store, write_csv(tmp_path / "big.csv", REVIEW_HEADER, rows), bulk=True)  # batches of 50
    assert (result.inserted, result.updated) == (118, 2)  # n-3 and o-1 updated, n-110 and n-111 replaced

    def found(words: str) -> set[str]:
        return {row[0] for row in store.query(
            "SELECT r.external_id FROM reviews_fts JOIN reviews r ON r.id = reviews_fts.rowid "
            "WHERE reviews_fts MATCH ?", (words,))}

    assert found("zeppelin") == {"n-3"} and "n-3" not in found("ordinary")
    assert found("warm") == {"o-1"} and found("lukewarm") == set()
    assert len(found("ordinary")) == 117
    store.conn.execute("INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('integrity-check', 1)")
    assert store.scalar("SELECT count(*) FROM search_index_paused") == 0
    # FTS5's in-memory index size goes back to what the table had
    assert [tuple(r) for r in store.query("SELECT k, v FROM reviews_fts_config WHERE k != 'hashsize' ORDER BY k")] \
        == [c for c in config if c[0] != "hashsize"]
    assert store.scalar("SELECT v FROM reviews_fts_config WHERE k = 'hashsize'") in (None, 1024 * 1024)


def _agent_rows(store: Store) -> list[tuple]:
    return [tuple(r) for r in store.query(
        "SELECT external_id, first_reply_agent, first_reply_at, has_reply, status FROM reviews ORDER BY external_id")]


def test_bulk_load_sets_who_replied_first_as_batches_do(tmp_path: Path) -> None:
    """m018's ``first_reply_agent`` after a bulk load (its trigger paused, one statement at
    the end) equals what the trigger gives row by row: a review with the platform's reply,
    one whose agent answered before the platform, a stored review answered by an agent
    that the load brings the platform's reply for, and an unanswered one. The trigger is
    back afterwards and still follows replies."""
    first = [ReviewRecord("web", "kept", "Old review", "2026-05-01T10:00:00Z", 3,
                          agent_replies=[{"text": "On it", "agent": "léa", "created_at": "2026-05-01T11:00:00Z"}]),
             ReviewRecord("web", "early", "Was answered early", "2026-05-01T08:00:00Z", 5,
                          reply="Thanks", reply_at="2026-05-03T10:00:00Z")]
    load_rows = [
        ReviewRecord("web", "platform", "Fine", "2026-05-02T10:00:00Z", 4, reply="Thanks!",
                     reply_at="2026-05-02T12:00:00Z"),
        ReviewRecord("web", "agent-first", "Broken", "2026-05-02T09:00:00Z", 1, reply="Sorry",
                     reply_at="2026-05-04T09:00:00Z",
                     agent_replies=[{"text": "Looking", "agent": "bob", "created_at": "2026-05-02T10:00:00Z"}]),
        ReviewRecord("web", "kept", "Old review", "2026-05-01T10:00:00Z", 3, reply="Platform too",
                     reply_at="2026-05-01T09:30:00Z"),
        ReviewRecord("web", "early", "Was answered early", "2026-05-01T08:00:00Z", 5,
                     reply="Thanks", reply_at="2026-05-01T09:00:00Z"),  # the platform's reply moved earlier
        ReviewRecord("web", "silent", "Nobody answered", "2026-05-02T11:00:00Z", 2),
    ]
    results = {}
    for mode in ("batched", "bulk"):
        with Store.open(tmp_path / f"{mode}.db") as store:
            import_rows(store, "first", "reviews", "csv", iter(first), bulk=False)
            import_rows(store, "load", "reviews", "csv", iter(load_rows), batch_size=2, bulk=mode == "bulk")
            results[mode] = _agent_rows(store)
            assert store.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                "AND name = 'replies_agent_ai'") == 1
            assert store.scalar("PRAGMA integrity_check") == "ok"
            if mode == "bulk":  # the trigger works again: an agent's reply before the platform's
                review = store.scalar("SELECT id FROM reviews WHERE external_id = 'platform'")
                with store.write() as conn:
                    conn.execute("INSERT INTO replies (review_id, text, agent, created_at, origin) "
                                 "VALUES (?, 'Hi', 'zoé', '2026-05-02T11:00:00Z', 'agent')", (review,))
                assert store.scalar("SELECT first_reply_agent FROM reviews WHERE id = ?", (review,)) == "zoé"
    assert results["bulk"] == results["batched"]
    agents = {row[0]: row[1] for row in results["bulk"]}
    assert agents == {"platform": "platform", "agent-first": "bob", "kept": "platform", "early": "platform",
                      "silent": None}


def test_bulk_load_keeps_the_indexes_it_never_fills(store: Store, tmp_path: Path) -> None:
    """The partial indexes of spam, mismatches and assignees stay through a bulk load
    (it adds nothing to them) and still hold the stored reviews they held."""
    from feedback_tui.store.load_pauses import KEPT_IN_BULK

    load(store, FIXTURES / "reviews.csv")
    with store.write() as conn:
        conn.execute("UPDATE reviews SET status = 'spam' WHERE id = 1")
        conn.execute("UPDATE reviews SET assignee = 'léa' WHERE id = 2")
        conn.execute("UPDATE reviews SET mismatch = 1 WHERE id = 3")
    schema = {row[0]: row[1] for row in store.query("SELECT name, sql FROM sqlite_master WHERE type = 'index'")}
    assert KEPT_IN_BULK <= set(schema)
    load(store, FIXTURES / "google_play_export.csv", bulk=True)
    assert {row[0]: row[1] for row in store.query("SELECT name, sql FROM sqlite_master WHERE type = 'index'")} \
        == schema
    assert store.scalar("PRAGMA integrity_check") == "ok"
    for index, where, expected in (("reviews_spam", "status = 'spam'", [1]),
                                   ("reviews_assignee_created", "assignee = 'léa'", [2]),
                                   ("reviews_mismatch", "mismatch = 1", [3])):
        assert [r[0] for r in store.query(f"SELECT id FROM reviews INDEXED BY {index} WHERE {where}")] == expected


def test_the_tail_cache_holds_the_database_within_half_the_free_memory() -> None:
    from feedback_tui.store.tail_cache import TAIL_CACHE_KIB, available_kib, tail_cache_kib

    gib = 1024 * 1024  # KiB
    assert tail_cache_kib(350_000, 4096, None) == TAIL_CACHE_KIB  # 1.4 GB fits the 2 GiB cap
    assert tail_cache_kib(350_000, 4096, 16 * gib) == TAIL_CACHE_KIB
    assert tail_cache_kib(600_000, 4096, 16 * gib) is None  # 2.4 GB: read from the log whatever the cache
    assert tail_cache_kib(350_000, 4096, 2 * gib) is None  # a 2 GB machine: 1 GiB may be taken, too little
    assert tail_cache_kib(100_000, 4096, 2 * gib) == gib  # 400 MB fits in half of 2 GiB free
    free = available_kib()
    assert free is None or free > 0  # read from /proc/meminfo on Linux
