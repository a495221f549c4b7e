"""Sentiment stored for every review and survey comment that lacks it.

The store's side of :mod:`feedback_tui.sentiment`: that module turns texts into
scores and knows nothing of the database; this one reads the pending rows in
batches, has them scored by a :class:`~feedback_tui.sentiment.Pool` and writes
the results, then refreshes the daily rollups that count sentiment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from feedback_tui.sentiment import SUPPORTED_LANGUAGES, Pool, Scored
from feedback_tui.store import Store, queries, rollups

ProgressCallback = Callable[[int, int], None]
BACKFILL_BATCH = 10000  # rows read, scored and written per round trip


def backfill(
    store: Store,
    *,
    everything: bool = False,
    processes: int | None = None,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    languages: Sequence[str] = SUPPORTED_LANGUAGES,
) -> int:
    """Compute and store sentiment for every review and comment lacking it.

    With ``everything``, recompute all of them (after a model change). Returns
    the number of texts scored. ``progress(done, total)`` follows the work.
    Reading and writing the database overlaps with scoring: while the workers
    score one batch, this thread stores the previous one and reads the next.
    """
    if everything:
        queries.reset_sentiment(store)
    total = queries.count_pending_sentiment(store)
    done = 0
    with Pool(processes, languages) as pool:
        for table in ("reviews", "survey_responses"):
            last_id = 0
            in_flight: Callable[[], list[Scored]] | None = None
            while True:
                items = queries.pending_sentiment(store, table, BACKFILL_BATCH, after_id=last_id)
                next_batch = pool.start(items) if items else None
                if items:
                    last_id = items[-1][0]
                if in_flight is not None:
                    scored = in_flight()
                    queries.save_sentiment(store, table, scored)
                    done += len(scored)
                    if progress:
                        progress(done, total)
                    if should_stop and should_stop():
                        return done
                if next_batch is None:
                    break
                in_flight = next_batch
    rollups.refresh(store)  # new sentiment changes the daily counts: recompute them now, not at the next score
    return done
