"""The dashboard's per-agent table from the m018 rollup equals the direct query.

``aggregates.responses_by_agent`` reads ``agent_reply_daily`` and the
``reviews_agent_reply_hours`` index when the rollups are fresh; without them
(``rollup=False``) it finds each review's first reply and sorts every one. The
data has several agents, imported replies (``platform``), ties and bucket
bounds (``test_reply_histograms``' rows); then replies are added, edited,
withdrawn, moved, deleted, reviews are marked spam and deleted, and after each
change both paths must agree to the last bit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import import_file, write_csv
from test_reply_histograms import HEADER, SLAS, _rows

from feedback_tui.models import Filters
from feedback_tui.scoring import agents
from feedback_tui.store import Store, aggregates, replies, reply_times, rollups, triage

AGENTS = ["camille", "léa", "Zoé", "bob"]
WINDOWS = [
    Filters(),
    Filters(since="2026-02-01T00:00:00Z", until="2026-03-15T00:00:00Z"),
    Filters(source="trustpilot", language="fr"),
    Filters(product="Livraison", until="2026-04-01T00:00:00Z"),
]


def assert_same(store: Store, filters: Filters = Filters(), sla: float = 24.0) -> list[dict[str, Any]]:
    assert rollups.refresh_for(store, filters)
    assert store.scalar("SELECT count(*) FROM rollup_dirty") == 0
    assert reply_times.reply_hours(store, filters, reply_times.AGENT, sla) is not None  # the rollup answers
    fast = aggregates.responses_by_agent(store, filters, sla)
    raw = aggregates.responses_by_agent(store, filters, sla, rollup=False)
    assert fast == raw
    for fast_row, raw_row in zip(fast, raw, strict=True):  # same types: 2 and 2.0 print differently
        assert {k: type(v) for k, v in fast_row.items()} == {k: type(v) for k, v in raw_row.items()}
    return raw


@pytest.fixture
def answered(store: Store, tmp_path: Path) -> Store:
    """Imported reviews, some with the platform's reply; agents answer others (some twice)."""
    import_file(store, write_csv(tmp_path / "reviews.csv", HEADER, _rows()))
    open_ids = [row[0] for row in store.query("SELECT id FROM reviews WHERE has_reply = 0 ORDER BY id")]
    for i, review_id in enumerate(open_ids[:80]):
        replies.add_reply(store, review_id, "We are on it.", AGENTS[i % len(AGENTS)])
        if i % 7 == 0:  # a second reply by someone else: not the first one
            replies.add_reply(store, review_id, "Any news?", AGENTS[(i + 1) % len(AGENTS)])
    # Agent replies at various delays, as a platform's export would date them.
    store.conn.execute("UPDATE replies SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
                       "(SELECT created_at FROM reviews WHERE id = replies.review_id), '+' || (id % 50) || ' hours') "
                       "WHERE origin = 'agent'")
    for review_id in open_ids[:80]:
        triage.sync_reply_summary(store.conn, review_id)
    spam = [row[0] for row in store.query("SELECT id FROM reviews WHERE first_reply_at IS NOT NULL AND id % 10 = 3")]
    triage.set_status(store, spam, "spam", "tester")
    assert rollups.refresh(store)
    return store


def test_the_data_has_agents_and_the_platform(answered: Store) -> None:
    rows = assert_same(answered)
    names = {row["agent"] for row in rows}
    assert {"platform", *AGENTS} <= names
    assert all(row["replied"] > 1 for row in rows)
    assert answered.scalar("SELECT count(*) FROM reviews WHERE first_reply_agent = 'platform'") > 100


@pytest.mark.parametrize("filters", WINDOWS, ids=range(len(WINDOWS)))
def test_the_rollup_gives_the_direct_figures(answered: Store, filters: Filters) -> None:
    for sla in SLAS:
        assert assert_same(answered, filters, sla), "no replied review in this window: it would test nothing"


def test_replies_added_edited_withdrawn_moved_and_deleted(answered: Store) -> None:
    store = answered
    waiting = [row[0] for row in store.query("SELECT id FROM reviews WHERE has_reply = 0 AND status != 'spam' "
                                             "ORDER BY id LIMIT 3")]
    replies.add_reply(store, waiting[0], "Sorry about this.", "nouvelle")  # a new agent appears
    assert "nouvelle" in {row["agent"] for row in assert_same(store)}

    reply_id = store.scalar("SELECT id FROM replies WHERE agent = 'camille' AND withdrawn_at IS NULL "
                            "ORDER BY id LIMIT 1")
    replies.edit_reply(store, int(reply_id), "Sorry, fixed now.", "camille")  # an edit changes no figure
    assert_same(store)

    # The first reply withdrawn: the review's first reply is now the next one, by someone else.
    review_id = store.scalar("SELECT review_id FROM replies GROUP BY review_id HAVING count(*) = 2 "
                             "AND count(DISTINCT agent) = 2 ORDER BY review_id LIMIT 1")
    before = store.scalar("SELECT first_reply_agent FROM reviews WHERE id = ?", (review_id,))
    first = store.scalar("SELECT id FROM replies WHERE review_id = ? ORDER BY created_at, id LIMIT 1", (review_id,))
    replies.withdraw_reply(store, int(first), str(before))
    after = store.scalar("SELECT first_reply_agent FROM reviews WHERE id = ?", (review_id,))
    assert after is not None and after != before
    assert_same(store)

    # A reply moved before the first one (a corrected date): its agent answered first.
    later = store.scalar("SELECT id FROM replies WHERE review_id = ? AND withdrawn_at IS NULL", (review_id,))
    with store.write() as conn:
        conn.execute("INSERT INTO replies (review_id, text, agent, created_at) VALUES (?, 'Late note.', 'Zoé', "
                     "'2030-01-01T00:00:00Z')", (review_id,))
        conn.execute("UPDATE replies SET created_at = '2000-01-01T00:00:00Z' WHERE review_id = ? AND agent = 'Zoé' "
                     "AND created_at = '2030-01-01T00:00:00Z'", (review_id,))
        triage.sync_reply_summary(conn, review_id)
    assert store.scalar("SELECT first_reply_agent FROM reviews WHERE id = ?", (review_id,)) == "Zoé"
    assert later is not None
    assert_same(store)

    # Replies deleted (and a review deleted with its replies).
    with store.write() as conn:
        conn.execute("DELETE FROM replies WHERE review_id = ? AND agent = 'Zoé'", (review_id,))
        triage.sync_reply_summary(conn, review_id)
        gone = conn.execute("SELECT id FROM reviews WHERE first_reply_agent = 'bob' ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("DELETE FROM reviews WHERE id = ?", (gone,))
    assert store.scalar("SELECT first_reply_agent FROM reviews WHERE id = ?", (review_id,)) == after
    assert_same(store)

    # Spam leaves the table, and comes back when unmarked.
    ids = [row[0] for row in store.query("SELECT id FROM reviews WHERE first_reply_agent = 'léa' "
                                         "AND status != 'spam' ORDER BY id LIMIT 4")]
    triage.set_status(store, ids, "spam", "camille")
    assert_same(store, Filters(since="2026-01-12T00:00:00Z"))
    triage.set_status(store, ids, "open", "camille")
    assert_same(store, Filters(source="app_store"), 5.5)


def test_an_unchanged_first_agent_marks_no_day_dirty(answered: Store) -> None:
    review_id = answered.scalar("SELECT review_id FROM replies GROUP BY review_id HAVING count(*) = 2 "
                                "ORDER BY review_id LIMIT 1")
    second = answered.scalar("SELECT id FROM replies WHERE review_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
                             (review_id,))
    replies.edit_reply(answered, int(second), "Edited, still second.", "camille")
    assert answered.scalar("SELECT count(*) FROM rollup_dirty") == 0


def test_the_dashboard_rows_are_the_same_from_either_path(answered: Store, db_path: Path) -> None:
    window = Filters(since="2026-01-01T00:00:00Z", until="2026-05-01T00:00:00Z")
    fast = agents(answered, window, 24.0)
    answered.conn.execute("INSERT OR IGNORE INTO rollup_dirty VALUES ('2026-02-02')")
    with Store.open(db_path, readonly=True) as readonly:  # stale and cannot refresh: the direct query
        assert not rollups.refresh_for(readonly, window)
        raw = agents(readonly, window, 24.0)
    assert fast == raw and len(fast) >= 5


def test_a_window_within_a_day_uses_the_direct_query(answered: Store) -> None:
    window = Filters(since="2026-02-01T12:00:00Z")  # not a whole day: the rollups cannot answer
    assert not rollups.refresh_for(answered, window)
    assert aggregates.responses_by_agent(answered, window, 24.0) == aggregates.responses_by_agent(
        answered, window, 24.0, rollup=False)
