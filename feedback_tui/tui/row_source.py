"""The inbox list's rows: the store's named inbox queries, for a widget.

Each call opens its own connection (through the app's
:class:`~feedback_tui.store.StoreOpener`): these run in worker threads, and a
sqlite3 connection cannot cross threads. A source replaced by a newer one
(another filter, another search) is cancelled: its queries still running are
interrupted, so an abandoned count over a million rows does not keep a core
busy while the agent has moved on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from feedback_tui.store import Store, StoreOpener
from feedback_tui.store import inbox, search
from feedback_tui.store.inbox import InboxQuery
from feedback_tui.store.rows import InboxRow


EMPTY_MESSAGES = {
    "reviews": "No reviews yet: feedback-tui import FILE adds them, feedback-tui demo loads samples "
               "(tab: survey answers).",
    "surveys": "No survey comments yet: feedback-tui import FILE --kind surveys adds them (tab: reviews).",
}


class InboxSource:
    """A :class:`~feedback_tui.tui.widgets.review_list.RowSource` over one inbox query."""

    def __init__(self, opener: StoreOpener, query: InboxQuery) -> None:
        self.opener = opener
        self.query = query
        self._lock = threading.Lock()
        self._running: set[Store] = set()
        self.cancelled = False
        self.terms = search.plan(query.search).terms if query.search else ()
        """The search's words and symbols, for the list to highlight."""
        self.literal_bound = False
        """Set by :meth:`count`: the search's symbols were looked for in its words' newest
        ``LITERAL_SCAN_ROWS`` reviews only (``inbox.literal_bound``), for the status line."""
        self.empty_message: str | None = None
        """Set by :meth:`count` when the workspace holds no row of this kind: how to fill it,
        shown instead of "no row matches this view and these filters"."""

    @contextmanager
    def _open(self) -> Iterator[Store]:
        store = self.opener.open()
        with self._lock:
            self._running.add(store)
        try:
            yield store
        finally:
            with self._lock:
                self._running.discard(store)
            store.close()

    def cancel(self) -> None:
        """Interrupt this source's queries (SQLite's interrupt is safe from any thread)."""
        with self._lock:
            self.cancelled = True
            for store in self._running:
                store.conn.interrupt()

    def count(self) -> int:
        with self._open() as store:
            self.literal_bound = inbox.literal_bound(store, self.query)  # before the count is posted
            total = inbox.count(store, self.query)
            # nothing listed: is the workspace empty of this kind, or only this view? (before the post)
            if total == 0 and not inbox.holds_any(store, self.query.kind):
                self.empty_message = EMPTY_MESSAGES[self.query.kind]
            return total

    def page(self, **kwargs: Any) -> list[InboxRow]:
        with self._open() as store:
            return inbox.page(store, self.query, **kwargs)

    def still_listed(self, ids: frozenset[int]) -> set[int]:
        with self._open() as store:
            return inbox.still_listed(store, self.query, ids)

    def position_of(self, row: InboxRow) -> int:
        with self._open() as store:
            key = inbox.sort_key_of(store, self.query, row.id) or row.sort_key
            return inbox.position_of(store, self.query, key)
