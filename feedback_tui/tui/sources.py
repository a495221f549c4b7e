"""Adapters from the store's named queries to what widgets need.

Each call opens its own connection: these run in worker threads, and a
sqlite3 connection cannot cross threads. A source replaced by a newer one
(another filter, another search) is cancelled: its queries still running are
interrupted, so an abandoned count over a million rows does not keep a core
busy while the agent has moved on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from feedback_tui.store import Store
from feedback_tui.store import inbox
from feedback_tui.store.inbox import InboxQuery


class InboxSource:
    """A :class:`~feedback_tui.tui.widgets.review_list.RowSource` over one inbox query."""

    def __init__(self, db_path: Path, query: InboxQuery) -> None:
        self.db_path = db_path
        self.query = query
        self._lock = threading.Lock()
        self._running: set[Store] = set()
        self.cancelled = False

    @contextmanager
    def _open(self) -> Iterator[Store]:
        store = Store.open(self.db_path, migrate=False)
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
            return inbox.count(store, self.query)

    def page(self, **kwargs: Any) -> list[dict[str, Any]]:
        with self._open() as store:
            return inbox.page(store, self.query, **kwargs)

    def still_listed(self, ids: frozenset[int]) -> set[int]:
        with self._open() as store:
            return inbox.still_listed(store, self.query, ids)

    def position_of(self, row: dict[str, Any]) -> int:
        with self._open() as store:
            key = inbox.sort_key_of(store, self.query, row["id"]) or row["sort_key"]
            return inbox.position_of(store, self.query, key)
