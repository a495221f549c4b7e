"""The daily rollups give exactly the figures of the raw tables, and stay fresh.

Every write path marks its days dirty through triggers: an import, a triage
action, a reply, a sentiment score. A score then refreshes those days only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
