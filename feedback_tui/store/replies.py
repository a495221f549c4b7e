"""Replies, drafts and templates: the composer's named queries.

Sending a reply is one transaction: the reply row, the review's status and
first-reply time, and the draft's removal, so a crash can never leave a sent
reply that still looks unanswered. Drafts are upserted as the agent types, so
a killed app loses at most the last second of typing.
"""

from __future__ import annotations

from typing import Any

from feedback_tui.errors import UsageProblem
from feedback_tui.reply_rules import DEFAULT_TEMPLATES, Template
from feedback_tui.store import Store, utc_now
from feedback_tui.store.triage import log_action, snapshot, sync_reply_summary

TONES = ("positive", "neutral", "negative")


# -- templates -------------------------------------------------------------------
def templates(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM templates ORDER BY language, tone DESC, name")
    return [dict(row) for row in rows]


def as_template(row: dict[str, Any]) -> Template:
    return Template(row["name"], row["language"], row["tone"], row["body"])


def save_template(store: Store, name: str, language: str, tone: str, body: str,
                  template_id: int | None = None) -> int:
    clean_name = " ".join(name.split())
    if not clean_name:
        raise UsageProblem("a template needs a name")
    if not body.strip():
        raise UsageProblem("a template needs a text")
    if tone not in TONES:
        raise UsageProblem(f"tone must be one of {', '.join(TONES)}")
    with store.write() as conn:
        clash = conn.execute("SELECT id FROM templates WHERE name = ? AND id IS NOT ?", (clean_name, template_id)).fetchone()
        if clash:
            raise UsageProblem(f"a template named {clean_name!r} already exists")
        if template_id is None:
            cursor = conn.execute(
                "INSERT INTO templates (name, language, tone, body, updated_at) VALUES (?, ?, ?, ?, ?)",
                (clean_name, language.strip().lower() or "en", tone, body, utc_now()),
            )
            return int(cursor.lastrowid or 0)
        conn.execute(
            "UPDATE templates SET name = ?, language = ?, tone = ?, body = ?, updated_at = ? WHERE id = ?",
            (clean_name, language.strip().lower() or "en", tone, body, utc_now(), template_id),
        )
        return template_id


def delete_template(store: Store, template_id: int) -> None:
    """Delete a template of the team's; a built-in one is refused (reset it instead)."""
    with store.write() as conn:
        row = conn.execute("SELECT name, builtin FROM templates WHERE id = ?", (template_id,)).fetchone()
        if row is None:
            return
        if row["builtin"]:
            raise UsageProblem(f"{row['name']!r} is a built-in template: it cannot be deleted "
                               "(R resets it to the shipped text)")
        conn.execute("DELETE FROM templates WHERE id = ?", (template_id,))


def restore_template(store: Store, row: dict[str, Any]) -> int:
    """Put a deleted template back as it was (its name, text and, when free, its id)."""
    with store.write() as conn:
        taken = conn.execute("SELECT 1 FROM templates WHERE id = ? OR name = ?", (row["id"], row["name"])).fetchone()
        if taken:
            raise UsageProblem(f"a template named {row['name']!r} exists again: nothing restored")
        conn.execute("INSERT INTO templates (id, name, language, tone, body, builtin, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (row["id"], row["name"], row["language"], row["tone"], row["body"], row.get("builtin", 0),
                      utc_now()))
        return int(row["id"])


def reset_template(store: Store, template_id: int) -> str:
    """Give a built-in template back its shipped language, tone and text; its name is the key."""
    with store.write() as conn:
        row = conn.execute("SELECT name, builtin FROM templates WHERE id = ?", (template_id,)).fetchone()
        if row is None or not row["builtin"]:
            raise UsageProblem("only a built-in template can be reset")
        shipped = next((t for t in DEFAULT_TEMPLATES if t.name == row["name"]), None)
        if shipped is None:
            raise UsageProblem(f"{row['name']!r} was renamed: no shipped text of that name to reset it to")
        conn.execute("UPDATE templates SET language = ?, tone = ?, body = ?, updated_at = ? WHERE id = ?",
                     (shipped.language, shipped.tone, shipped.body, utc_now(), template_id))
        return shipped.name


# -- drafts ----------------------------------------------------------------------------
def save_draft(store: Store, review_id: int, agent: str, text: str, template: str | None = None) -> None:
    """Keep what the agent typed; an emptied draft is removed."""
    with store.write() as conn:
        if not text.strip():
            conn.execute("DELETE FROM drafts WHERE review_id = ? AND agent = ?", (review_id, agent))
            return
        conn.execute(
            """INSERT INTO drafts (review_id, agent, text, template, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (review_id, agent) DO UPDATE SET text = excluded.text,
                   template = coalesce(excluded.template, drafts.template), updated_at = excluded.updated_at""",
            (review_id, agent, text, template, utc_now()),
        )


def draft(store: Store, review_id: int, agent: str) -> dict[str, Any] | None:
    row = store.conn.execute("SELECT * FROM drafts WHERE review_id = ? AND agent = ?", (review_id, agent)).fetchone()
    return dict(row) if row else None


def others_activity(store: Store, review_id: int, agent: str, since: str) -> dict[str, list[dict[str, Any]]]:
    """Replies and drafts by other agents since ``since``: the two-agents warning."""
    replies = store.conn.execute(
        """SELECT agent, text, created_at FROM replies WHERE review_id = ? AND origin = 'agent'
           AND agent != ? AND withdrawn_at IS NULL AND coalesce(updated_at, created_at) >= ? ORDER BY created_at""",
        (review_id, agent, since),
    )
    drafts = store.conn.execute(
        """SELECT agent, text, updated_at FROM drafts WHERE review_id = ? AND agent != ? AND updated_at >= ?
           ORDER BY updated_at""",
        (review_id, agent, since),
    )
    return {"replies": [dict(r) for r in replies], "drafts": [dict(r) for r in drafts]}


# -- replies -----------------------------------------------------------------------------
def _sync_review(conn: Any, review_id: int) -> None:
    sync_reply_summary(conn, review_id)


def add_reply(store: Store, review_id: int, text: str, agent: str, *, template: str | None = None,
              channel: str | None = None, deliver: bool = False) -> int:
    """Store a reply, mark the review replied and drop the agent's draft.

    Logged as the agent's latest action, so that ``u`` right after sending
    undoes this reply (withdrawn, its text kept) rather than an older action
    on reviews out of sight.
    """
    now = utc_now()
    with store.write() as conn:
        before = snapshot(conn, [review_id])
        cursor = conn.execute(
            """INSERT INTO replies (review_id, text, agent, created_at, channel, origin, delivery_status, template)
               VALUES (?, ?, ?, ?, ?, 'agent', ?, ?)""",
            (review_id, text, agent, now, channel, "pending" if deliver else "local", template),
        )
        conn.execute("UPDATE reviews SET status = 'replied', is_read = 1 WHERE id = ? AND status != 'spam'",
                     (review_id,))
        _sync_review(conn, review_id)
        conn.execute("DELETE FROM drafts WHERE review_id = ? AND agent = ?", (review_id, agent))
        reply_id = int(cursor.lastrowid or 0)
        log_action(conn, agent, "reply", None, [review_id], {"reply_id": reply_id, "reviews": before})
        return reply_id


def edit_reply(store: Store, reply_id: int, text: str, agent: str) -> None:
    if not text.strip():
        raise UsageProblem("an empty reply was not saved: withdraw it instead")
    with store.write() as conn:
        row = conn.execute("SELECT text, agent FROM replies WHERE id = ?", (reply_id,)).fetchone()
        if row is None:
            raise UsageProblem("that reply no longer exists")
        conn.execute("INSERT INTO reply_versions (reply_id, text, agent, replaced_at) VALUES (?, ?, ?, ?)",
                     (reply_id, row["text"], row["agent"], utc_now()))
        conn.execute("UPDATE replies SET text = ?, updated_at = ?, agent = ? WHERE id = ?",
                     (text, utc_now(), agent, reply_id))


def withdraw_reply(store: Store, reply_id: int, agent: str) -> None:
    with store.write() as conn:
        row = conn.execute("SELECT review_id, text FROM replies WHERE id = ?", (reply_id,)).fetchone()
        if row is None:
            raise UsageProblem("that reply no longer exists")
        conn.execute("INSERT INTO reply_versions (reply_id, text, agent, replaced_at) VALUES (?, ?, ?, ?)",
                     (reply_id, row["text"], agent, utc_now()))
        conn.execute("UPDATE replies SET withdrawn_at = ? WHERE id = ?", (utc_now(), reply_id))
        _sync_review(conn, row["review_id"])
        conn.execute("UPDATE reviews SET status = 'open' WHERE id = ? AND has_reply = 0 AND status = 'replied'",
                     (row["review_id"],))


def replies_of(store: Store, review_id: int) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM replies WHERE review_id = ? ORDER BY created_at, id", (review_id,))
    return [dict(row) for row in rows]


def set_delivery(store: Store, reply_id: int, status: str, error: str | None = None) -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE replies SET delivery_status = ?, delivery_error = ?, attempts = attempts + 1 WHERE id = ?",
            (status, error, reply_id),
        )


def reply(store: Store, reply_id: int) -> dict[str, Any] | None:
    row = store.conn.execute(
        """SELECT p.*, r.source, r.external_id, r.url FROM replies p JOIN reviews r ON r.id = p.review_id
           WHERE p.id = ?""", (reply_id,)).fetchone()
    return dict(row) if row else None
