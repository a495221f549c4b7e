"""The process pool that scores a backfill's texts on every core.

TextBlob is pure Python and holds the GIL, so scoring a million texts in threads
would use one core: the pool's workers are processes, forked from a server that
has already loaded the lexicons (:mod:`sentiment_warm`). Small batches stay in
the calling process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

from feedback_tui.sentiment import SUPPORTED_LANGUAGES, Item, Scored, Sentiment, _analyze_chunk

POOL_THRESHOLD = 4000
CHUNK = 1000


_Plain = tuple[int, float | None, float | None, str, str | None]


def _analyze_chunk_plain(items: list[Item], languages: tuple[str, ...] = SUPPORTED_LANGUAGES) -> list[_Plain]:
    """A worker's results as plain tuples: a pickled frozen dataclass costs 20 us a row
    between the two processes (most of it in the parent, which stores while the
    workers score), a tuple 1.5 us (issue 19)."""
    return [(row_id, s.polarity, s.subjectivity, s.label, s.language)
            for row_id, s in _analyze_chunk(items, languages)]


def worker_count() -> int:
    return max(1, os.cpu_count() or 1)


class Pool:
    """A process pool kept for one backfill.

    Workers come from a fork server preloaded with this module and its data
    (:mod:`sentiment_warm`), so each starts in milliseconds, lexicons loaded,
    without copying the app's threads (a plain fork could copy a lock held by
    another thread). :meth:`start` returns at once, so the
    caller writes the previous batch while the workers score the next one.
    """

    def __init__(self, processes: int | None = None, languages: Sequence[str] = SUPPORTED_LANGUAGES) -> None:
        self.processes = processes or worker_count()
        self.languages = tuple(languages) or SUPPORTED_LANGUAGES
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["feedback_tui.sentiment", "feedback_tui.sentiment_pool", "feedback_tui.sentiment_warm"])
            self._executor = ProcessPoolExecutor(self.processes, mp_context=context)
        return self._executor

    def start(self, items: list[Item]) -> Callable[[], list[Scored]]:
        """Begin scoring ``items``; the returned function waits for the results."""
        if self.processes <= 1 or len(items) < POOL_THRESHOLD:
            return lambda: _analyze_chunk(items, self.languages)
        executor = self._pool()
        futures = [executor.submit(_analyze_chunk_plain, items[i : i + CHUNK], self.languages)
                   for i in range(0, len(items), CHUNK)]
        return lambda: [(row_id, Sentiment(polarity, subjectivity, label, language))
                        for future in futures
                        for row_id, polarity, subjectivity, label, language in future.result()]

    def analyze_many(self, items: list[Item]) -> list[Scored]:
        return self.start(items)()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

