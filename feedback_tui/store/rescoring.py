"""Sentiment stored for every review and survey comment that lacks it.

The store's side of :mod:`feedback_tui.sentiment`: that module turns texts into
scores and knows nothing of the database; this one reads the pending rows in
batches, has them scored by a :class:`~feedback_tui.sentiment_pool.Pool` and writes
the results, then refreshes the daily rollups that count sentiment.

Where the workspace has a learned model for a text's language (issue 17,
``feedback-tui train-sentiment``), that model's label replaces the lexicon's,
the text records the model's id, and a review whose text confidently
contradicts its stars is flagged ``mismatch``. Models load lazily: only when a
batch holds a text of their language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from feedback_tui.sentiment import SUPPORTED_LANGUAGES, Scored, Sentiment, joined
from feedback_tui.sentiment_pool import Pool
from feedback_tui.sentiment_model import LearnedModel, contradicts
from feedback_tui.store import Store, queries, rollups, sentiment_models, short_texts

ProgressCallback = Callable[[int, int], None]
BACKFILL_BATCH = 10000  # rows read, scored and written per round trip
BACKFILL_CACHE_KIB = 262144  # as the import's: the indexes' pages stay in memory while they change


def backfill(
    store: Store,
    *,
    everything: bool = False,
    processes: int | None = None,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    languages: Sequence[str] = SUPPORTED_LANGUAGES,
    learned: bool = True,
) -> int:
    """Compute and store sentiment for every review and comment lacking it.

    With ``everything``, recompute all of them (after a model change); with
    ``learned=False`` only the lexicon scores (``[sentiment] model = "lexicon"``). Returns
    the number of texts scored. ``progress(done, total)`` follows the work.
    Reading and writing the database overlaps with scoring: while the workers
    score one batch, this thread stores the previous one and reads the next.
    """
    if everything:
        queries.reset_sentiment(store)
    short_texts.assign_languages(store, languages)  # "Bad" takes its file's language, never a guess
    total = queries.count_pending_sentiment(store)
    done = 0
    learner = _Learned(store) if learned else None
    with Pool(processes, languages) as pool, _index_pages_cached(store):
        for table in ("reviews", "survey_responses"):
            last_id = 0
            in_flight: Callable[[], list[Scored]] | None = None
            texts_in_flight: dict[int, str] = {}
            while True:
                items = queries.pending_sentiment(store, table, BACKFILL_BATCH, after_id=last_id)
                next_batch = pool.start(items) if items else None
                if items:
                    last_id = items[-1][0]
                if in_flight is not None:
                    scored = in_flight()
                    marks: list[tuple[int, int | None, int]] = []
                    if learner is not None:
                        scored, marks = learner.rescore(table, scored, texts_in_flight)
                    elif everything:  # back to the lexicon: no text may still name a model, nor its mismatch
                        marks = [(row_id, None, 0) for row_id, _ in scored]
                    queries.save_sentiment(store, table, scored)
                    if marks:
                        sentiment_models.mark_scored(store, table, marks)
                    done += len(scored)
                    if progress:
                        progress(done, total)
                    if should_stop and should_stop():
                        return done
                if next_batch is None:
                    break
                in_flight = next_batch
                texts_in_flight = {row_id: joined(text, title) for row_id, text, _, title in items}  # the model reads "title. body"
    rollups.refresh(store)  # new sentiment changes the daily counts: recompute them now, not at the next score
    return done


@contextmanager
def _index_pages_cached(store: Store) -> Iterator[None]:
    """A page cache the size of the import's for the backfill's writes: every row's update
    touches the polarity and negative-first indexes at random places (issue 19)."""
    previous = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    store.conn.execute(f"PRAGMA cache_size = -{BACKFILL_CACHE_KIB}")
    try:
        yield
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(previous)}")


class _Learned:
    """The workspace's learned models, each read from the database on first use."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rows = sentiment_models.current(store)
        self._models: dict[str, LearnedModel] = {}

    def model(self, language: str | None) -> LearnedModel | None:
        if language not in self.rows:
            return None
        if language not in self._models:
            self._models[language] = sentiment_models.load(self.store, self.rows[language].id)
        return self._models[language]

    def rescore(self, table: str, scored: list[Scored], texts: dict[int, str],
                ) -> tuple[list[Scored], list[tuple[int, int | None, int]]]:
        """The learned model's label for texts in a language that has one; marks for every text."""
        if not self.rows:
            return scored, []
        by_language: dict[str, list[int]] = {}
        for index, (_, result) in enumerate(scored):
            if result.language in self.rows:
                by_language.setdefault(result.language, []).append(index)
        out = list(scored)
        model_of: dict[int, int] = {}
        probability: dict[int, float] = {}
        for language, indexes in by_language.items():
            model = self.model(language)
            assert model is not None
            ids = [scored[i][0] for i in indexes]
            for i, row_id, p in zip(indexes, ids, model.probabilities([texts.get(r, "") for r in ids]), strict=True):
                old = scored[i][1]
                out[i] = (row_id, Sentiment(round(2 * p - 1, 4), old.subjectivity,
                                            "positive" if p >= 0.5 else "negative", old.language))
                model_of[row_id] = self.rows[language].id
                probability[row_id] = p
        ratings = sentiment_models.ratings(self.store, list(probability)) if table == "reviews" and probability else {}
        marks = [(row_id, model_of.get(row_id),
                  int(row_id in probability and contradicts(probability[row_id], ratings.get(row_id))))
                 for row_id, _ in scored]
        return out, marks
