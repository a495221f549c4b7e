"""Reply times from the daily histograms equal the raw query's, to the last bit.

The histogram path (``store.reply_times``) finds each nearest rank in the
``reply_daily`` counts and reads its value from one bucket of the index; the
raw path (``aggregates.reply_hours`` without rollups) sorts every replied
review. The data below has what could make them differ: ties, even and odd
counts (groups of 1, 2 and 3), replies before their review, replies on bucket
bounds, unreadable reply dates, spam, several sources, products and languages,
and replies added and withdrawn after the rollups were filled.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import import_file, write_csv
from sqlite_utils import Database

from feedback_tui.models import Filters
from feedback_tui.scoring import scorecard
from feedback_tui.store import Store, aggregates, replies, reply_times, rollups, triage
from feedback_tui.store.schema import REPLY_HOUR_BOUNDS, migrations

HEADER = ["id", "source", "rating", "title", "body", "author", "created_at", "language", "product", "reply",
          "reply_at"]
# Hours to the first reply: ties, bucket bounds and either side of them, before the review, very late.
DELAYS = [0, 0, 0.25, 0.5, 0.5, 1, 2, 2, 2, 5.5, 23.99, 24, 24, 24, 24.01, 30, 47, 48, 100, 200, 719, 720, 800,
          2000, -3, -0.5, -0.5]
SLAS = [24.0, 5.5, 0.0, 0.5, 720.0, 1000.0]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _rows(seed: int = 9) -> list[list[Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    rows: list[list[Any]] = []
    for i in range(400):
        created = start + timedelta(seconds=rng.randrange(105 * 86400))
        reply, reply_at = "", ""
        if rng.random() < 0.75:
            hours = rng.choice(DELAYS) if rng.random() < 0.6 else rng.uniform(0, 120)
            reply, reply_at = "Thanks.", _stamp(created + timedelta(seconds=round(hours * 3600)))
        rows.append([f"h{i}", rng.choice(["app_store", "google_play", "trustpilot"]), rng.randint(1, 5), "Title",
                     "Some words about the order.", f"a{i}", _stamp(created), rng.choice(["en", "fr", ""]),
                     rng.choice(["Panier", "Livraison", ""]), reply, reply_at])
    # Sources with 1, 2 and 3 replied reviews: odd and even counts at their smallest.
    for size in (1, 2, 3):
        for j in range(size):
            created = datetime(2026, 2, 10 + j, 8, tzinfo=UTC)
            rows.append([f"t{size}-{j}", f"tiny{size}", 3, "T", "Fine.", "x", _stamp(created), "en", "Panier",
                         "Ok.", _stamp(created + timedelta(hours=[3, 3, 7][j]))])
    # A source whose one reply will get an unreadable date (see the fixture).
    rows.append(["lost-0", "lost", 2, "T", "Where?", "y", "2026-02-20T08:00:00Z", "en", "Panier", "Ok.",
                 "2026-02-20T09:00:00Z"])
    return rows


@pytest.fixture
def replied(store: Store, tmp_path: Path) -> Store:
    """The rows above, a tenth of the replied ones marked spam, rollups fresh."""
    import_file(store, write_csv(tmp_path / "reviews.csv", HEADER, _rows()))
    spam = [row[0] for row in store.query("SELECT id FROM reviews WHERE first_reply_at IS NOT NULL "
                                          "AND source NOT LIKE 'tiny%' AND id % 10 = 3")]
    triage.set_status(store, spam, "spam", "tester")
    # A reply whose date cannot be read: its hours are NULL, ranked first by the raw query.
    store.conn.execute("UPDATE reviews SET first_reply_at = 'soon' WHERE id = (SELECT min(id) FROM reviews "
                       "WHERE first_reply_at IS NOT NULL AND status != 'spam' AND source = 'trustpilot') "
                       "OR source = 'lost'")
    assert rollups.refresh(store)
    return store


def assert_same(store: Store, filters: Filters, by: str | None, sla: float) -> dict[Any, dict[str, Any]]:
    assert rollups.refresh_for(store, filters)
    fast = reply_times.reply_hours(store, filters, by, sla)
    raw = aggregates.reply_hours(store, filters, by, sla)  # no rollup: the sorting query
    assert fast is not None, "the histograms were not fresh"
    assert fast == raw
    for key in raw:  # same value *and* type: 2 and 2.0 compare equal, but print differently
        assert [type(v) for v in fast[key].values()] == [type(v) for v in raw[key].values()]
    return raw


GROUPINGS = [None, "month", "week", "day", "quarter", "year", "source", "product", "language"]
FILTERS = [
    Filters(),
    Filters(source="trustpilot"),
    Filters(since="2026-02-01T00:00:00Z", until="2026-03-15T00:00:00Z"),
    Filters(source="google_play", language="fr", since="2026-01-20T00:00:00Z"),
    Filters(product="Livraison", until="2026-04-01T00:00:00Z"),
]


@pytest.mark.parametrize("by", GROUPINGS)
@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_histograms_give_the_raw_figures(replied: Store, by: str | None, filters: Filters) -> None:
    for sla in SLAS:
        raw = assert_same(replied, filters, by, sla)
        assert raw, "no replied review in this case: it would test nothing"


def test_the_data_holds_the_awkward_cases(replied: Store) -> None:
    raw = assert_same(replied, Filters(), "source", 24.0)
    counts = {row[0]: row[1] for row in replied.query(
        "SELECT source, count(*) FROM reviews WHERE first_reply_at IS NOT NULL AND status != 'spam' GROUP BY source")}
    assert counts["tiny1"] == 1 and counts["tiny2"] == 2 and counts["tiny3"] == 3
    assert raw["tiny1"]["median"] == pytest.approx(3.0) and raw["tiny2"]["median"] == pytest.approx(3.0)
    assert raw["tiny3"]["median"] == pytest.approx(3.0) and raw["tiny3"]["p90"] == pytest.approx(7.0)
    # A group whose only reply has an unreadable date: no hours, and no SLA count either.
    assert raw["lost"] == {"median": None, "p90": None, "within_sla": None}
    assert replied.scalar("SELECT count(*) FROM reviews WHERE julianday(first_reply_at) < julianday(created_at) "
                          "AND status != 'spam'") > 0
    assert replied.scalar("SELECT count(*) FROM reviews WHERE status = 'spam' AND first_reply_at IS NOT NULL") > 0
    assert replied.scalar("SELECT count(*) FROM reviews WHERE reply_bucket = -1") == 2
    # Ties across a bucket bound: 24 h exactly is in the bucket that ends at 24.
    at_24 = replied.query("SELECT DISTINCT reply_bucket FROM reviews WHERE reply_hours = 24.0")
    assert [row[0] for row in at_24] == [REPLY_HOUR_BOUNDS.index(24)]


@pytest.mark.parametrize("by", ["month", "week", "day", "quarter", "year"])
@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_periods_and_overall_from_one_read_give_the_raw_figures(replied: Store, by: str, filters: Filters) -> None:
    assert rollups.refresh_for(replied, filters)
    for sla in (24.0, 5.5, 0.0):
        found = reply_times.reply_hours_and_overall(replied, filters, by, sla)
        assert found is not None
        per_period, whole = found
        assert per_period == aggregates.reply_hours(replied, filters, by, sla)
        assert whole == aggregates.reply_hours(replied, filters, None, sla)[None]
        assert (per_period, {None: whole}) == aggregates.reply_hours_and_overall(replied, filters, by, sla,
                                                                                 rollup=True)


def test_one_read_with_nothing_replied_or_stale_rollups(replied: Store) -> None:
    empty = Filters(since="2030-01-01T00:00:00Z")
    assert reply_times.reply_hours_and_overall(replied, empty, "month", 24.0) == ({}, None)
    assert aggregates.reply_hours_and_overall(replied, empty, "month", 24.0, rollup=True) == ({}, {})
    replied.conn.execute("INSERT OR IGNORE INTO rollup_dirty VALUES ('2026-02-02')")
    assert reply_times.reply_hours_and_overall(replied, Filters(), "month", 24.0) is None
    with pytest.raises(ValueError, match="not a period"):
        reply_times.reply_hours_and_overall(replied, Filters(), "source", 24.0)


def test_a_review_with_a_malformed_date_keeps_its_period_exact(replied: Store) -> None:
    """Between two well-formed days the period's expression is not checked; a day
    that is not a date keeps the check, so its group is still the raw query's."""
    replied.conn.execute("UPDATE reviews SET created_at = 'sometime in March' WHERE id = (SELECT min(id) "
                         "FROM reviews WHERE first_reply_at IS NOT NULL AND status != 'spam' AND source = 'app_store')")
    replied.conn.execute("INSERT OR IGNORE INTO rollup_dirty VALUES ('sometime i')")
    for day in [row[0] for row in replied.query("SELECT DISTINCT substr(created_at, 1, 10) FROM reviews")]:
        replied.conn.execute("INSERT OR IGNORE INTO rollup_dirty VALUES (?)", (day,))
    assert rollups.refresh(replied)
    for by, group in (("month", "sometim"), ("week", None), ("year", "some")):
        raw = assert_same(replied, Filters(), by, 24.0)
        assert group in raw  # the malformed review makes a group of its own (its hours unreadable)
        per_period, whole = reply_times.reply_hours_and_overall(replied, Filters(), by, 24.0)
        assert per_period == raw and whole == aggregates.reply_hours(replied, Filters(), None, 24.0)[None]


def test_a_scorecard_by_period_reads_the_histograms_once(replied: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = scorecard(replied, by="month")
    reads: list[str | None] = []
    read = reply_times._histograms
    monkeypatch.setattr(reply_times, "_histograms", lambda store, filters, by: reads.append(by) or read(store, filters, by))
    assert scorecard(replied, by="month") == expected
    assert reads == ["month"]
    reads.clear()
    with monkeypatch.context() as patch:
        patch.setattr(rollups, "refresh_for", lambda store, filters: False)
        assert scorecard(replied, by="month") == expected  # the raw queries, overall and by month
    assert reads == []


def test_scorecards_agree_on_both_paths(replied: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = {"by": "week", "segment": "language", "filters": Filters(since="2026-01-12T00:00:00Z")}
    fast = scorecard(replied, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(rollups, "refresh_for", lambda store, filters: False)
        raw = scorecard(replied, **kwargs)
    assert fast == raw
    assert fast["responses"]["median_hours_to_reply"] is not None


def test_replies_added_and_withdrawn_are_counted_after_a_refresh(replied: Store) -> None:
    store = replied
    unanswered, unanswered_day = store.query(
        "SELECT id, substr(created_at, 1, 10) FROM reviews WHERE first_reply_at IS NULL AND has_reply = 0 "
        "AND status != 'spam' ORDER BY id LIMIT 1")[0]
    replies.add_reply(store, unanswered, "Sorry about this.", "camille")
    assert store.scalar("SELECT count(*) FROM rollup_dirty WHERE day = ?", (unanswered_day,)) == 1
    assert_same(store, Filters(), "month", 24.0)

    # A second reply, then the first one withdrawn: has_reply stays 1, only
    # first_reply_at moves (the trigger must watch it).
    answered, day = store.query(
        "SELECT id, substr(created_at, 1, 10) FROM reviews WHERE reply_hours BETWEEN 1 AND 30 "
        "AND status != 'spam' ORDER BY id LIMIT 1")[0]
    replies.add_reply(store, answered, "And a follow-up.", "camille")
    assert rollups.refresh(store)
    before = store.scalar("SELECT reply_bucket FROM reviews WHERE id = ?", (answered,))
    first = store.scalar("SELECT id FROM replies WHERE review_id = ? ORDER BY created_at LIMIT 1", (answered,))
    replies.withdraw_reply(store, int(first), "camille")
    assert store.scalar("SELECT has_reply FROM reviews WHERE id = ?", (answered,)) == 1
    assert store.scalar("SELECT reply_bucket FROM reviews WHERE id = ?", (answered,)) != before
    assert store.scalar("SELECT count(*) FROM rollup_dirty WHERE day = ?", (day,)) == 1
    for by in (None, "month", "source"):
        assert_same(store, Filters(), by, 24.0)

    # Every reply withdrawn: the review leaves the reply times.
    for reply_id in [row[0] for row in store.query("SELECT id FROM replies WHERE review_id = ? "
                                                   "AND withdrawn_at IS NULL", (answered,))]:
        replies.withdraw_reply(store, reply_id, "camille")
    assert store.scalar("SELECT first_reply_at FROM reviews WHERE id = ?", (answered,)) is None
    assert_same(store, Filters(), "week", 5.5)

    # Spam leaves them too, and comes back when unmarked.
    replied_ids = [row[0] for row in store.query("SELECT id FROM reviews WHERE first_reply_at IS NOT NULL "
                                                 "AND status != 'spam' ORDER BY id LIMIT 5")]
    triage.set_status(store, replied_ids, "spam", "camille")
    assert_same(store, Filters(), "day", 24.0)
    triage.set_status(store, replied_ids, "open", "camille")
    assert_same(store, Filters(source="app_store"), "month", 24.0)


def test_dirty_days_that_cannot_be_refreshed_use_the_raw_query(replied: Store, db_path: Path) -> None:
    expected = aggregates.reply_hours(replied, Filters(), "month", 24.0)
    replied.conn.execute("INSERT OR IGNORE INTO rollup_dirty VALUES ('2026-02-02')")
    assert reply_times.reply_hours(replied, Filters(), "month", 24.0) is None  # stale: the caller asks raw
    with Store.open(db_path, readonly=True) as readonly:
        assert aggregates.reply_hours(readonly, Filters(), "month", 24.0, rollup=True) == expected
    assert rollups.refresh(replied)
    with Store.open(db_path, readonly=True) as readonly:  # fresh: a read-only store reads the histograms
        assert reply_times.reply_hours(readonly, Filters(), "month", 24.0) == expected


def test_a_negative_sla_uses_the_raw_query(replied: Store) -> None:
    assert not reply_times.usable(-1.0)
    fast = aggregates.reply_hours(replied, Filters(), "month", -1.0, rollup=True)
    assert fast == aggregates.reply_hours(replied, Filters(), "month", -1.0)
    assert any(figures["within_sla"] for figures in fast.values())  # replies before their review


def test_the_reads_seek_the_covering_index(replied: Store) -> None:
    for by in (None, "month", "source"):
        reader = reply_times._Reader(replied, Filters(source="trustpilot"), by)
        bucket = reply_times._Bucket(3, 1, "2026-02-01", "2026-02-28")
        sql = f"SELECT reply_hours {reader._scope(bucket)} ORDER BY reply_hours LIMIT 1 OFFSET 3"
        plan = " ".join(row[3] for row in replied.query(f"EXPLAIN QUERY PLAN {sql}", {
            **reader.params, "b": 3, "lo": "2026-02-01", "hi": "2026-03-01", "grp": None}))
        assert "USING INDEX reviews_reply_hours (reply_bucket=? AND created_at>? AND created_at<?)" in plan, plan
        code = replied.query(f"EXPLAIN {sql}", {
            **reader.params, "b": 3, "lo": "2026-02-01", "hi": "2026-03-01", "grp": None})
        tables = {row["p1"] for row in code if row["opcode"] == "OpenRead" and not str(row["p4"]).startswith("k(")}
        # Covering: the table is opened but never read (its DeferredSeek is lazy).
        assert not [row for row in code if row["opcode"] in ("Column", "SeekRowid", "NotExists")
                    and row["p1"] in tables]


def test_an_upgraded_database_gets_its_histograms(db_path: Path) -> None:
    """A database made before m009 is filled by the migration itself."""
    conn = sqlite3.connect(db_path)
    migrations.apply(Database(conn), stop_before="m009_reply_time_histograms")
    rng = random.Random(4)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    for i in range(300):
        created = start + timedelta(seconds=rng.randrange(60 * 86400))
        reply = _stamp(created + timedelta(hours=rng.choice(DELAYS + [rng.uniform(0, 99)]))) \
            if rng.random() < 0.8 else None
        conn.execute("""INSERT INTO reviews (source, external_id, rating, body, created_at, language, product, status,
                                             first_reply_at, has_reply, imported_at)
                        VALUES (?, ?, 3, 'b', ?, ?, ?, ?, ?, ?, '2026-08-01T00:00:00Z')""",
                     (rng.choice(["a", "b"]), f"u{i}", _stamp(created), rng.choice(["en", None]),
                      rng.choice(["P", None]), "spam" if i % 13 == 0 else "new", reply, int(reply is not None)))
    conn.execute("DELETE FROM rollup_dirty")  # as after a refresh by the old version
    conn.commit()
    conn.close()
    with Store.open(db_path) as store:
        assert store.scalar("SELECT count(*) FROM rollup_dirty") == 0
        assert store.scalar("SELECT sum(n) FROM reply_daily") == store.scalar(
            "SELECT count(*) FROM reviews WHERE first_reply_at IS NOT NULL AND status != 'spam'")
        for by in (None, "week", "language", "product"):
            for sla in (24.0, 5.5):
                assert_same(store, Filters(), by, sla)
        day = store.scalar("SELECT substr(created_at, 1, 10) FROM reviews WHERE first_reply_at IS NOT NULL LIMIT 1")
        store.conn.execute("UPDATE reviews SET first_reply_at = NULL WHERE substr(created_at, 1, 10) = ?", (day,))
        assert store.scalar("SELECT count(*) FROM rollup_dirty WHERE day = ?", (day,)) == 1
        assert_same(store, Filters(), "month", 24.0)


OLD_REPLY_EFFECT = """
    SELECT {group} AS grp, count(*) AS n, avg(r.rating - h.rating) AS mean_change,
           sum(r.rating > h.rating) AS raised, sum(r.rating < h.rating) AS lowered
    FROM reviews r
    JOIN review_history h ON h.id = (SELECT min(id) FROM review_history WHERE review_id = r.id)
    WHERE {where} AND r.first_reply_at IS NOT NULL AND r.updated_at > r.first_reply_at
          AND r.rating IS NOT NULL AND h.rating IS NOT NULL
    GROUP BY grp"""


@pytest.mark.parametrize("by", [None, "month", "week", "source"])
@pytest.mark.parametrize("filters", [Filters(), Filters(source="google_play", since="2026-06-01T00:00:00Z")],
                         ids=["all", "filtered"])
def test_reply_effect_starting_from_the_history_gives_the_same_rows(demo_db: Path, by: str | None,
                                                                    filters: Filters) -> None:
    from feedback_tui.store.grouping import PERIODS, group_expression, where_clause

    with Store.open(demo_db) as store:
        # A second edit of some edited reviews: the first version must still be the one compared.
        store.conn.execute("""INSERT INTO review_history (review_id, rating, body, updated_at, replaced_at)
                              SELECT review_id, 5, 'again', updated_at, '2026-12-01T00:00:00Z'
                              FROM review_history WHERE id % 2 = 0""")
        where, params = where_clause(filters, table_alias="r")
        group = group_expression(by)
        group = group.replace("created_at", "r.updated_at") if by in PERIODS else group
        old = [dict(row) for row in store.query(OLD_REPLY_EFFECT.format(group=group, where=where), params)]
        new = aggregates.reply_effect(store, filters, by)
    assert sorted(new, key=repr) == sorted(old, key=repr)
    assert sum(row["n"] for row in old) > 0 or filters.source


def test_lookups_beyond_one_statement_are_split(replied: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """More lookups than one compound SELECT holds go in several statements (a
    year by day asks for ~1,000): with a statement size of 50 here, the day
    grouping of this data needs four, and still equals the raw query."""
    monkeypatch.setattr(reply_times, "LOOKUPS_PER_STATEMENT", 50)
    groups = reply_times._histograms(replied, Filters(), "day")
    lookups = [lookup for group in groups for lookup in reply_times._lookups(group, {
        (group.count + 1) // 2, (group.count + 2) // 2, (9 * group.count + 9) // 10})]
    assert len(lookups) > reply_times.LOOKUPS_PER_STATEMENT
    assert_same(replied, Filters(), "day", 24.0)


def test_the_dashboard_window_skips_only_the_overall_reply_times(replied: Store) -> None:
    window = Filters(since="2026-01-01T00:00:00Z", until="2026-05-01T00:00:00Z")
    full = scorecard(replied, window, by="month")
    lean = scorecard(replied, window, by="month", overall_reply_times=False)
    assert full["responses"]["median_hours_to_reply"] is not None
    assert lean["responses"]["median_hours_to_reply"] is None and lean["responses"]["p90_hours_to_reply"] is None
    assert lean["responses"]["rate"] == full["responses"]["rate"]
    assert lean["periods"] == full["periods"]  # every period keeps its medians
