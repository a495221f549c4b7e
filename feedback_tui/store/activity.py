"""A review's activity log: who did what to it, and when.

Read from the ``actions`` the triage and reply workflow log (the same rows
undo reads), through ``action_reviews`` (m015), which indexes them by review.
Each entry names the action as undo does ("status archived", "assignment to
marc", "reply"), and says when it was undone.
"""

from __future__ import annotations

from feedback_tui.store import Store
from feedback_tui.store.rows import Activity

_WHAT = {"status": "status → {detail}", "assign": "assigned to {detail}", "read": "marked {detail}",
         "tag": "tagged {detail}", "untag": "untagged {detail}", "note": "note added", "reply": "reply sent",
         "elsewhere": "answered elsewhere: {detail}", "undo": "undo"}
SHOWN = 50  # the newest entries; a bulk-heavy review keeps a readable detail


def of_review(store: Store, review_id: int, limit: int = SHOWN) -> tuple[Activity, ...]:
    """The review's actions, oldest first (the newest ``limit`` of them)."""
    rows = store.conn.execute(
        """SELECT a.agent, a.kind, a.detail, a.created_at, a.undone_at FROM action_reviews ar
           JOIN actions a ON a.id = ar.action_id WHERE ar.review_id = ? ORDER BY a.id DESC LIMIT ?""",
        (review_id, limit)).fetchall()
    entries = []
    for row in reversed(rows):
        detail = row["detail"] or ""
        what = _WHAT.get(row["kind"], row["kind"]).format(detail=detail).strip()
        if row["kind"] == "assign" and not detail:
            what = "unassigned"
        entries.append(Activity(agent=row["agent"], what=what, created_at=row["created_at"],
                                undone_at=row["undone_at"]))
    return tuple(entries)
