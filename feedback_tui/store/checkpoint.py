"""The WAL checkpoint after a bulk load, on a second core (issue 19).

A bulk load commits its whole table to the write-ahead log (about as many
bytes as the database: 1.4 GB at a million reviews). The commit that follows
then copies all of it into the database file (SQLite's automatic checkpoint,
run by the committing connection, on the thread that still has the rollups to
refresh). Here the load's connection leaves the log alone and a second
connection copies it on its own thread while the rollups are computed: SQLite
releases the GIL meanwhile, and a passive checkpoint never blocks the readers
or the writer.

Nothing about durability changes: frames are copied from the log only once
committed, whoever copies them, and a crash midway leaves the log to replay.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def hold(conn: Any) -> int:
    """Stop ``conn``'s automatic checkpoints; its previous setting (pages)."""
    previous = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    return previous


def release(conn: Any, previous: int | None) -> None:
    """Give ``conn`` back its automatic checkpoints (``previous`` from :func:`hold`; None: never held)."""
    if previous is not None:
        try:
            conn.execute(f"PRAGMA wal_autocheckpoint = {previous}")
        except sqlite3.Error:
            pass  # a closed or broken connection: nothing left to checkpoint from it


@contextmanager
def beside(conn: Any, path: Any, previous: int | None) -> Iterator[None]:
    """Checkpoint the log on another thread for the duration of the block, then
    give ``conn`` back its automatic checkpoints; nothing when ``previous`` is None."""
    if previous is None:
        yield
        return

    def run() -> None:
        try:
            other = sqlite3.connect(path, isolation_level=None)
            try:
                other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                other.close()
        except sqlite3.Error:
            pass  # a later commit's automatic checkpoint, or the last close, copies the log instead

    worker = threading.Thread(target=run, name="wal-checkpoint", daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join()
        release(conn, previous)
