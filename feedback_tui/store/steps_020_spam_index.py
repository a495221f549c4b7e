"""Schema step m020: where the spam is, for the inbox's rare filters (issue 19).

Never edit a step that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_019_model_labelled  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations, run_script


@migrations()
def m020_spam_index(db: Database) -> None:
    """``reviews_spam``: the dates of the reviews marked spam, a partial index.

    The inbox finds the days that can hold a filter's reviews in the daily
    rollups (``store.narrowing``), which leave spam out. The All view lists
    spam too, so it needs the spam's days as well: this index gives them
    without reading a review. Only spam is in it, so an import (every row
    ``new``) writes nothing to it, and marking a review spam one entry.
    """
    run_script(db, "CREATE INDEX IF NOT EXISTS reviews_spam ON reviews(created_at) WHERE status = 'spam'")
