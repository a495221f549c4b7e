"""Schema step m025: which rows had no date in their file.

Never edit a step that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_024_reply_daily_order  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations, run_script


@migrations()
def m025_undated_rows(db: Database) -> None:
    """``undated_reviews`` and ``undated_surveys``: the rows dated by their import.

    A file with no date column, or an empty date cell, gives a row the import's
    time as its date (``created_at`` is NOT NULL and every figure reads it), so
    it looked brand new. These side tables hold the ids of those rows and
    nothing else: a dated row (nearly every row) costs nothing, not a byte nor a
    write, where a column would be written with every row and read by a scan
    (or a partial index, whose creation reads the whole table). Creating two
    empty tables is instant at any size (no table rewrite). A row's entry goes
    with it (``ON DELETE CASCADE``: a rowid can be reused), and a later import
    that gives its date removes it (``store.undated``).
    """
    run_script(db, """
        CREATE TABLE IF NOT EXISTS undated_reviews (
            review_id INTEGER PRIMARY KEY REFERENCES reviews(id) ON DELETE CASCADE
        );
        CREATE TABLE IF NOT EXISTS undated_surveys (
            response_id INTEGER PRIMARY KEY REFERENCES survey_responses(id) ON DELETE CASCADE
        )""")
