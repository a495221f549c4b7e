"""The learned sentiment models in the database, and the labelled texts they learn from.

The store's side of :mod:`feedback_tui.sentiment_model`. Labels come from what
the customers said themselves: a review's stars (1-2 negative, 4-5 positive,
3 left out), an NPS answer (0-6 negative, 9-10 positive, 7-8 left out) and a
CSAT answer (1-2 negative, 4-5 positive) with a comment. A model is saved as
its checksummed JSON blob and read back only through
:meth:`LearnedModel.from_blob`, which refuses a blob that does not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feedback_tui.sentiment_model import LearnedModel
from feedback_tui.store import Store
from feedback_tui.store.grouping import fixed_sample_order

# A model learns from at most this many texts per language and class, chosen by a fixed
# hash of the row (the same texts on every run, spread over the whole history): at 100k
# texts training takes about 15-55 s and 1.5 GB on one core; every labelled text of a
# million-review workspace would be ten times that, and of ten million would not fit.
MAX_PER_CLASS = 50_000

_VERDICT_REVIEW = "CASE WHEN rating <= 2 THEN 'negative' ELSE 'positive' END"
_VERDICT_SURVEY = ("CASE WHEN (kind = 'nps' AND score <= 6) OR (kind = 'csat' AND score <= 2) "
                   "THEN 'negative' ELSE 'positive' END")
_REVIEW_TEXT = "CASE WHEN title IS NOT NULL AND title != '' THEN title || '. ' || body ELSE body END"
_REVIEW_LABELLED = ("language IS NOT NULL AND rating IS NOT NULL AND (rating <= 2 OR rating >= 4) "
                    "AND coalesce(body, '') || coalesce(title, '') != ''")
_SURVEY_LABELLED = ("language IS NOT NULL AND comment IS NOT NULL AND comment != '' "
                    "AND ((kind = 'nps' AND (score <= 6 OR score >= 9)) OR (kind = 'csat' AND (score <= 2 OR score >= 4)))")
_SAMPLE_SQL = f"""
    WITH labelled AS (
        SELECT 0 AS src, id, language, {_VERDICT_REVIEW} AS label FROM reviews WHERE {_REVIEW_LABELLED}
        UNION ALL
        SELECT 1, id, language, {_VERDICT_SURVEY} FROM survey_responses WHERE {_SURVEY_LABELLED}
    ), ranked AS (
        SELECT src, id, language, label,
               row_number() OVER (PARTITION BY language, label
                                  ORDER BY {fixed_sample_order("id * 2 + src")}) AS k
        FROM labelled
    )
    SELECT language,
           CASE WHEN src = 0 THEN (SELECT {{review_text}} FROM reviews WHERE reviews.id = ranked.id)
                ELSE (SELECT comment FROM survey_responses WHERE survey_responses.id = ranked.id) END,
           {{title}} label
    FROM ranked WHERE k <= :per_class ORDER BY src, id
"""
# The same sample with a review's body and title apart, as the lexicon reads them (--report).
_SAMPLE_TITLED_SQL = _SAMPLE_SQL.format(
    review_text="body", title="CASE WHEN src = 0 THEN (SELECT nullif(title, '') FROM reviews WHERE reviews.id = ranked.id) END,")
_SAMPLE_SQL = _SAMPLE_SQL.format(review_text=_REVIEW_TEXT, title="")

_LABELLED_SQL = f"""
    SELECT language, {_REVIEW_TEXT} AS text, {_VERDICT_REVIEW} AS label FROM reviews WHERE {_REVIEW_LABELLED}
    UNION ALL
    SELECT language, comment, {_VERDICT_SURVEY} FROM survey_responses WHERE {_SURVEY_LABELLED}
"""

_COUNT_SQL = f"SELECT language, label, count(*) FROM ({_LABELLED_SQL}) GROUP BY 1, 2"


@dataclass(frozen=True, slots=True)
class ModelRow:
    """What the database says about a stored model, without reading its blob."""

    id: int
    language: str
    trained_at: str
    n_positive: int
    n_negative: int
    balanced_accuracy: float | None
    recall_positive: float | None
    recall_negative: float | None
    folds: int | None
    labelled: int  # the language's labelled texts when it was trained (n_positive + n_negative, or more: sampled)

    def describe(self) -> str:
        """'learned from 12,340 of your texts, 0.88 balanced accuracy'."""
        accuracy = "" if self.balanced_accuracy is None else f", {self.balanced_accuracy:.2f} balanced accuracy"
        return f"learned from {self.n_positive + self.n_negative:,} of your texts{accuracy}"


def labelled_texts(store: Store, per_class: int | None = None) -> dict[str, tuple[list[str], list[str]]]:
    """Language -> (texts, labels) of the stored texts whose author gave a verdict: all of
    them, or at most ``per_class`` per language and class (a fixed sample, see MAX_PER_CLASS;
    the caller knows from :func:`labelled_counts` whether a class holds more)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    rows = store.conn.execute(_LABELLED_SQL) if per_class is None else \
        store.conn.execute(_SAMPLE_SQL, {"per_class": per_class})
    for language, text, label in rows:
        texts, labels = out.setdefault(language, ([], []))
        texts.append(text)
        labels.append(label)
    return out


def labelled_sample_titled(store: Store, per_class: int,
                           ) -> dict[str, tuple[list[str], list[str | None], list[str]]]:
    """Language -> (texts, titles, labels): :func:`labelled_texts`'s sample, a review's title
    apart from its body (None for a survey comment or an untitled review)."""
    out: dict[str, tuple[list[str], list[str | None], list[str]]] = {}
    for language, text, title, label in store.conn.execute(_SAMPLE_TITLED_SQL, {"per_class": per_class}):
        texts, titles, labels = out.setdefault(language, ([], [], []))
        texts.append(text or "")
        titles.append(title)
        labels.append(label)
    return out


def labelled_counts(store: Store) -> dict[str, dict[str, int]]:
    """Language -> labelled texts per class, without reading the texts."""
    out: dict[str, dict[str, int]] = {}
    for language, label, count in store.conn.execute(_COUNT_SQL):
        out.setdefault(language, {"negative": 0, "positive": 0})[label] = count
    return out


def save(store: Store, model: LearnedModel, metrics: dict[str, Any] | None, labelled: int | None = None) -> int:
    """Store a model; ``labelled`` is how many labelled texts its language had (more than
    it learned from when they were sampled)."""
    from feedback_tui.sentiment_model import checksum

    blob = model.to_blob()
    metrics = metrics or {}
    recall = metrics.get("recall", {})
    with store.write() as conn:
        cursor = conn.execute(
            """INSERT INTO sentiment_models (language, trained_at, n_positive, n_negative, balanced_accuracy,
                   recall_positive, recall_negative, folds, model, sha256, labelled)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (model.language, model.trained_at, model.n["positive"], model.n["negative"],
             metrics.get("balanced_accuracy"), recall.get("positive"), recall.get("negative"),
             metrics.get("folds"), blob, checksum(blob),
             labelled if labelled is not None else model.n["positive"] + model.n["negative"]),
        )
        return int(cursor.lastrowid or 0)


_ROW_COLUMNS = ("id, language, trained_at, n_positive, n_negative, balanced_accuracy, recall_positive, "
                "recall_negative, folds, coalesce(labelled, n_positive + n_negative)")


def current(store: Store) -> dict[str, ModelRow]:
    """The newest model of each language."""
    rows = store.conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM sentiment_models WHERE id IN "
        "(SELECT max(id) FROM sentiment_models GROUP BY language) ORDER BY language"
    )
    return {row[1]: ModelRow(*row) for row in rows}


def by_id(store: Store, ids: list[int]) -> dict[int, ModelRow]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = store.conn.execute(f"SELECT {_ROW_COLUMNS} FROM sentiment_models WHERE id IN ({marks})", ids)
    return {row[0]: ModelRow(*row) for row in rows}


def load(store: Store, model_id: int) -> LearnedModel:
    """Read and check a stored model (raises ModelProblem if its blob was altered).

    The model's module is imported here, not with this one: the app's triage reads
    model rows (:func:`by_id`) for every review it opens, and an app that scores with
    the lexicon never needs the learned model's code (~1 MB, issue 19)."""
    from feedback_tui.sentiment_model import LearnedModel
    blob, digest = store.conn.execute("SELECT model, sha256 FROM sentiment_models WHERE id = ?",
                                      (model_id,)).fetchone()
    return LearnedModel.from_blob(bytes(blob), digest)


def ratings(store: Store, ids: list[int]) -> dict[int, float | None]:
    marks = ",".join("?" * len(ids))
    return dict(store.conn.execute(f"SELECT id, rating FROM reviews WHERE id IN ({marks})", ids).fetchall())


def mark_scored(store: Store, table: str, rows: list[tuple[int, int | None, int]]) -> None:
    """Record which model scored each text (row id, model id, mismatch flag)."""
    if table not in ("reviews", "survey_responses"):
        raise ValueError(table)
    with store.write() as conn:
        if table == "reviews":
            conn.executemany("UPDATE reviews SET sentiment_model = ?, mismatch = ? WHERE id = ?",
                             [(model, flag, row_id) for row_id, model, flag in rows])
        else:
            conn.executemany("UPDATE survey_responses SET sentiment_model = ? WHERE id = ?",
                             [(model, row_id) for row_id, model, _ in rows])


def scored_by(store: Store) -> dict[str, int]:
    """How many texts each kind of model scored: 'lexicon' or the model id as text."""
    out: dict[str, int] = {}
    for table in ("reviews", "survey_responses"):
        for model, count in store.conn.execute(
                f"SELECT sentiment_model, count(*) FROM {table} WHERE sentiment IS NOT NULL GROUP BY 1"):
            key = "lexicon" if model is None else str(model)
            out[key] = out.get(key, 0) + count
    return out


def mismatch_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM reviews WHERE mismatch = 1") or 0)
