"""'Answered elsewhere' is its own status with a required note; the activity log (issue 16, item 7)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from feedback_tui.errors import UsageProblem
from feedback_tui.store import Store, activity, inbox, triage
from feedback_tui.store.inbox import InboxQuery


def _open_ids(store: Store) -> list[int]:
    return [row.id for row in inbox.page(store, InboxQuery(view="needs_reply"), limit=5)]


def test_the_status_needs_a_note_and_leaves_needs_reply(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        first, second = _open_ids(store)[:2]
        with pytest.raises(UsageProblem, match="needs a note"):
            triage.set_status(store, [first], "answered_elsewhere", "marc")
        with pytest.raises(UsageProblem, match="needs a note"):
            triage.answer_elsewhere(store, [first], "   ", "marc")
        assert store.scalar("SELECT status FROM reviews WHERE id = ?", (first,)) != "answered_elsewhere"
        triage.answer_elsewhere(store, [first, second], "phoned her on 2 Dec", "marc")
        assert {store.scalar("SELECT status FROM reviews WHERE id = ?", (i,)) for i in (first, second)} == {
            "answered_elsewhere"}
        assert first not in _open_ids(store) and second not in _open_ids(store)
        notes = triage.review_detail(store, first).notes  # type: ignore[union-attr]
        assert [(n.agent, n.text) for n in notes][-1] == ("marc", "Answered elsewhere: phoned her on 2 Dec")
        assert store.scalar("SELECT has_reply FROM reviews WHERE id = ?", (first,)) == 0, "not a reply"

        assert triage.undo_last(store, "marc") == "answered elsewhere on 2 reviews"
        assert store.scalar("SELECT status FROM reviews WHERE id = ?", (first,)) in ("new", "open", "outdated")
        assert not [n for n in triage.review_detail(store, first).notes if "elsewhere" in n.text]  # type: ignore


def test_the_database_refuses_an_unknown_status_still(demo_db: Path) -> None:
    with Store.open(demo_db) as store, pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("UPDATE reviews SET status = 'answered' WHERE id = 1")


def test_the_activity_log_says_who_did_what_and_when_oldest_first(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        review_id, other = _open_ids(store)[:2]
        triage.assign(store, [review_id], "marc", "marc")
        triage.add_tag(store, [review_id, other], "livraison", "camille")
        triage.set_status(store, [review_id], "archived", "camille")
        triage.undo_last(store, "camille")
        triage.answer_elsewhere(store, [review_id], "by e-mail", "marc")
        log = activity.of_review(store, review_id)
        assert [(a.agent, a.what, bool(a.undone_at)) for a in log] == [
            ("marc", "assigned to marc", False),
            ("camille", "tagged livraison", False),
            ("camille", "status → archived", True),
            ("marc", "answered elsewhere: by e-mail", False),
        ]
        assert all(a.created_at for a in log)
        assert [a.what for a in activity.of_review(store, other)] == ["tagged livraison"]
        assert triage.review_detail(store, review_id).activity == log  # type: ignore[union-attr]
