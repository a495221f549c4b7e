"""Sentiment of reviews and survey comments, in English and French.

English goes to TextBlob's pattern analyzer; French goes to textblob-fr's,
the only one of the two that knows French words (it works with TextBlob 0.20
and ships its lexicon, so nothing is downloaded at run time). A text without a
language is routed by py3langid restricted to the languages we analyse; a
language we have no analyzer for gets no polarity and the label ``unknown``.

Scores are computed in batches over all cores (a process pool: TextBlob is
pure Python and holds the GIL) and stored; ``feedback-tui rescore`` recomputes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feedback_tui.store import Store

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr")
# Labels from polarity. TextBlob gives 0.0 to texts it has no opinion words
# for, so a small band around zero is "neutral". Issue #7 tunes these on an
# evaluation set; the README records the figures.
POSITIVE_FROM = 0.1
NEGATIVE_BELOW = -0.05
# Below this many texts a process pool costs more than it saves.
POOL_THRESHOLD = 4000
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Sentiment:
    polarity: float | None
    subjectivity: float | None
    label: str  # positive | neutral | negative | unknown
    language: str | None


def label_for(polarity: float | None) -> str:
    if polarity is None:
        return "unknown"
    if polarity >= POSITIVE_FROM:
        return "positive"
    if polarity < NEGATIVE_BELOW:
        return "negative"
    return "neutral"


@lru_cache(maxsize=1)
def _english():
    from textblob.en.sentiments import PatternAnalyzer

    return PatternAnalyzer()


@lru_cache(maxsize=1)
def _french():
    from textblob_fr import PatternAnalyzer

    return PatternAnalyzer()


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def detect_language(text: str, languages: Sequence[str] = SUPPORTED_LANGUAGES) -> str | None:
    """The most likely of ``languages`` for ``text``; None when it has no letters."""
    if not any(ch.isalpha() for ch in text):
        return None
    language, _confidence = _identifier(tuple(languages)).classify(text)
    return str(language)


def analyze(text: str, language: str | None = None) -> Sentiment:
    """Polarity (-1..1), subjectivity (0..1) and label of one text."""
    if not text or not text.strip():
        return Sentiment(None, None, "unknown", language)
    lang = language or detect_language(text) or "en"
    if lang == "en":
        polarity, subjectivity = _english().analyze(text)
    elif lang == "fr":
        polarity, subjectivity = _french().analyze(text)
    else:
        return Sentiment(None, None, "unknown", lang)
    polarity, subjectivity = float(polarity), float(subjectivity)
    return Sentiment(polarity, subjectivity, label_for(polarity), lang)


Item = tuple[int, str, str | None]  # (row id, text, language or None)
Scored = tuple[int, Sentiment]


def _analyze_chunk(items: list[Item]) -> list[Scored]:
    return [(row_id, analyze(text, language)) for row_id, text, language in items]


def worker_count() -> int:
    return max(1, os.cpu_count() or 1)


class Pool:
    """A process pool kept for one backfill (starting workers costs ~1 s)."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or worker_count()
        self._executor: ProcessPoolExecutor | None = None

    def analyze_many(self, items: list[Item]) -> list[Scored]:
        if self.processes <= 1 or len(items) < POOL_THRESHOLD:
            return _analyze_chunk(items)
        if self._executor is None:
            # spawn, not fork: the app has threads, and fork would copy their locks.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self.processes, mp_context=context)
        chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
        results: list[Scored] = []
        for part in self._executor.map(_analyze_chunk, chunks):
            results.extend(part)
        return results

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


ProgressCallback = Callable[[int, int], None]
BACKFILL_BATCH = 20000


def backfill(
    store: Store,
    *,
    everything: bool = False,
    processes: int | None = None,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Compute and store sentiment for every review and comment lacking it.

    With ``everything``, recompute all of them (after a model change). Returns
    the number of texts scored. ``progress(done, total)`` follows the work.
    """
    from feedback_tui.store import queries

    if everything:
        queries.reset_sentiment(store)
    total = queries.count_pending_sentiment(store)
    done = 0
    with Pool(processes) as pool:
        for table in ("reviews", "survey_responses"):
            while True:
                items = queries.pending_sentiment(store, table, BACKFILL_BATCH)
                if not items:
                    break
                queries.save_sentiment(store, table, pool.analyze_many(items))
                done += len(items)
                if progress:
                    progress(done, total)
                if should_stop and should_stop():
                    return done
    return done
