"""A language for short texts that would otherwise be guessed from one word.

Language identification needs words: on "Bad", "Fast" or "Excellent!!!" it
answers French as readily as English, and the review is then scored with the
French lexicon. So before the sentiment backfill, a text with no language and
fewer than :data:`SHORT_LETTERS` letters takes the majority language of its
file (its import run), else of its source, else the config's first language;
it is never detected on its own. The majority counts the rows whose language
is known plus a sample of the file's or source's longer texts, detected.

Kept apart from :mod:`feedback_tui.sentiment` (which scores texts and reads no
database) and called once by :func:`feedback_tui.store.rescoring.backfill`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import islice

from feedback_tui.sentiment import SUPPORTED_LANGUAGES, detect_language
from feedback_tui.store import Store

SHORT_LETTERS = 20
SAMPLE = 300  # longer texts detected per file or source to find its majority
_TEXT = {
    "reviews": "coalesce(title || '. ', '') || coalesce(body, '')",
    "survey_responses": "coalesce(comment, '')",
}


def letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def is_short(text: str) -> bool:
    """Too few letters for a language guess (``Excellent!!!`` has 9): ``letters(text) <
    SHORT_LETTERS``, answered at the 20th letter instead of counting them all."""
    return next(islice((char for char in text if char.isalpha()), SHORT_LETTERS - 1, None), None) is None


def file_language(texts: Sequence[str], languages: Sequence[str] = SUPPORTED_LANGUAGES) -> str | None:
    """The majority language of a file's longer texts (up to SAMPLE of them, detected):
    what a short text with no language of its own is given (``eval-sentiment`` uses it,
    so that it scores a file as the import and the backfill would)."""
    counts = _detected(texts, tuple(languages) or SUPPORTED_LANGUAGES)
    return counts.most_common(1)[0][0] if counts else None


def _detected(texts: Iterable[str], languages: tuple[str, ...]) -> Counter[str]:
    """Languages of up to SAMPLE of ``texts`` long enough to tell (short ones are skipped)."""
    counts: Counter[str] = Counter()
    for text in texts:
        if sum(counts.values()) >= SAMPLE:
            break
        if not is_short(text) and (language := detect_language(text, languages)):
            counts[language] += 1
    return counts


def assign_languages(store: Store, languages: Sequence[str] = SUPPORTED_LANGUAGES) -> int:
    """Give every pending short text with no language its file's, source's or the config's
    first language; returns how many rows were given one."""
    languages = tuple(languages) or SUPPORTED_LANGUAGES
    given = 0
    for table, text_sql in _TEXT.items():
        # Fewer than 20 letters fit in a few hundred characters; the Python count decides.
        rows = store.conn.execute(
            f"SELECT id, {text_sql}, import_run_id, source FROM {table} "
            f"WHERE sentiment IS NULL AND language IS NULL AND length({text_sql}) < 400").fetchall()
        short = [(row[0], row[2], row[3]) for row in rows if row[1].strip() and is_short(row[1])]
        if not short:
            continue
        majority: dict[tuple[str, object], str | None] = {}

        def language_of(column: str, value: object) -> str | None:
            key = (column, value)
            if key not in majority:
                majority[key] = _majority(store, table, text_sql, column, value, languages)
            return majority[key]

        updates = []
        for row_id, run, source in short:
            language = (language_of("import_run_id", run) if run is not None else None) \
                or (language_of("source", source) if source is not None else None) or languages[0]
            updates.append((language, row_id))
        with store.write() as conn:
            conn.executemany(f"UPDATE {table} SET language = ? WHERE id = ? AND language IS NULL", updates)
        given += len(updates)
    return given


def _majority(store: Store, table: str, text_sql: str, column: str, value: object,
              languages: tuple[str, ...]) -> str | None:
    """The most frequent language among rows sharing ``column = value``: known ones, plus
    a sample of longer texts with no language, detected."""
    counts: Counter[str] = Counter()
    for language, number in store.conn.execute(
            f"SELECT language, count(*) FROM {table} WHERE {column} = ? AND language IS NOT NULL GROUP BY 1",
            (value,)):
        counts[language] += number
    sample = store.conn.execute(
        f"SELECT {text_sql} FROM {table} WHERE {column} = ? AND language IS NULL "
        f"AND length({text_sql}) >= 40 LIMIT ?", (value, SAMPLE * 3)).fetchall()
    counts.update(_detected((text for (text,) in sample), languages))
    return counts.most_common(1)[0][0] if counts else None
