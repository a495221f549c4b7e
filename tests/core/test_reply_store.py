"""Replies, drafts and templates in SQLite (``feedback_tui.store.replies``).

Reviews come in through the real CSV importer; every check reads back what
was committed, with the store's own connection or a plain sqlite3 one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import REVIEW_HEADER, import_file, write_csv
from feedback_tui.errors import UsageProblem
from feedback_tui.reply_rules import DEFAULT_TEMPLATES
from feedback_tui.store import Store
from feedback_tui.store import inbox, triage
from feedback_tui.store import replies as reply_store
from feedback_tui.store.inbox import InboxQuery

ROWS = [
    ["g1", "google_play", 1, "Cold", "The soup arrived cold.", "Ann", "2026-03-02T10:00:00Z", "en", "", ""],
    ["g2", "google_play", 5, "Great", "Everything perfect.", "Bob", "2026-03-03T10:00:00Z", "en", "", ""],
    ["t1", "trustpilot", 2, "Retard", "Livraison en retard.", "Chloé", "2026-03-04T10:00:00Z", "fr", "", ""],
]


def review_row(store: Store, external_id: str) -> dict[str, Any]:
    row = store.conn.execute("SELECT * FROM reviews WHERE external_id = ?", (external_id,)).fetchone()
    assert row is not None, external_id
    return dict(row)


@pytest.fixture
def reviews(store: Store, tmp_path: Path) -> dict[str, int]:
    """Three imported reviews, by external id."""
    result = import_file(store, write_csv(tmp_path / "reviews.csv", REVIEW_HEADER, ROWS))
    assert result.inserted == len(ROWS)
    return {ext: review_row(store, ext)["id"] for ext in ("g1", "g2", "t1")}


def needs_reply_ids(store: Store) -> set[int]:
    return {row.id for row in inbox.page(store, InboxQuery(agent="x"), limit=1000)}


# -- templates ----------------------------------------------------------------------------------
def test_default_templates_are_seeded(store: Store) -> None:
    rows = reply_store.templates(store)
    assert {(r["name"], r["language"], r["tone"], r["body"]) for r in rows} == {
        (t.name, t.language, t.tone, t.body) for t in DEFAULT_TEMPLATES}
    assert all(r["builtin"] == 1 for r in rows)
    assert reply_store.as_template(rows[0]).body == rows[0]["body"]


def test_template_create_edit_delete(store: Store) -> None:
    new_id = reply_store.save_template(store, "  Late   delivery ", " FR ", "negative", "Désolé {author}")
    row = next(r for r in reply_store.templates(store) if r["id"] == new_id)
    assert (row["name"], row["language"], row["tone"], row["builtin"]) == ("Late delivery", "fr", "negative", 0)

    assert reply_store.save_template(store, "Late delivery", "fr", "neutral", "Bonjour {author}", new_id) == new_id
    row = next(r for r in reply_store.templates(store) if r["id"] == new_id)
    assert (row["tone"], row["body"]) == ("neutral", "Bonjour {author}"), "saving under its own name is no clash"

    reply_store.delete_template(store, new_id)
    assert new_id not in {r["id"] for r in reply_store.templates(store)}
    assert len(reply_store.templates(store)) == len(DEFAULT_TEMPLATES)


def test_template_duplicate_name_is_refused_on_create_and_on_rename(store: Store) -> None:
    with pytest.raises(UsageProblem, match="a template named 'Thanks \\(EN\\)' already exists"):
        reply_store.save_template(store, "Thanks (EN)", "en", "positive", "Hi")
    other = reply_store.save_template(store, "Mine", "en", "positive", "Hi")
    with pytest.raises(UsageProblem, match="already exists"):
        reply_store.save_template(store, "Thanks  (EN)", "en", "positive", "Hi", other)  # spaces squeezed
    assert next(r for r in reply_store.templates(store) if r["id"] == other)["name"] == "Mine"


@pytest.mark.parametrize(("name", "tone", "body", "message"), [
    ("  ", "neutral", "x", "needs a name"),
    ("A", "neutral", " \n", "needs a text"),
    ("A", "angry", "x", "tone must be one of positive, neutral, negative"),
])
def test_template_validation(store: Store, name: str, tone: str, body: str, message: str) -> None:
    with pytest.raises(UsageProblem, match=message):
        reply_store.save_template(store, name, "en", tone, body)
    assert len(reply_store.templates(store)) == len(DEFAULT_TEMPLATES)


# -- drafts ------------------------------------------------------------------------------------
def test_draft_upsert_per_agent_and_empty_removes(store: Store, reviews: dict[str, int], db_path: Path) -> None:
    rid = reviews["g1"]
    reply_store.save_draft(store, rid, "ann", "Hello", "Apology (EN)")
    reply_store.save_draft(store, rid, "ann", "Hello there")  # the template is kept when not given
    reply_store.save_draft(store, rid, "bob", "Bob's draft")
    mine = reply_store.draft(store, rid, "ann")
    assert mine is not None and (mine["text"], mine["template"]) == ("Hello there", "Apology (EN)")
    with sqlite3.connect(db_path) as other:  # committed, visible to another connection
        assert other.execute("SELECT count(*) FROM drafts WHERE review_id = ?", (rid,)).fetchone()[0] == 2
    reply_store.save_draft(store, rid, "ann", "   ")
    assert reply_store.draft(store, rid, "ann") is None
    assert reply_store.draft(store, rid, "bob") is not None


# -- replies -----------------------------------------------------------------------------------
def test_add_reply_marks_replied_and_drops_the_draft(store: Store, reviews: dict[str, int]) -> None:
    rid = reviews["g1"]
    reply_store.save_draft(store, rid, "ann", "draft text")
    reply_store.save_draft(store, rid, "bob", "bob's draft")
    assert rid in needs_reply_ids(store)

    reply_id = reply_store.add_reply(store, rid, "Sorry Ann", "ann", template="Apology (EN)", channel="google_play")

    review = review_row(store, "g1")
    assert (review["status"], review["has_reply"], review["is_read"]) == ("replied", 1, 1)
    stored = reply_store.reply(store, reply_id)
    assert stored is not None
    assert (stored["text"], stored["agent"], stored["template"], stored["channel"], stored["origin"],
            stored["delivery_status"]) == ("Sorry Ann", "ann", "Apology (EN)", "google_play", "agent", "local")
    assert review["first_reply_at"] == stored["created_at"]
    assert stored["created_at"].endswith("Z")
    assert (stored["source"], stored["external_id"]) == ("google_play", "g1")
    assert reply_store.draft(store, rid, "ann") is None
    assert reply_store.draft(store, rid, "bob") is not None, "another agent's draft is theirs to drop"
    assert rid not in needs_reply_ids(store)


def test_add_reply_with_delivery_is_pending_then_set_delivery(store: Store, reviews: dict[str, int]) -> None:
    reply_id = reply_store.add_reply(store, reviews["g2"], "Thanks!", "ann", deliver=True)
    assert reply_store.reply(store, reply_id)["delivery_status"] == "pending"  # type: ignore[index]
    reply_store.set_delivery(store, reply_id, "failed", "boom")
    reply_store.set_delivery(store, reply_id, "sent")
    row = reply_store.reply(store, reply_id)
    assert row is not None and (row["delivery_status"], row["delivery_error"], row["attempts"]) == ("sent", None, 2)


def test_add_reply_keeps_spam_spam(store: Store, reviews: dict[str, int]) -> None:
    rid = reviews["g1"]
    with store.write() as conn:
        conn.execute("UPDATE reviews SET status = 'spam' WHERE id = ?", (rid,))
    reply_store.add_reply(store, rid, "text", "ann")
    assert review_row(store, "g1")["status"] == "spam"
    assert review_row(store, "g1")["has_reply"] == 1


def test_first_reply_at_is_the_earliest_reply(store: Store, reviews: dict[str, int]) -> None:
    rid = reviews["g1"]
    first = reply_store.add_reply(store, rid, "one", "ann")
    with store.write() as conn:  # make the order unambiguous at one-second resolution
        conn.execute("UPDATE replies SET created_at = '2026-03-02T12:00:00Z' WHERE id = ?", (first,))
        conn.execute("UPDATE reviews SET first_reply_at = '2026-03-02T12:00:00Z' WHERE id = ?", (rid,))
    reply_store.add_reply(store, rid, "two", "bob")
    assert review_row(store, "g1")["first_reply_at"] == "2026-03-02T12:00:00Z"
    assert [r["text"] for r in reply_store.replies_of(store, rid)] == ["one", "two"]


def test_edit_keeps_the_earlier_versions(store: Store, reviews: dict[str, int]) -> None:
    rid = reviews["g1"]
    reply_id = reply_store.add_reply(store, rid, "v1", "ann")
    reply_store.edit_reply(store, reply_id, "v2", "ann")
    reply_store.edit_reply(store, reply_id, "v3", "bob")
    row = reply_store.reply(store, reply_id)
    assert row is not None and row["text"] == "v3" and row["updated_at"] is not None
    versions = store.query("SELECT text, agent FROM reply_versions WHERE reply_id = ? ORDER BY id", (reply_id,))
    assert [(v["text"], v["agent"]) for v in versions] == [("v1", "ann"), ("v2", "ann")]
    assert review_row(store, "g1")["status"] == "replied"

    with pytest.raises(UsageProblem, match="withdraw it instead"):
        reply_store.edit_reply(store, reply_id, "  ", "ann")
    with pytest.raises(UsageProblem, match="no longer exists"):
        reply_store.edit_reply(store, 99999, "x", "ann")
    assert reply_store.reply(store, reply_id)["text"] == "v3"  # type: ignore[index]


def test_withdraw_reopens_and_recomputes_the_summary(store: Store, reviews: dict[str, int]) -> None:
    rid = reviews["g1"]
    first = reply_store.add_reply(store, rid, "first", "ann")
    second = reply_store.add_reply(store, rid, "second", "bob")
    with store.write() as conn:
        conn.execute("UPDATE replies SET created_at = '2026-03-02T11:00:00Z' WHERE id = ?", (first,))
        conn.execute("UPDATE replies SET created_at = '2026-03-02T15:00:00Z' WHERE id = ?", (second,))

    reply_store.withdraw_reply(store, first, "ann")
    review = review_row(store, "g1")
    assert (review["status"], review["has_reply"], review["first_reply_at"]) == ("replied", 1, "2026-03-02T15:00:00Z")
    versions = store.query("SELECT text, agent FROM reply_versions WHERE reply_id = ?", (first,))
    assert [(v["text"], v["agent"]) for v in versions] == [("first", "ann")]
    assert reply_store.reply(store, first)["withdrawn_at"] is not None  # type: ignore[index]
    assert reply_store.reply(store, first)["text"] == "first", "the text is kept"  # type: ignore[index]

    reply_store.withdraw_reply(store, second, "bob")
    review = review_row(store, "g1")
    assert (review["status"], review["has_reply"], review["first_reply_at"]) == ("open", 0, None)
    assert rid in needs_reply_ids(store)
    with pytest.raises(UsageProblem, match="no longer exists"):
        reply_store.withdraw_reply(store, 99999, "ann")


def test_withdraw_keeps_an_archived_status(store: Store, reviews: dict[str, int]) -> None:
    rid = reviews["g2"]
    reply_id = reply_store.add_reply(store, rid, "thanks", "ann")
    with store.write() as conn:
        conn.execute("UPDATE reviews SET status = 'archived' WHERE id = ?", (rid,))
    reply_store.withdraw_reply(store, reply_id, "ann")
    assert (review_row(store, "g2")["status"], review_row(store, "g2")["has_reply"]) == ("archived", 0)


# -- two agents ---------------------------------------------------------------------------------
def test_others_activity(store: Store, reviews: dict[str, int]) -> None:
    rid = reviews["g1"]
    empty = reply_store.others_activity(store, rid, "ann", "0000")
    assert empty == {"replies": [], "drafts": []}

    reply_store.save_draft(store, rid, "ann", "my own draft")
    reply_store.save_draft(store, rid, "bob", "bob is typing")
    mine = reply_store.add_reply(store, reviews["g1"], "ann's earlier reply", "ann")
    old = reply_store.add_reply(store, rid, "cid's old reply", "cid")
    with store.write() as conn:
        conn.execute("UPDATE replies SET created_at = '2026-01-01T00:00:00Z' WHERE id = ?", (old,))
    new = reply_store.add_reply(store, rid, "dee's reply", "dee")
    reply_store.add_reply(store, reviews["g2"], "another review", "eve")

    activity = reply_store.others_activity(store, rid, "ann", "2026-02-01T00:00:00Z")
    assert [(r["agent"], r["text"]) for r in activity["replies"]] == [("dee", "dee's reply")]
    assert [(d["agent"], d["text"]) for d in activity["drafts"]] == [("bob", "bob is typing")]
    assert mine  # ann's own reply is never "someone else's"
    with store.write() as conn:  # a draft older than "since" is not new activity
        conn.execute("UPDATE drafts SET updated_at = '2026-01-01T00:00:00Z' WHERE agent = 'bob'")
    assert reply_store.others_activity(store, rid, "ann", "2026-02-01T00:00:00Z")["drafts"] == []
    assert [d["agent"] for d in reply_store.others_activity(store, rid, "ann", "0000")["drafts"]] == ["bob"]

    everything = reply_store.others_activity(store, rid, "ann", "0000")
    assert [r["agent"] for r in everything["replies"]] == ["cid", "dee"]

    # an edit counts as new activity; a withdrawn reply does not
    reply_store.edit_reply(store, old, "cid's edited reply", "cid")
    activity = reply_store.others_activity(store, rid, "ann", "2026-02-01T00:00:00Z")
    assert {r["text"] for r in activity["replies"]} == {"dee's reply", "cid's edited reply"}
    reply_store.withdraw_reply(store, new, "dee")
    activity = reply_store.others_activity(store, rid, "ann", "2026-02-01T00:00:00Z")
    assert [r["text"] for r in activity["replies"]] == ["cid's edited reply"]


def test_imported_replies_are_not_an_other_agent(store: Store, tmp_path: Path) -> None:
    rows = [["i1", "trustpilot", 4, "", "Good.", "Ann", "2026-03-02T10:00:00Z", "en", "Thanks!", "2026-03-02T11:00:00Z"]]
    import_file(store, write_csv(tmp_path / "with-reply.csv", REVIEW_HEADER, rows))
    rid = review_row(store, "i1")["id"]
    assert reply_store.others_activity(store, rid, "ann", "0000") == {"replies": [], "drafts": []}


# -- outdated -------------------------------------------------------------------------------------
def test_a_review_edited_after_our_reply_is_outdated_and_needs_reply(store: Store, tmp_path: Path,
                                                                     reviews: dict[str, int]) -> None:
    rid = reviews["g1"]
    reply_store.add_reply(store, rid, "Sorry Ann, refunded.", "ann")
    assert review_row(store, "g1")["status"] == "replied"
    assert rid not in needs_reply_ids(store)

    edited = [list(ROWS[0])]
    edited[0][4] = "The soup arrived cold, and now the refund is late too."
    import_file(store, write_csv(tmp_path / "edited.csv", REVIEW_HEADER, edited))

    review = review_row(store, "g1")
    assert review["status"] == "outdated"
    assert review["has_reply"] == 1, "our reply is still there"
    assert rid in needs_reply_ids(store)
    assert inbox.count(store, InboxQuery(agent="x", view="needs_reply")) == len(needs_reply_ids(store))
    history = store.query("SELECT body FROM review_history WHERE review_id = ?", (rid,))
    assert [h["body"] for h in history] == ["The soup arrived cold."]

    # answering again settles it
    reply_store.add_reply(store, rid, "Refund sent today.", "ann")
    assert review_row(store, "g1")["status"] == "replied"
    assert rid not in needs_reply_ids(store)


def test_reimporting_unchanged_keeps_replied(store: Store, tmp_path: Path, reviews: dict[str, int]) -> None:
    reply_store.add_reply(store, reviews["g1"], "Sorry", "ann")
    import_file(store, write_csv(tmp_path / "same.csv", REVIEW_HEADER, ROWS))
    assert review_row(store, "g1")["status"] == "replied"


# -- undo and status rules (issue 16) ---------------------------------------------------------------
def test_undo_right_after_a_reply_withdraws_it_not_an_older_action(store: Store, reviews: dict[str, int]) -> None:
    others = [reviews["g2"], reviews["t1"]]
    triage.assign(store, others, "camille", "camille")  # minutes earlier, on reviews out of sight
    target = reviews["g1"]
    before = review_row(store, 'g1')
    reply_id = reply_store.add_reply(store, target, "Sorry Ann.", "camille")
    assert review_row(store, 'g1')["status"] == "replied"

    done = triage.undo_last(store, "camille")
    assert done is not None and done.startswith("reply to '")
    after = review_row(store, 'g1')
    assert (after["status"], after["has_reply"], after["first_reply_at"]) == (before["status"], 0, None)
    assert reply_store.reply(store, reply_id)["withdrawn_at"] is not None, "withdrawn, its text kept"
    assert [review_row(store, k)["assignee"] for k in ("g2", "t1")] == ["camille", "camille"], "the assignment stays"
    assert triage.undo_last(store, "camille").startswith("assignment to camille on 2 reviews")


def test_undo_names_the_review_and_its_author(store: Store, reviews: dict[str, int]) -> None:
    target = reviews["g1"]
    row = review_row(store, 'g1')
    triage.set_status(store, [target], "archived", "marc")
    assert (row["title"], row["author"]) == ("Cold", "Ann")
    assert triage.undo_last(store, "marc") == "archive of 'Cold' (Ann)"


def test_replied_is_refused_for_a_review_without_a_reply(store: Store, reviews: dict[str, int]) -> None:
    target = reviews["g1"]
    with pytest.raises(UsageProblem, match="not marked replied: this review has no reply"):
        triage.set_status(store, [target], "replied", "camille")
    assert review_row(store, 'g1')["status"] != "replied"
    reply_store.add_reply(store, target, "Done.", "camille")
    triage.set_status(store, [target], "open", "camille")
    triage.set_status(store, [target], "replied", "camille")
    assert review_row(store, 'g1')["status"] == "replied"
