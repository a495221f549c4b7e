"""A batch of imported rows into its temporary staging table, linked to the stored rows.

Split from :mod:`feedback_tui.store.imports`, whose set-based statements merge
the staged batch into the tables.

Why many rows per ``INSERT``: ``executemany`` steps its statement once per
row and releases Python's lock (the GIL) around each step. While the import's
parser thread runs (``parse_ahead``), taking the lock back after a step waits
for that thread's switch interval (5 ms), so staging a batch waited for most
of the next batch's parsing: at a million rows, ~17 s of wall time for ~6 s of
CPU. A statement of :data:`STAGE_ROWS` rows takes the lock back that many
times less often. The rows, their order and their rowids in the staging table
are the same as with one row per statement.
"""

from __future__ import annotations

import sqlite3
from itertools import chain
from operator import attrgetter
from typing import Any

from feedback_tui.models import ReviewRecord, SurveyRecord

STAGE_ROWS = 2048  # rows per staging INSERT (14 values each: 28,672 bound values, below SQLite's 32,766 default)

# ``known_id`` is the stored row with the same (source, id), looked up once per
# batch: the merge statements then join by rowid from the staged batch. Joined
# by (source, id) instead, SQLite scanned every stored review for each batch,
# which made large imports quadratic.
STAGE_REVIEWS = """
CREATE TEMP TABLE IF NOT EXISTS stage_reviews (
    source TEXT, external_id TEXT, rating INTEGER, title TEXT, body TEXT, author TEXT,
    created_at TEXT, updated_at TEXT, language TEXT, product TEXT, url TEXT, reply TEXT, reply_at TEXT,
    rating_original TEXT, known_id INTEGER, PRIMARY KEY (source, external_id)
)"""
STAGE_SURVEYS = """
CREATE TEMP TABLE IF NOT EXISTS stage_surveys (
    source TEXT, external_id TEXT, kind TEXT, score INTEGER, comment TEXT, created_at TEXT,
    customer TEXT, language TEXT, known_id INTEGER, PRIMARY KEY (source, external_id)
)"""
_FIND_KNOWN = """
UPDATE {stage} SET known_id = (SELECT id FROM {table} r
                               WHERE r.source = {stage}.source AND r.external_id = {stage}.external_id)"""


def rows_per_insert(conn: Any, width: int) -> int:
    """How many rows of ``width`` values one staging INSERT binds (within the connection's limit)."""
    return max(1, min(STAGE_ROWS, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))


def stage(conn: Any, create: str, stage: str, fields: tuple[str, ...],
          batch: list[ReviewRecord | SurveyRecord]) -> int:
    """Put the batch in the (temporary) staging table; how many rows it holds."""
    conn.execute(create)
    conn.execute(f"DELETE FROM {stage}")
    columns = ", ".join(fields)
    one = f"({', '.join('?' * len(fields))})"
    get = attrgetter(*fields)  # one C call per row builds its tuple
    per = rows_per_insert(conn, len(fields))
    whole = len(batch) - len(batch) % per
    if whole:
        conn.executemany(
            f"INSERT OR REPLACE INTO {stage} ({columns}) VALUES {', '.join([one] * per)}",
            (tuple(chain.from_iterable(map(get, batch[start:start + per]))) for start in range(0, whole, per)),
        )
    if whole < len(batch):
        conn.executemany(f"INSERT OR REPLACE INTO {stage} ({columns}) VALUES {one}", map(get, batch[whole:]))
    return int(conn.execute(f"SELECT count(*) FROM {stage}").fetchone()[0])


def find_known(conn: Any, stage: str, table: str) -> int:
    """Link staged rows to the stored rows they update; how many there are."""
    conn.execute(_FIND_KNOWN.format(stage=stage, table=table))
    return int(conn.execute(f"SELECT count(known_id) FROM {stage}").fetchone()[0])
