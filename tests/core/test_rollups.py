"""The daily rollups give exactly the figures of the raw tables, and stay fresh.

Every write path marks its days dirty through triggers: an import, a triage
action, a reply, a sentiment score. A score then refreshes those days only.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import REVIEW_HEADER, import_file, write_csv

from feedback_tui.models import Filters
from feedback_tui.scoring import scorecard
from feedback_tui.store import Store, replies, rollups, triage


def both_paths(store: Store, monkeypatch: pytest.MonkeyPatch, **kwargs) -> tuple[dict, dict]:
    fast = scorecard(store, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(rollups, "refresh_for", lambda store, filters: False)
        raw = scorecard(store, **kwargs)
    return fast, raw


CASES = [
    {"by": "month", "segment": "source"},
    {"by": "week", "segment": "product", "with_margins": True},
    {"by": "quarter", "segment": "language", "filters": Filters(source="google_play", since="2026-01-01T00:00:00Z")},
    {"filters": Filters(product="Livraison", until="2026-06-01T00:00:00Z")},
    {"by": "day", "filters": Filters(language="fr")},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_rollups_give_the_raw_figures(demo_db: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict) -> None:
    with Store.open(demo_db) as store:
        fast, raw = both_paths(store, monkeypatch, **kwargs)
        assert store.scalar("SELECT count(*) FROM rollup_dirty") == 0
        assert store.scalar("SELECT count(*) FROM review_daily") > 0
    assert fast == raw


def test_every_write_path_marks_its_day_and_the_figures_follow(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(demo_db) as store:
        assert rollups.refresh(store)
        review_id, day = store.query("SELECT id, substr(created_at, 1, 10) FROM reviews WHERE has_reply = 0 "
                                     "AND rating <= 2 ORDER BY id LIMIT 1")[0]
        before = scorecard(store)["responses"]
        replies.add_reply(store, review_id, "Sorry about this.", "camille")
        assert store.scalar("SELECT count(*) FROM rollup_dirty WHERE day = ?", (day,)) == 1
        after = scorecard(store)["responses"]
        assert after["replied"] == before["replied"] + 1
        assert after["negative_rate"] > before["negative_rate"]
        triage.set_status(store, [review_id], "spam", "camille")  # spam leaves the response figures
        assert scorecard(store)["responses"]["reviews"] == before["reviews"] - 1
        store.conn.execute("UPDATE reviews SET sentiment = 'positive', polarity = 0.9 WHERE id = ?", (review_id,))
        triage.set_status(store, [review_id], "open", "camille")
        fast, raw = both_paths(store, monkeypatch, by="month")
    assert fast == raw


def test_a_time_of_day_in_the_filters_uses_the_raw_tables(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    with Store.open(demo_db) as store:
        monkeypatch.setattr(rollups, "response_counts", lambda *a, **k: calls.append(a) or [])
        scorecard(store, filters=Filters(since="2026-03-01T12:00:00Z"))
        assert calls == []
        scorecard(store, filters=Filters(since="2026-03-01T00:00:00Z"))
        assert len(calls) == 1


def test_a_read_only_database_with_dirty_days_answers_from_the_raw_tables(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        expected = scorecard(store, by="month")
        store.conn.execute("INSERT OR IGNORE INTO rollup_dirty VALUES ('2026-03-01')")
    with Store.open(demo_db, readonly=True) as store:
        assert not rollups.refresh(store)
        assert scorecard(store, by="month") == expected


def _random_reviews(rng: random.Random, count: int) -> list[list[object]]:
    """Reviews over four months at any time of day, half stars and no stars among them."""
    rows = []
    for i in range(count):
        day = 1 + rng.randrange(120)
        created = f"2026-{(day - 1) // 30 + 3:02d}-{(day - 1) % 30 + 1:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
        rating = rng.choice(["", 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5])
        replied = rng.random() < 0.4
        reply_at = (datetime.fromisoformat(created) + timedelta(hours=rng.choice([1, 20, 30]))).strftime(
            "%Y-%m-%dT%H:%M:%SZ") if replied else ""
        rows.append([f"x{i}", rng.choice(["app_store", "trustpilot", "website"]), rating, "", f"Review number {i}",
                     f"Author {i}", created, rng.choice(["en", "fr"]), "Thanks." if replied else "", reply_at])
    return rows


def test_star_and_overdue_rollups_equal_a_raw_scan_after_edits_deletes_and_spam(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Random reviews, then edits of their stars, deletes, spam, archive and replies:
    the ratings (n, mean, distribution) and the overdue count from the rollups are
    those of a scan of the reviews, overall, per period and per segment."""
    rng = random.Random(13)
    rows = _random_reviews(rng, 400)
    import_file(store, write_csv(tmp_path / "a.csv", REVIEW_HEADER, rows))
    assert rollups.refresh(store)
    for row in rng.sample(rows, 60):  # the authors change their stars
        row[2] = rng.choice([0.5, 1, 2.5, 4, 4.5, 5])
        row[4] = f"{row[4]} (edited)"
    import_file(store, write_csv(tmp_path / "b.csv", REVIEW_HEADER, rows))
    ids = [row[0] for row in store.query("SELECT id FROM reviews ORDER BY id")]
    store.conn.execute(f"DELETE FROM reviews WHERE id IN ({', '.join(str(i) for i in ids[:15])})")
    triage.set_status(store, ids[15:40], "spam", "camille")
    triage.set_status(store, ids[40:60], "archived", "camille")
    triage.answer_elsewhere(store, ids[80:90], "by phone", "camille")  # no longer waiting: never overdue
    for review_id in ids[60:80]:
        replies.add_reply(store, review_id, "Sorry about this.", "camille")
    assert store.scalar("SELECT count(*) FROM rollup_dirty") > 0
    # a clock in the middle of a day: that day's reviews are split by the SLA
    now = datetime(2026, 5, 14, 13, 30, tzinfo=UTC)
    for kwargs in ({"by": "month", "segment": "source"}, {"by": "week", "segment": "language"},
                   {"by": "day", "segment": "product"},
                   {"by": "quarter", "filters": Filters(source="trustpilot", since="2026-04-01T00:00:00Z",
                                                         until="2026-05-15T00:00:00Z")}):
        fast, raw = both_paths(store, monkeypatch, now=now, **kwargs)
        assert fast == raw
    assert store.scalar("SELECT count(*) FROM rollup_dirty") == 0
    figures = scorecard(store, now=now)
    expected = store.query("SELECT rating FROM reviews WHERE status != 'spam' AND rating IS NOT NULL")
    stars = [float(r[0]) for r in expected]
    assert figures["ratings"]["n"] == len(stars) and sum(figures["ratings"]["distribution"].values()) == len(stars)
    assert figures["ratings"]["distribution"]["1"] == sum(1 for s in stars if s < 2)  # 0.5 and 1.5 count as 1
    assert figures["ratings"]["distribution"]["4"] == sum(1 for s in stars if 4 <= s < 5)
    assert figures["ratings"]["mean"] == round(sum(stars) / len(stars), 2)
    waiting = store.scalar("SELECT count(*) FROM reviews WHERE has_reply = 0 "
                           "AND status NOT IN ('spam', 'archived', 'answered_elsewhere') "
                           "AND created_at < '2026-05-13T13:30:00Z'")
    assert figures["responses"]["overdue"] == waiting > 0


def test_the_migration_fills_the_star_counts_of_an_existing_database(db_path: Path) -> None:
    """A database made before m013, with fresh rollups: after the upgrade the rollups
    answer the star and unanswered figures without a refresh, and agree with a scan."""
    from sqlite_utils import Database

    from feedback_tui.store import aggregates
    from feedback_tui.store.schema import migrations

    old = Database(db_path)
    migrations.apply(old, stop_before="m013_rating_rollups")
    values = []
    for i in range(200):
        rating = None if i % 11 == 0 else [0.5, 1, 2, 2.5, 3, 4, 4.5, 5][i % 8]
        status = "spam" if i % 13 == 0 else "archived" if i % 17 == 0 else "new"
        values.append((f"s{i % 3}", f"id{i}", rating, f"text {i}", f"2026-0{1 + i % 6}-1{i % 10}T12:00:00Z",
                       ["en", "fr", None][i % 3], ["Box", None][i % 2], status, "2026-07-01T00:00:00Z"))
    old.conn.executemany("INSERT INTO reviews (source, external_id, rating, body, created_at, language, product, "
                         "status, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
    old.conn.execute("UPDATE reviews SET has_reply = 1 WHERE id % 4 = 0")
    old.conn.execute("""INSERT INTO review_daily (day, source, product, language, n)
                        SELECT substr(created_at, 1, 10), source, product, language, count(*) FROM reviews
                        WHERE status != 'spam' GROUP BY 1, source, product, language""")
    old.conn.execute("DELETE FROM rollup_dirty")
    old.conn.commit()
    old.close()
    with Store.open(db_path) as store:
        assert store.scalar("SELECT count(*) FROM rollup_dirty") == 0
        for by in (None, "month", "language", "product"):
            raw = aggregates.rating_counts(store, Filters(), by)
            fast = aggregates.rating_counts(store, Filters(), by, rollup=True)
            assert sorted(fast, key=repr) == sorted(raw, key=repr) and raw
            assert aggregates.overdue_counts(store, Filters(), by, "2026-04-13T13:00:00Z", rollup=True) == \
                aggregates.overdue_counts(store, Filters(), by, "2026-04-13T13:00:00Z")
