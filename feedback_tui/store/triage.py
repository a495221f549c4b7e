"""Triage actions on reviews: status, assignee, read mark, tags, notes, undo.

Each action is one short transaction that changes the reviews *and* records
in ``actions`` what it replaced, so that ``undo`` can restore exactly that,
and so that a manager can see who did what. Actions are persisted at once:
there is no "save".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from feedback_tui.errors import UsageProblem
from feedback_tui.models import REVIEW_STATUSES
from feedback_tui.store import Store, activity, utc_now
from feedback_tui.store import sentiment_models, undated
from feedback_tui.store.rows import Note, Reply, ReviewDetail, Version

MAX_TAG_LENGTH = 40
MAX_NOTE_LENGTH = 10_000


def _ids_sql(ids: Sequence[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def _snapshot(conn: Any, ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT id, status, assignee, is_read FROM reviews WHERE id IN ({_ids_sql(ids)})")
    return [dict(row) for row in rows]


def sync_reply_summary(conn: Any, review_id: int) -> None:
    """Recompute a review's reply summary from its live (not withdrawn) replies."""
    conn.execute(
        """UPDATE reviews SET
               first_reply_at = (SELECT min(created_at) FROM replies WHERE review_id = reviews.id
                                 AND withdrawn_at IS NULL),
               has_reply = EXISTS (SELECT 1 FROM replies WHERE review_id = reviews.id AND withdrawn_at IS NULL)
           WHERE id = ?""",
        (review_id,),
    )


def snapshot(conn: Any, ids: Sequence[int]) -> list[dict[str, Any]]:
    """What an undo restores of these reviews: status, assignee, read mark."""
    return _snapshot(conn, ids)


def log_action(conn: Any, agent: str, kind: str, detail: str | None, ids: Sequence[int], previous: Any) -> int:
    """Record an undoable action in the caller's transaction."""
    return _log(conn, agent, kind, detail, ids, previous)


def _log(conn: Any, agent: str, kind: str, detail: str | None, ids: Sequence[int], previous: Any) -> int:
    cursor = conn.execute(
        "INSERT INTO actions (agent, kind, detail, review_ids, previous, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (agent, kind, detail, json.dumps(list(ids)), json.dumps(previous), utc_now()),
    )
    return int(cursor.lastrowid or 0)


def set_status(store: Store, ids: Sequence[int], status: str, agent: str) -> int:
    """Set the status of reviews (archive, spam, open...).

    ``replied`` is refused for a review with no stored reply: it is what a
    stored reply sets, and a review marked so by hand would leave Needs reply
    with nobody having answered it.
    """
    if status not in REVIEW_STATUSES:
        raise UsageProblem(f"unknown status {status!r} (expected one of {', '.join(REVIEW_STATUSES)})")
    if status == ELSEWHERE:
        raise UsageProblem("answered elsewhere needs a note saying where (m, then answered_elsewhere, asks for it)")
    if not ids:
        return 0
    with store.write() as conn:
        if status == "replied":
            unanswered = conn.execute(
                f"SELECT count(*) FROM reviews WHERE id IN ({_ids_sql(ids)}) AND has_reply = 0").fetchone()[0]
            if unanswered:
                what = "this review has" if len(ids) == 1 else f"{unanswered} of these reviews have"
                raise UsageProblem(f"not marked replied: {what} no reply; r writes one")
        previous = _snapshot(conn, ids)
        conn.execute(f"UPDATE reviews SET status = ? WHERE id IN ({_ids_sql(ids)})", (status,))
        return _log(conn, agent, "status", status, ids, previous)


ELSEWHERE = "answered_elsewhere"


def answer_elsewhere(store: Store, ids: Sequence[int], note: str, agent: str) -> int:
    """Mark reviews answered outside the app (phone, the platform itself), with a required
    note saying where; the note is added to each review, and undo removes both."""
    note = note.strip()
    if not note:
        raise UsageProblem("answered elsewhere needs a note saying where (phone, e-mail, on the platform...)")
    if len(note) > MAX_NOTE_LENGTH:
        raise UsageProblem(f"the note has {len(note):,} characters; at most {MAX_NOTE_LENGTH:,}")
    if not ids:
        return 0
    with store.write() as conn:
        previous = _snapshot(conn, ids)
        conn.execute(f"UPDATE reviews SET status = ? WHERE id IN ({_ids_sql(ids)})", (ELSEWHERE,))
        now = utc_now()
        note_ids = [conn.execute("INSERT INTO notes (review_id, agent, text, created_at) VALUES (?, ?, ?, ?)",
                                 (review_id, agent, f"Answered elsewhere: {note}", now)).lastrowid
                    for review_id in ids]
        return _log(conn, agent, "elsewhere", note, ids, {"reviews": previous, "note_ids": note_ids})


def assign(store: Store, ids: Sequence[int], assignee: str | None, agent: str) -> int:
    """Assign reviews to someone (None unassigns). A new review becomes 'open'."""
    if not ids:
        return 0
    with store.write() as conn:
        previous = _snapshot(conn, ids)
        conn.execute(
            f"""UPDATE reviews SET assignee = ?, status = CASE WHEN status = 'new' AND ? IS NOT NULL
                THEN 'open' ELSE status END WHERE id IN ({_ids_sql(ids)})""",
            (assignee, assignee),
        )
        return _log(conn, agent, "assign", assignee, ids, previous)


def toggle_read(store: Store, ids: Sequence[int], agent: str) -> tuple[int, bool]:
    """Mark read, or unread if every one of them is read already."""
    if not ids:
        return 0, False
    with store.write() as conn:
        previous = _snapshot(conn, ids)
        make_read = any(not row["is_read"] for row in previous)
        conn.execute(f"UPDATE reviews SET is_read = ? WHERE id IN ({_ids_sql(ids)})", (int(make_read),))
        return _log(conn, agent, "read", "read" if make_read else "unread", ids, previous), make_read


def mark_read(store: Store, review_id: int) -> None:
    """Opening a review reads it; not an undoable action."""
    with store.write() as conn:
        conn.execute("UPDATE reviews SET is_read = 1 WHERE id = ? AND is_read = 0", (review_id,))


def _clean_tag(name: str) -> str:
    tag = " ".join(name.split())
    if not tag:
        raise UsageProblem("a tag needs a name")
    if len(tag) > MAX_TAG_LENGTH:
        raise UsageProblem(f"a tag is at most {MAX_TAG_LENGTH} characters")
    return tag


def add_tag(store: Store, ids: Sequence[int], name: str, agent: str) -> int:
    tag = _clean_tag(name)
    if not ids:
        return 0
    with store.write() as conn:
        conn.execute("INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING", (tag,))
        tag_id = conn.execute("SELECT id FROM tags WHERE name = ?", (tag,)).fetchone()[0]
        had = {row[0] for row in conn.execute(
            f"SELECT review_id FROM review_tags WHERE tag_id = ? AND review_id IN ({_ids_sql(ids)})", (tag_id,))}
        added = [i for i in ids if i not in had]
        conn.executemany(
            "INSERT INTO review_tags (review_id, tag_id, agent, created_at) VALUES (?, ?, ?, ?)",
            [(i, tag_id, agent, utc_now()) for i in added],
        )
        return _log(conn, agent, "tag", tag, ids, {"tag_id": tag_id, "added": added})


def remove_tag(store: Store, ids: Sequence[int], name: str, agent: str) -> int:
    tag = _clean_tag(name)
    with store.write() as conn:
        row = conn.execute("SELECT id FROM tags WHERE name = ?", (tag,)).fetchone()
        if row is None:
            return 0
        had = [r[0] for r in conn.execute(
            f"SELECT review_id FROM review_tags WHERE tag_id = ? AND review_id IN ({_ids_sql(ids)})", (row[0],))]
        conn.execute(f"DELETE FROM review_tags WHERE tag_id = ? AND review_id IN ({_ids_sql(ids)})", (row[0],))
        return _log(conn, agent, "untag", tag, ids, {"tag_id": row[0], "removed": had})


def add_note(store: Store, review_id: int, text: str, agent: str) -> int:
    note = text.strip()
    if not note:
        raise UsageProblem("an empty note was not saved")
    if len(note) > MAX_NOTE_LENGTH:
        raise UsageProblem(f"a note is at most {MAX_NOTE_LENGTH} characters")
    with store.write() as conn:
        cursor = conn.execute(
            "INSERT INTO notes (review_id, agent, text, created_at) VALUES (?, ?, ?, ?)",
            (review_id, agent, note, utc_now()),
        )
        return _log(conn, agent, "note", None, [review_id], {"note_id": cursor.lastrowid})


def undo_last(store: Store, agent: str) -> str | None:
    """Undo this agent's latest action not yet undone; return what was undone."""
    undone = undo_last_action(store, agent)
    return undone[0] if undone else None


def undo_last_action(store: Store, agent: str) -> tuple[str, list[int], str] | None:
    """Undo this agent's latest action (never another agent's): what was undone, the ids of
    the rows it restored (for the list to jump to) and their kind (reviews or surveys)."""
    with store.write() as conn:
        row = conn.execute(
            "SELECT * FROM actions WHERE agent = ? AND undone_at IS NULL AND kind != 'undo' ORDER BY id DESC LIMIT 1",
            (agent,),
        ).fetchone()
        if row is None:
            return None
        previous = json.loads(row["previous"])
        kind = row["kind"]
        if kind in ("status", "assign", "read"):
            conn.executemany(
                "UPDATE reviews SET status = ?, assignee = ?, is_read = ? WHERE id = ?",
                [(p["status"], p["assignee"], p["is_read"], p["id"]) for p in previous],
            )
        elif kind == "elsewhere":
            conn.executemany(
                "UPDATE reviews SET status = ?, assignee = ?, is_read = ? WHERE id = ?",
                [(p["status"], p["assignee"], p["is_read"], p["id"]) for p in previous["reviews"]],
            )
            conn.executemany("DELETE FROM notes WHERE id = ?", [(i,) for i in previous["note_ids"]])
        elif kind == "tag":
            conn.executemany(
                "DELETE FROM review_tags WHERE review_id = ? AND tag_id = ?",
                [(i, previous["tag_id"]) for i in previous["added"]],
            )
        elif kind == "untag":
            conn.executemany(
                "INSERT OR IGNORE INTO review_tags (review_id, tag_id, agent, created_at) VALUES (?, ?, ?, ?)",
                [(i, previous["tag_id"], agent, utc_now()) for i in previous["removed"]],
            )
        elif kind == "note":
            conn.execute("DELETE FROM notes WHERE id = ?", (previous["note_id"],))
        elif kind == "survey-status":
            conn.executemany("UPDATE survey_responses SET status = ? WHERE id = ?",
                             [(p["status"], p["id"]) for p in previous])
        elif kind == "reply":  # withdrawn, its text kept in its versions; the review as it was
            conn.execute("INSERT INTO reply_versions (reply_id, text, agent, replaced_at) "
                         "SELECT id, text, ?, ? FROM replies WHERE id = ?", (agent, utc_now(), previous["reply_id"]))
            conn.execute("UPDATE replies SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL",
                         (utc_now(), previous["reply_id"]))
            for review_id in json.loads(row["review_ids"]):
                sync_reply_summary(conn, review_id)
            conn.executemany(
                "UPDATE reviews SET status = ?, assignee = ?, is_read = ? WHERE id = ? AND has_reply = 0",
                [(p["status"], p["assignee"], p["is_read"], p["id"]) for p in previous["reviews"]],
            )
        conn.execute("UPDATE actions SET undone_at = ? WHERE id = ?", (utc_now(), row["id"]))
        done = describe(conn, row)
        if kind == "reply":
            sent = conn.execute("SELECT channel FROM replies WHERE id = ? AND delivery_status = 'sent'",
                                (previous["reply_id"],)).fetchone()
            if sent:  # a platform cannot be asked to forget it from here
                done += f" (it was already delivered to {sent['channel']}: remove it there too)"
        ids = [int(i) for i in json.loads(row["review_ids"])]
        return done, ids, "surveys" if kind == "survey-status" else "reviews"


_WHAT = {"status": "status {detail}", "assign": "assignment to {detail}", "read": "{detail} mark",
         "tag": "tag {detail}", "untag": "removal of tag {detail}", "note": "note", "reply": "reply",
         "survey-status": "status {detail}", "elsewhere": "answered elsewhere"}


_STATUS_WORDS = {"archived": "archive", "spam": "spam mark"}


def describe(conn: Any, action: Any) -> str:
    """What an action did, with its review when there is one: "status archived of 'Très déçu' (Marc)"."""
    kind, detail = action["kind"], action["detail"] or ""
    what = _WHAT.get(kind, kind).format(detail=detail).strip()
    if kind in ("status", "survey-status") and detail in _STATUS_WORDS:
        what = _STATUS_WORDS[detail]
    if kind == "assign" and not detail:
        what = "unassignment"
    ids = json.loads(action["review_ids"])
    if kind == "survey-status":
        return f"{what} on {len(ids)} comment{'s' if len(ids) != 1 else ''}"
    if len(ids) != 1:
        return f"{what} on {len(ids)} reviews"
    row = conn.execute("SELECT title, body, author FROM reviews WHERE id = ?", (ids[0],)).fetchone()
    if row is None:
        return f"{what} on 1 review"
    label = " ".join((row["title"] or row["body"] or "").split())
    label = label if len(label) <= 30 else label[:29] + "…"
    author = f" ({' '.join(row['author'].split())})" if row["author"] and row["author"].strip() else ""
    return f"{what} {'to' if kind == 'reply' else 'of'} {label!r}{author}"



def tag_names(store: Store) -> list[str]:
    return [row[0] for row in store.conn.execute("SELECT name FROM tags ORDER BY name COLLATE NOCASE")]


SHOWN_CHARS = 1_000_000
"""Texts longer than this are read cut (with their full ``<name>_length``): a 200 MB
review would otherwise take minutes to lay out, and the screen would ignore escape."""


def _cut_select(store: Store, table: str, long: tuple[str, ...]) -> str:
    """``SELECT`` every column of ``table``, the ``long`` ones cut to SHOWN_CHARS."""
    # table_xinfo, not table_info: generated columns (flags, reply_hours...) are columns too
    columns = [r[1] for r in store.conn.execute(f"PRAGMA table_xinfo({table})") if r[6] != 1]
    shown = [f"substr({c}, 1, {SHOWN_CHARS}) AS {c}, length({c}) AS {c}_length" if c in long else c
             for c in columns]
    return f"SELECT {', '.join(shown)} FROM {table}"


def full_text(store: Store, kind: str, row_id: int) -> str:
    """The whole text of a review's body or a survey answer's comment (never cut)."""
    table, column = ("reviews", "body") if kind == "reviews" else ("survey_responses", "comment")
    row = store.conn.execute(f"SELECT {column} FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return (row[0] or "") if row else ""


def review_detail(store: Store, review_id: int) -> ReviewDetail | None:
    """A review with its tags, notes, replies and earlier versions (long texts cut)."""
    row = store.conn.execute(_cut_select(store, "reviews", ("body", "title")) + " WHERE id = ?",
                             (review_id,)).fetchone()
    if row is None:
        return None
    conn = store.conn
    return ReviewDetail.of_review(
        row, scored_by=scored_by(store, row["sentiment_model"], row["sentiment"]),
        undated=undated.is_undated(store, "reviews", review_id),
        tags=tuple(r[0] for r in conn.execute(
            "SELECT t.name FROM review_tags rt JOIN tags t ON t.id = rt.tag_id WHERE rt.review_id = ? ORDER BY t.name",
            (review_id,))),
        notes=tuple(Note.from_row(r) for r in conn.execute(
            "SELECT agent, text, created_at FROM notes WHERE review_id = ? ORDER BY created_at, id", (review_id,))),
        replies=tuple(Reply.from_row(r) for r in conn.execute(
            "SELECT * FROM replies WHERE review_id = ? ORDER BY created_at, id", (review_id,))),
        history=tuple(Version.from_row(r) for r in conn.execute(
            f"SELECT rating, title, substr(body, 1, {SHOWN_CHARS}) AS body, updated_at, replaced_at "
            "FROM review_history WHERE review_id = ? ORDER BY id", (review_id,))),
        activity=activity.of_review(store, review_id),
    )


def survey_detail(store: Store, response_id: int) -> ReviewDetail | None:
    """A survey answer, shaped like a review (its score as ``rating``, its comment as ``body``)."""
    row = store.conn.execute(_cut_select(store, "survey_responses", ("comment",)) + " WHERE id = ?",
                             (response_id,)).fetchone()
    if row is None:
        return None
    return replace(ReviewDetail.of_survey_answer(row), scored_by=scored_by(store, row["sentiment_model"], row["sentiment"]),
                   undated=undated.is_undated(store, "surveys", response_id))


def scored_by(store: Store, model_id: int | None, sentiment: str | None) -> str | None:
    """Which model scored a text, in words: the learned model's figures, or "lexicon"."""
    if sentiment is None:
        return None
    if model_id is None:
        return "lexicon"
    model = sentiment_models.by_id(store, [model_id]).get(model_id)
    return model.describe() if model else f"a learned model since replaced (model {model_id})"


def set_survey_status(store: Store, ids: Sequence[int], status: str, agent: str) -> int:
    """Archive (or mark as spam...) survey comments; logged and undoable like reviews.

    The action's ``review_ids`` then holds survey answer ids: its kind,
    ``survey-status``, says which table they belong to.
    """
    if status not in REVIEW_STATUSES:
        raise UsageProblem(f"unknown status {status!r}")
    if not ids:
        return 0
    with store.write() as conn:
        previous = [dict(row) for row in conn.execute(
            f"SELECT id, status FROM survey_responses WHERE id IN ({_ids_sql(ids)})")]
        conn.execute(f"UPDATE survey_responses SET status = ? WHERE id IN ({_ids_sql(ids)})", (status,))
        return _log(conn, agent, "survey-status", status, ids, previous)


def save_view(store: Store, name: str, filters: dict[str, Any], agent: str) -> None:
    clean = " ".join(name.split())
    if not clean:
        raise UsageProblem("a saved view needs a name")
    with store.write() as conn:
        conn.execute(
            """INSERT INTO saved_views (name, filters, agent, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (name) DO UPDATE SET filters = excluded.filters, agent = excluded.agent""",
            (clean, json.dumps(filters), agent, utc_now()),
        )


def saved_views(store: Store) -> list[tuple[str, dict[str, Any]]]:
    return [(row[0], json.loads(row[1])) for row in store.conn.execute("SELECT name, filters FROM saved_views ORDER BY name")]
