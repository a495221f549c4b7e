"""Schema step m017: indexes that serve the inbox's sort orders (issue 19).

Without them, "Lowest rating" and "Most negative/positive" sorted every listed
review to show the first hundred (0.5-0.6 s at a million reviews, growing
with N). With an index in the sort's own order, the first page reads a
hundred index entries, at any N. Never edit a step that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_007_012  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations, run_script


@migrations()
def m017_interaction_indexes(db: Database) -> None:
    """Three indexes in the exact order of four sorts (``store.inbox._REVIEW_ORDERS``).

    - ``reviews_rating_low``: lowest rating first, newest first among equals.
      The older ``reviews_rating_created`` (rating and date both ascending),
      read backwards, already serves "Highest rating, newest first"; it cannot
      serve a rating ascending with dates descending.
    - ``reviews_polarity``: most negative first, newest first among equals;
      read backwards it is "Most positive", oldest first among equals, which is
      how that sort is defined, so one index (one more write per scored review,
      not two) serves both.

    - ``reviews_negative_oldest``: "Needs reply order" (negative first, oldest
      first) in the other views; the Needs reply view itself keeps its partial
      ``reviews_needs_reply``, which only holds the waiting reviews. It is on
      ``-is_negative``, not ``is_negative``, so that the Negative view's
      ``is_negative = 1`` never picks it and then sorts every negative review.

    ``id`` is in each index explicitly, so the keyset order (date, then id)
    is the index's order to the last column and no sort step is left.
    """
    run_script(
        db,
        """
        CREATE INDEX IF NOT EXISTS reviews_rating_low ON reviews(coalesce(rating, 0), created_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS reviews_polarity ON reviews(coalesce(polarity, 0), created_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS reviews_negative_oldest ON reviews(-is_negative, created_at, id)
        """,
    )
