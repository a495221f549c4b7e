"""Adapters from the store's named queries to what widgets need.

Each call opens its own connection: these run in worker threads, and a
sqlite3 connection cannot cross threads.
"""

from __future__ import annotations

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

    def _open(self) -> Store:
        return Store.open(self.db_path, migrate=False)

    def count(self) -> int:
        with self._open() as store:
            return inbox.count(store, self.query)

    def page(self, **kwargs: Any) -> list[dict[str, Any]]:
        with self._open() as store:
            return inbox.page(store, self.query, **kwargs)

    def position_of(self, row: dict[str, Any]) -> int:
        with self._open() as store:
            key = inbox.sort_key_of(store, self.query, row["id"]) or row["sort_key"]
            return inbox.position_of(store, self.query, key)
