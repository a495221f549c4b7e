"""Schema step m024: the reply-time histograms read in (day, bucket) order (issue 19).

Never edit a step that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_020_spam_index  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations, run_script


@migrations()
def m024_reply_daily_order(db: Database) -> None:
    """``reply_daily_day_bucket``: ``reply_daily`` in (day, bucket) order, covering.

    A score adds up the histogram of each group: at a million reviews some
    50,000 rows, which SQLite sorted by (group, bucket) for every call, half
    of ``score --json``'s time. In this index's order the rows of a day and
    bucket come together, so they are added up as they are read (a few
    thousand sums), and only those are sorted into periods
    (:func:`feedback_tui.store.reply_times._histograms`). It replaces
    ``reply_daily_day`` (on ``day`` alone), which served only the refresh's
    ``DELETE ... WHERE day = ?``, as this one does too.
    """
    run_script(db, """
        CREATE INDEX IF NOT EXISTS reply_daily_day_bucket
            ON reply_daily(day, bucket, n, source, product, language);
        DROP INDEX IF EXISTS reply_daily_day""")
