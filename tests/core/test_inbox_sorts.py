"""The sort menu's "Needs reply order" works in any view (issue 16, item 10)."""

from __future__ import annotations

from pathlib import Path

from feedback_tui.store import Store, inbox
from feedback_tui.store.inbox import SORTS, InboxQuery
from feedback_tui.tui.dialogs.filters import SORT_LABELS


def test_needs_reply_order_in_the_all_view(demo_db: Path) -> None:
    assert "needs_reply" in SORTS and set(SORTS) == set(SORT_LABELS)
    with Store.open(demo_db) as store:
        query = InboxQuery(view="all", sort="needs_reply")
        first = inbox.page(store, query, limit=50)
        second = inbox.page(store, query, after=first[-1].sort_key, limit=50)
        expected = [row[0] for row in store.query(
            "SELECT id FROM reviews ORDER BY is_negative DESC, created_at ASC, id ASC LIMIT 100")]
    assert [r.id for r in first + second] == expected
