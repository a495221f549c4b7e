"""An inbox source replaced by a newer one interrupts its queries still running."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from feedback_tui.store import Store, StoreOpener
from feedback_tui.store.inbox import InboxQuery
from feedback_tui.tui.row_source import InboxSource

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def test_cancel_interrupts_a_running_query(db_path: Path) -> None:
    Store.open(db_path).close()
    source = InboxSource(StoreOpener.for_path(db_path), InboxQuery())
    started, errors = threading.Event(), []

    def run() -> None:
        with source._open() as store:
            started.set()
            try:
                store.conn.execute(ENDLESS).fetchone()
            except sqlite3.OperationalError as error:
                errors.append(str(error))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert started.wait(10)
    # The query may not have begun when cancel() first runs (an interrupt with nothing
    # running is a no-op), so cancel again until the worker ends, for 10 s at most.
    for _ in range(200):
        source.cancel()
        worker.join(0.05)
        if not worker.is_alive():
            break
    assert not worker.is_alive(), "the query was not interrupted"
    assert errors == ["interrupted"]
    assert source.cancelled


def test_a_cancelled_source_still_answers_new_calls(demo_db: Path) -> None:
    source = InboxSource(StoreOpener.for_path(demo_db), InboxQuery(view="all"))
    source.cancel()  # nothing running: nothing to interrupt, and later calls work
    with Store.open(demo_db) as store:
        assert source.count() == store.count_reviews()
    assert len(source.page(limit=5)) == 5
