"""Schema step m015 (issue 16): the "answered elsewhere" status and a per-review index of actions.

Never edit a step that has shipped: add a new ``steps_NNN`` module.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_007_012  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import STATUS_CHECK, migrations, run_script

STATUS_CHECK_015 = "status IN ('new','open','replied','outdated','archived','spam','answered_elsewhere')"


@migrations()
def m015_answered_elsewhere_and_activity(db: Database) -> None:
    """``answered_elsewhere`` joins the statuses; ``action_reviews`` indexes the actions by review.

    A review answered by phone or on the platform itself is neither "replied"
    (set by a stored reply only) nor archived: it gets its own status, with a
    note saying where (the store requires one). Only the CHECK changes, never a
    stored value, so the two tables are not rebuilt (a million rows with their
    triggers and FTS): the statement is edited in place, as m010 did for the
    rating, which SQLite documents for loosening a constraint
    (https://www.sqlite.org/lang_altertable.html#otheralter), and the schema
    version is bumped so every open connection rereads it.

    The detail screen's activity log (who did what, when) reads the ``actions``
    of one review; their ids are a JSON list, so ``action_reviews`` keeps one
    row per (review, action), filled by a trigger and backfilled here.
    """
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    edits = []
    for table in ("reviews", "survey_responses"):
        sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]
        if sql.count(STATUS_CHECK) != 1:
            raise RuntimeError(f"{table}: the status CHECK is not the one m001 created")
        edits.append((sql.replace(STATUS_CHECK, STATUS_CHECK_015), table))
    db.execute("PRAGMA writable_schema = ON")
    try:
        for sql, table in edits:
            db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", [sql, table])
        db.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    run_script(db, """
        CREATE TABLE action_reviews (
            review_id INTEGER NOT NULL,
            action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
            PRIMARY KEY (review_id, action_id)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO action_reviews (review_id, action_id)
            SELECT CAST(j.value AS INTEGER), a.id FROM actions a, json_each(a.review_ids) j
            WHERE a.kind != 'survey-status'
    """)
    db.execute("""
        CREATE TRIGGER actions_by_review AFTER INSERT ON actions WHEN new.kind != 'survey-status' BEGIN
            INSERT OR IGNORE INTO action_reviews (review_id, action_id)
                SELECT CAST(value AS INTEGER), new.id FROM json_each(new.review_ids);
        END""")
