"""The reply workflow without a screen: drafts, send, delivery, retry.

A real SQLite file and a real local HTTP server (pytest-httpserver): the
composer only turns these outcomes into messages, so what an agent relies on
(never lose a typed reply, never a draft back after its reply went out, never
send over another agent's reply unasked) is checked here directly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import REVIEW_HEADER, import_file, write_csv
from feedback_tui.errors import UsageProblem
from feedback_tui.outbox import Outbox, payload
from feedback_tui.store import Store, StoreOpener
from feedback_tui.store import replies as reply_store
from feedback_tui.store import triage

ROWS = [["g1", "google_play", 1, "Cold", "The soup arrived cold.", "Ann", "2026-03-02T10:00:00Z", "en", "", ""]]


@pytest.fixture
def review_id(store: Store, tmp_path: Path) -> int:
    assert import_file(store, write_csv(tmp_path / "r.csv", REVIEW_HEADER, ROWS)).inserted == 1
    return int(store.scalar("SELECT id FROM reviews WHERE external_id = 'g1'"))  # type: ignore[arg-type]


def outbox_for(db_path: Path, url: str | None = None) -> Outbox:
    sources = {"google_play": {"reply_url": url}} if url else {}
    return Outbox(StoreOpener.for_path(db_path), sources)


def session(db_path: Path, review_id: int, agent: str = "camille", url: str | None = None):
    outbox = outbox_for(db_path, url)
    with outbox.opener.open() as store:
        detail = triage.review_detail(store, review_id)
    assert detail is not None
    return outbox.session(detail, agent)


def test_send_without_an_endpoint_stores_the_reply_and_drops_the_draft(db_path: Path, review_id: int) -> None:
    reply = session(db_path, review_id)
    assert reply.save_draft(1, "Sorry An", None)
    outcome = reply.send("Sorry Ann, a refund is on its way.", "Apology (EN)")
    assert (outcome.status, outcome.reply_id is not None) == ("saved", True)
    with Store.open(db_path) as store:
        stored = reply_store.replies_of(store, review_id)
        assert [(r["text"], r["agent"], r["template"], r["delivery_status"]) for r in stored] == [
            ("Sorry Ann, a refund is on its way.", "camille", "Apology (EN)", "local")]
        assert reply_store.draft(store, review_id, "camille") is None
    assert not reply.save_draft(2, "a late keystroke", None), "no draft comes back after the reply went out"
    with Store.open(db_path) as store:
        assert reply_store.draft(store, review_id, "camille") is None


def test_an_older_draft_never_overwrites_a_newer_one(db_path: Path, review_id: int) -> None:
    reply = session(db_path, review_id)
    assert reply.save_draft(2, "newer text", None)
    assert not reply.save_draft(1, "older text", None)
    with Store.open(db_path) as store:
        assert reply_store.draft(store, review_id, "camille")["text"] == "newer text"  # type: ignore[index]


def test_another_agents_reply_stops_the_send_until_confirmed(db_path: Path, review_id: int) -> None:
    mine = session(db_path, review_id, "camille")
    theirs = session(db_path, review_id, "bob")
    assert theirs.send("Bob's answer", None).status == "saved"
    outcome = mine.send("Camille's answer", None)
    assert outcome.status == "others" and [r["agent"] for r in outcome.activity["replies"]] == ["bob"]
    with Store.open(db_path) as store:
        assert [r["agent"] for r in reply_store.replies_of(store, review_id)] == ["bob"], "nothing stored unasked"
    assert mine.send("Camille's answer", None, confirmed=True).status == "saved"
    with Store.open(db_path) as store:
        assert [r["agent"] for r in reply_store.replies_of(store, review_id)] == ["bob", "camille"]


def test_delivery_posts_the_stored_reply_and_records_the_outcome(db_path: Path, review_id: int,
                                                                  httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/replies", method="POST").respond_with_response(Response("down", status=400))
    httpserver.expect_oneshot_request("/replies", method="POST").respond_with_json({"ok": True})
    reply = session(db_path, review_id, url=httpserver.url_for("/replies"))
    outcome = reply.send("Désolé pour la soupe froide.", None)
    assert outcome.status == "queued" and outcome.reply_id is not None
    with Store.open(db_path) as store:
        assert reply_store.reply(store, outcome.reply_id)["delivery_status"] == "pending"  # type: ignore[index]
    first = reply.deliver(outcome.reply_id, "Désolé pour la soupe froide.")
    assert first.status == "failed" and "400" in (first.error or "")
    with Store.open(db_path) as store:
        assert reply_store.reply(store, outcome.reply_id)["delivery_status"] == "failed"  # type: ignore[index]
    assert reply.retry().status == "sent"
    with Store.open(db_path) as store:
        row = reply_store.reply(store, outcome.reply_id)
        assert row is not None and (row["delivery_status"], row["attempts"]) == ("sent", 2)
    sent = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert sent[-1] == payload(reply.review, "Désolé pour la soupe froide.", "camille", outcome.reply_id)
    assert sent[-1]["review_id"] == "g1" and sent[-1]["source"] == "google_play"
    assert reply.retry().status == "nothing", "a delivered reply is not sent twice"


def test_retry_without_an_endpoint_says_so(db_path: Path, review_id: int) -> None:
    reply = session(db_path, review_id)
    assert reply.retry().status == "nothing"
    assert reply.deliver(1, "text").status == "no-endpoint"


def test_send_edit_and_retry_share_one_length_check(db_path: Path, review_id: int) -> None:
    """Google Play's 350 characters hold however the reply is stored, with one message."""
    reply = session(db_path, review_id)
    too_long = "x" * 351
    message = "google_play replies are limited to 350 characters; this one has 351"
    with pytest.raises(UsageProblem, match=f"not sent: {message}"):
        reply.send(too_long, None)
    outcome = reply.send("Sorry Ann.", None)
    assert outcome.reply_id is not None
    with pytest.raises(UsageProblem, match=f"not saved: {message}"):
        reply.outbox.edit(outcome.reply_id, too_long, "camille")
    reply.outbox.edit(outcome.reply_id, "Sorry Ann, fixed.", "camille")
    configured = Outbox(StoreOpener.for_path(db_path), {}, {"google_play": {"max": 5, "unit": "characters"}})
    with configured.opener.open() as store:
        assert reply_store.reply(store, outcome.reply_id)["text"] == "Sorry Ann, fixed."
        detail = triage.review_detail(store, review_id)
        with store.write() as conn:
            conn.execute("UPDATE replies SET delivery_status = 'failed' WHERE id = ?", (outcome.reply_id,))
    with pytest.raises(UsageProblem, match="not delivered: google_play replies are limited to 5 characters"):
        configured.session(detail, "camille").retry()
