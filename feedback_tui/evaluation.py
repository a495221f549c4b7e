"""Evaluation of sentiment labels against a labelled or star-rated file.

Pure arithmetic and CSV reading; ``feedback-tui eval-sentiment`` prints it.
Balanced accuracy is the mean recall of the positive and negative classes (the
two that decide what lands in "Needs reply"); with star ratings 1-2 stars are
negative, 4-5 positive and 3 is skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedback_tui.errors import FileProblem, UsageProblem

LABELS = ("positive", "neutral", "negative")
_LABEL_ALIASES = {
    "positive": "positive", "pos": "positive", "positif": "positive", "+": "positive",
    "neutral": "neutral", "neu": "neutral", "neutre": "neutral", "0": "neutral",
    "negative": "negative", "neg": "negative", "negatif": "negative", "négatif": "negative", "-": "negative",
}


@dataclass(frozen=True, slots=True)
class Example:
    text: str  # the text, or a review's body when it has a title
    truth: str  # positive | neutral | negative
    language: str | None
    title: str | None = None  # a review's title (--title-column), read apart as the store reads it

    @property
    def joined(self) -> str:
        """"title. body", the text as the store joins a review's (the learned model reads this)."""
        from feedback_tui.sentiment import joined  # the one join: the app's import stays light

        return joined(self.text, self.title)


@dataclass(slots=True)
class Dataset:
    examples: list[Example] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def label_from_rating(value: str) -> str | None:
    """1-2 stars negative, 4-5 positive, 3 (or anything else) None."""
    try:
        stars = float(value.strip().replace(",", "."))
    except ValueError:
        return None
    if 1 <= stars < 3:
        return "negative"
    if 3 < stars <= 5:
        return "positive"
    return None


def normalise_label(value: str) -> str | None:
    return _LABEL_ALIASES.get(value.strip().lower())


def read_examples(path: str | Path, *, text_column: str = "text", label_column: str | None = None,
                  rating_column: str | None = None, language_column: str | None = None,
                  title_column: str | None = None) -> Dataset:
    """Read the rows of a CSV file (UTF-8, comma, semicolon or tab separated).

    With ``title_column`` each row is a review with a title: ``text_column`` is its body."""
    if (label_column is None) == (rating_column is None):
        raise UsageProblem("give exactly one of --label-column and --rating-column")
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileProblem(str(path), "no such file") from None
    except IsADirectoryError:
        raise FileProblem(str(path), "is a directory") from None
    except UnicodeDecodeError:
        raise FileProblem(str(path), "not UTF-8 text") from None
    except OSError as error:
        raise FileProblem(str(path), error.strerror or "cannot be read") from None
    if not raw.strip():
        raise FileProblem(str(path), "empty file")
    # Only the delimiter is sniffed: the Sniffer may also decide that a file has no doubled
    # quotes (it did on a real App Store export) and then shifts every column after a
    # quoted "" in a review, so 3 of 5 rows lost their stars.
    try:
        delimiter = csv.Sniffer().sniff(raw[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(raw, newline=""), dialect=csv.excel, delimiter=delimiter)
    columns = reader.fieldnames or []
    truth_column = label_column or rating_column
    for option, column in (("--text-column", text_column), ("--label-column", label_column),
                           ("--rating-column", rating_column), ("--language-column", language_column),
                           ("--title-column", title_column)):
        if column is not None and column not in columns:
            raise UsageProblem(f"{option}: {path} has no column {column!r} (columns: {', '.join(columns)})")
    dataset = Dataset()
    try:
        for line, row in enumerate(reader, start=2):
            text = (row.get(text_column) or "").strip()
            title = (row.get(title_column) or "").strip() if title_column else ""
            value = row.get(truth_column) or ""  # type: ignore[arg-type]
            if label_column:
                truth = normalise_label(value)
                if truth is None:
                    raise UsageProblem(f"{path}, line {line}: label {value!r} is not positive, neutral or negative")
            else:
                truth = label_from_rating(value)
                if truth is None:
                    dataset.skip("3 stars or no rating")
                    continue
            if not text and not title:
                dataset.skip("empty text")
                continue
            language = (row.get(language_column) or "").strip().lower() if language_column else ""
            dataset.examples.append(Example(text, truth, language or None, title or None))
    except csv.Error as error:
        raise FileProblem(str(path), f"malformed CSV: {error}") from None
    return dataset


def metrics(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Accuracy, balanced accuracy (mean recall of positive and negative) and per-class recall.

    ``pairs`` are (truth, predicted). A recall is None when the class has no example;
    balanced accuracy then uses the classes that have some.
    """
    pairs = list(pairs)
    n = len(pairs)
    recall: dict[str, float | None] = {}
    for label in LABELS:
        of_class = [predicted for truth, predicted in pairs if truth == label]
        recall[label] = sum(p == label for p in of_class) / len(of_class) if of_class else None
    polar = [r for r in (recall["positive"], recall["negative"]) if r is not None]
    return {
        "n": n,
        "accuracy": sum(t == p for t, p in pairs) / n if n else None,
        "balanced_accuracy": sum(polar) / len(polar) if polar else None,
        "recall": recall,
    }


# Texts per class on which ``train-sentiment --report`` reads the lexicon beside the
# learned model: a few seconds of lexicon scoring, and a margin of about ±0.02.
LEXICON_SAMPLE = 1000


def lexicon_on(texts: Sequence[str], labels: Sequence[str], language: str,
               titles: Sequence[str | None] | None = None) -> dict[str, Any]:
    """The cold-start lexicon's figures on texts whose authors gave a verdict.

    The same texts and the same measure as the learned model's cross-validation
    (its neutral counts as a miss, as in ``eval-sentiment``), so a manager can
    see whether the model reads the workspace better than the lexicon it replaced.
    """
    from feedback_tui import sentiment

    titles = titles if titles is not None else [None] * len(texts)  # a review's title apart, as the store reads it
    figures = metrics((truth, sentiment.analyze(text, language, title=title).label)
                      for text, title, truth in zip(texts, titles, labels, strict=True))
    return {"balanced_accuracy": figures["balanced_accuracy"], "n": figures["n"],
            "recall": {k: figures["recall"][k] for k in ("positive", "negative")}}


Labeller = Callable[[str, str | None], tuple[str, str | None]]  # (text, language) -> (label, language)
# (text or body, language, title or None) -> (label, language): ours reads a review's title apart
TitledLabeller = Callable[[str, str | None, str | None], tuple[str, str | None]]


def evaluate(examples: Sequence[Example], raw: Labeller, ours: TitledLabeller) -> dict[str, Any]:
    """Both labellers on every example, overall and per language.

    ``ours`` gets a titled review's body and title apart, ``raw`` (stock TextBlob) the joined text.

    Texts in a language without an analyzer (label ``unknown``) are left out and counted.
    """
    rows: list[tuple[str, str, str, str]] = []  # (language, truth, raw, ours)
    unscored: dict[str, int] = {}
    for example in examples:
        ours_label, language = ours(example.text, example.language, example.title)
        raw_label, _ = raw(example.joined, language)
        if ours_label == "unknown" or raw_label == "unknown":
            key = language or "none"
            unscored[key] = unscored.get(key, 0) + 1
            continue
        rows.append((language or "none", example.truth, raw_label, ours_label))
    report = _block(rows)
    report["by_language"] = {lang: _block([r for r in rows if r[0] == lang]) for lang in sorted({r[0] for r in rows})}
    report["unscored"] = unscored
    return report


def _block(rows: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    raw = metrics((truth, r) for _, truth, r, _ in rows)
    ours = metrics((truth, o) for _, truth, _, o in rows)
    raw.pop("n")
    ours.pop("n")
    return {"n": len(rows), "raw": raw, "ours": ours}
