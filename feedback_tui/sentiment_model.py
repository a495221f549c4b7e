"""A sentiment model learned from a workspace's own star-rated texts (issue 17).

The lexicon analyzer (:mod:`feedback_tui.sentiment`) measures 0.60-0.76
balanced accuracy on real reviews from other domains; every review already
carries its author's verdict, the stars. This module learns from them: TF-IDF
of word 1-2-grams and of character 2-5-grams (inside word boundaries, so
"plante"/"planté"/"plantage" share features), a logistic regression with
balanced classes. Two classes only: 1-2 stars negative, 4-5 positive, 3 left
out (a 3-star text is as often a complaint as praise).

A model is stored in the database, so loading one must never execute code
from it: no pickle. :meth:`LearnedModel.to_blob` writes the vocabularies, the
IDF weights and the coefficients as plain JSON (zlib-compressed) and
:func:`checksum` is its SHA-256; :meth:`LearnedModel.from_blob` checks the
checksum, the shapes and the types and raises :class:`ModelProblem` otherwise.

Pure: no database. ``store.sentiment_models`` stores and loads the blobs.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from feedback_tui import sentiment_features
from feedback_tui.errors import FeedbackError

FORMAT = 1
LABELS = ("negative", "positive")  # class 0, class 1
MIN_PER_CLASS = 200  # cold start: below this many labelled texts in a class, the lexicon scores
CONFIDENT = 0.8  # probability from which a text "confidently" contradicts its stars
# Vectoriser settings, saved with each model so that a model trained by a later
# version with other settings still reads back as it was trained.
WORD = {"analyzer": "word", "ngram_range": [1, 2], "min_df": 2, "max_features": 60000}
CHAR = {"analyzer": "char_wb", "ngram_range": [2, 5], "min_df": 2, "max_features": 120000}
# The lexicon's positive and negative sums as two more features (sentiment_features.lexicon_sums),
# scaled so that the L2 penalty holds their weight back on large workspaces: 0.25 chosen on the
# development files of benchmarks/SENTIMENT.md (Session 6; 1.0 helped small files, hurt 2c's
# Google Play counterpart). A language without a lexicon has no such block.
LEXICON = {"features": ["positive", "negative"], "scale": 0.25}
C = 0.5  # inverse regularisation: 5-fold CV on real reviews (benchmarks/SENTIMENT.md) gave the best negative recall at 0.5 of 0.5-4


class ModelProblem(FeedbackError):
    """A stored model that cannot be used: tampered, truncated or of an unknown format."""


def checksum(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def _vectorizer(settings: dict[str, Any], vocabulary: dict[str, int] | None = None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=settings["analyzer"], ngram_range=tuple(settings["ngram_range"]),
        min_df=1 if vocabulary is not None else settings["min_df"],
        max_features=None if vocabulary is not None else settings["max_features"],
        lowercase=True, sublinear_tf=True, dtype=_float32(), vocabulary=vocabulary,
    )


def _float32():
    import numpy

    return numpy.float32


@dataclass(slots=True)
class LearnedModel:
    """A trained two-class model for one language, and what it was trained on."""

    language: str
    n: dict[str, int]  # labelled texts per class it was trained on
    trained_at: str
    word_terms: list[str]
    word_idf: list[float]
    char_terms: list[str]
    char_idf: list[float]
    coef: list[float]
    intercept: float
    settings: dict[str, Any] = field(default_factory=lambda: {"word": WORD, "char": CHAR})
    lexicon_coef: list[float] = field(default_factory=list)  # weights of settings["lexicon"]'s features, if any
    _fitted: Any = None  # (word vectoriser, char vectoriser, coef array), built on first use
    _fast: Any = None  # a sentiment_features.Scorer, built on first use

    # -- scoring ---------------------------------------------------------------
    def lexicon_part(self) -> tuple[str, float, Any] | None:
        """(language, scale, weights) of the lexicon block, None for a model without one."""
        import numpy

        if not self.lexicon_coef:
            return None
        return self.language, float(self.settings["lexicon"]["scale"]), numpy.asarray(self.lexicon_coef)

    def _parts(self):
        if self._fitted is None:
            import numpy

            word = _vectorizer(self.settings["word"], {t: i for i, t in enumerate(self.word_terms)})
            char = _vectorizer(self.settings["char"], {t: i for i, t in enumerate(self.char_terms)})
            word.idf_ = numpy.asarray(self.word_idf, dtype=numpy.float64)
            char.idf_ = numpy.asarray(self.char_idf, dtype=numpy.float64)
            self._fitted = (word, char, numpy.asarray(self.coef, dtype=numpy.float64))
        return self._fitted

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """Probability that each text is positive (the fast path: :class:`sentiment_features.Scorer`)."""
        if not texts:
            return []
        if self._fast is None:
            self._fast = sentiment_features.Scorer(self)
        return self._fast.probabilities(texts)

    def probabilities_sklearn(self, texts: Sequence[str]) -> list[float]:
        """The same through scikit-learn's vectorisers: the reference the fast path is tested against."""
        if not texts:
            return []
        word, char, coef = self._parts()
        n_word = len(self.word_terms)
        scores = word.transform(texts) @ coef[:n_word] + char.transform(texts) @ coef[n_word:] + self.intercept
        if (part := self.lexicon_part()) is not None:
            scores = scores + sentiment_features.lexicon_sums(texts, part[0], part[1]) @ part[2]
        return [1.0 / (1.0 + math.exp(-float(s))) for s in scores]

    def labels(self, texts: Sequence[str]) -> list[str]:
        return [LABELS[p >= 0.5] for p in self.probabilities(texts)]

    # -- storage ---------------------------------------------------------------
    def to_blob(self) -> bytes:
        """Plain JSON, compressed: terms, IDF weights and coefficients, nothing executable."""
        document = {
            "format": FORMAT, "language": self.language, "n": self.n, "trained_at": self.trained_at,
            "settings": self.settings,
            "word": {"terms": self.word_terms, "idf": [round(v, 6) for v in self.word_idf]},
            "char": {"terms": self.char_terms, "idf": [round(v, 6) for v in self.char_idf]},
            "coef": [round(v, 6) for v in self.coef], "intercept": self.intercept,
        }
        if self.lexicon_coef:
            document["lexicon_coef"] = [round(v, 6) for v in self.lexicon_coef]
        return zlib.compress(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), 6)

    @classmethod
    def from_blob(cls, blob: bytes, expected_checksum: str) -> LearnedModel:
        """Read a stored model; refuse one whose bytes or shape are not what was saved."""
        if checksum(blob) != expected_checksum:
            raise ModelProblem("the stored sentiment model does not match its checksum (tampered or damaged); "
                               "run `feedback-tui train-sentiment` to rebuild it")
        try:
            document = json.loads(zlib.decompress(blob))
        except (zlib.error, ValueError) as error:
            raise ModelProblem(f"the stored sentiment model is not readable: {error}") from None
        try:
            return cls._from_document(document)
        except (KeyError, TypeError, ValueError) as error:
            raise ModelProblem(f"the stored sentiment model is malformed: {error}") from None

    @classmethod
    def _from_document(cls, doc: dict[str, Any]) -> LearnedModel:
        if doc["format"] != FORMAT:
            raise ValueError(f"format {doc['format']!r}, this version reads {FORMAT}")
        word_terms, char_terms = _strings(doc["word"]["terms"]), _strings(doc["char"]["terms"])
        word_idf, char_idf = _floats(doc["word"]["idf"]), _floats(doc["char"]["idf"])
        coef = _floats(doc["coef"])
        if len(word_idf) != len(word_terms) or len(char_idf) != len(char_terms):
            raise ValueError("IDF weights and vocabulary differ in length")
        if len(coef) != len(word_terms) + len(char_terms):
            raise ValueError("coefficients and vocabulary differ in length")
        settings = doc["settings"]
        lexicon_coef = _floats(doc.get("lexicon_coef", []))  # absent in models trained before Session 6
        if lexicon_coef:
            scale = settings["lexicon"]["scale"]
            if len(lexicon_coef) != len(settings["lexicon"]["features"]) or not isinstance(scale, int | float) \
                    or not math.isfinite(scale):
                raise ValueError("the lexicon block's weights and settings disagree")
        for part in ("word", "char"):
            if settings[part]["analyzer"] not in ("word", "char_wb"):
                raise ValueError(f"unknown analyzer {settings[part]['analyzer']!r}")
            low, high = (int(v) for v in settings[part]["ngram_range"])
            if not 1 <= low <= high <= 8:
                raise ValueError("n-gram range out of bounds")
        return cls(language=str(doc["language"]), n={k: int(v) for k, v in doc["n"].items()},
                   trained_at=str(doc["trained_at"]), word_terms=word_terms, word_idf=word_idf,
                   char_terms=char_terms, char_idf=char_idf, coef=coef,
                   intercept=float(doc["intercept"]), settings=settings, lexicon_coef=lexicon_coef)


def _strings(values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError("vocabulary is not a list of strings")
    if len(set(values)) != len(values):
        raise ValueError("vocabulary has duplicate terms")
    return values


def _floats(values: Any) -> list[float]:
    if not isinstance(values, list) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise TypeError("weights are not a list of numbers")
    out = [float(v) for v in values]
    if not all(math.isfinite(v) for v in out):
        raise ValueError("weights are not finite")
    return out


# -- training --------------------------------------------------------------------
def counts(labels: Sequence[str]) -> dict[str, int]:
    return {label: sum(1 for v in labels if v == label) for label in LABELS}


def enough(labels: Sequence[str], min_per_class: int = MIN_PER_CLASS) -> bool:
    """Whether there are enough labelled texts to leave the cold start."""
    return min(counts(labels).values()) >= min_per_class


@dataclass(slots=True)
class _Fitted:
    """A fit on some rows of a counted corpus: per vectoriser block its kept columns and TF-IDF, and the classifier."""

    parts: list[tuple[Any, Any]]  # (columns of the block kept, fitted TfidfTransformer), word then char
    classifier: Any

    def features(self, corpus: _Corpus, rows):
        """The features of ``rows`` of the counted corpus (all when None), as the fit saw its own."""
        from scipy.sparse import hstack

        matrices = []
        for block, (kept, tfidf) in zip(corpus.blocks, self.parts, strict=True):
            counts = block.matrix if rows is None else block.matrix[rows]
            matrices.append(tfidf.transform(counts[:, kept], copy=False))
        matrices += corpus.lexical_rows(rows)
        return hstack(matrices).tocsr()


@dataclass(slots=True)
class _Corpus:
    """Texts counted once: the word and char blocks, and the lexicon block (None: no lexicon)."""

    blocks: tuple[Any, Any]
    lexical: Any

    def lexical_rows(self, rows) -> list[Any]:
        from scipy.sparse import csr_matrix

        if self.lexical is None:
            return []
        return [csr_matrix(self.lexical if rows is None else self.lexical[rows])]


def _fit(corpus: _Corpus, rows, labels: Sequence[str], last: bool = False) -> _Fitted:
    """Fit on ``rows`` of the counted corpus (all when None): the vocabulary and IDF from those rows only.

    ``last``: no fit follows on these counts, so each block's counts are
    freed once its columns are selected, before the classifier copies the
    features (100k generated reviews: a peak RSS of 1.5 GB, as with
    scikit-learn's vectorisers, instead of 2.3 GB).

    The same as ``TfidfVectorizer(**WORD)`` and ``TfidfVectorizer(**CHAR)``
    fitted on those rows' texts (:func:`sentiment_features.select` reproduces
    the vocabulary; scikit-learn's own ``TfidfTransformer`` the weights), then
    a balanced logistic regression on them and the lexicon block.
    """
    import numpy
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfTransformer

    parts, matrices = [], []
    for block, settings in zip(corpus.blocks, (WORD, CHAR), strict=True):
        kept, counts = sentiment_features.select(block, rows, settings)
        counts = counts[:, kept]
        if last:
            block.matrix = None
        tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        matrices.append(tfidf.transform(counts, copy=False))
        parts.append((kept, tfidf))
    features = hstack(matrices + corpus.lexical_rows(rows)).tocsr()
    del matrices, counts  # only the stacked copy goes on to the classifier (liblinear copies it again)
    classifier = _classifier().fit(features, numpy.array([LABELS.index(v) for v in labels]))
    return _Fitted(parts=parts, classifier=classifier)


def _classifier():
    """The logistic regression every fit uses (balanced classes).

    liblinear's dual coordinate descent solves the same regularised problem
    as its primal Newton method in half the time on these sparse features
    (100k generated reviews: 17 s instead of 38 s for the whole fit, one
    core); the coefficients differ by at most 1e-4 and the 5-fold figures on
    the five real files of benchmarks/SENTIMENT.md are the same to the last
    digit. ``random_state`` fixes its order of coordinates: the same texts
    give the same model.
    """
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", max_iter=2000, solver="liblinear", dual=True,
                              random_state=0)


def _check(labels: Sequence[str]) -> None:
    if set(labels) - set(LABELS):
        raise ValueError(f"labels must be {LABELS}")
    if len(set(labels)) < 2:
        raise ValueError("training needs both positive and negative texts")


def _count(texts: Sequence[str], language: str | Sequence[str | None] | None) -> _Corpus:
    """The corpus counted once (word and char blocks, the lexicon's sums), for the fit and every fold.

    ``language``: the model's, or one per text (a mixed file in ``eval-sentiment``); without a
    lexicon for it (None, or a language such as Korean) there is no lexicon block.
    """
    from feedback_tui.sentiment import SUPPORTED_LANGUAGES

    texts = list(texts)
    blocks = sentiment_features.count(texts, WORD, CHAR)
    per_text = [language] if isinstance(language, str) or language is None else language
    if not any(lang in SUPPORTED_LANGUAGES for lang in per_text):
        return _Corpus(blocks, None)
    return _Corpus(blocks, sentiment_features.lexicon_sums(texts, language, LEXICON["scale"]))


def train(texts: Sequence[str], labels: Sequence[str], language: str) -> LearnedModel:
    """Fit a model on texts labelled ``positive`` / ``negative``; both classes must occur."""
    _check(labels)
    return _model(_count(texts, language), labels, language)


def _model(corpus: _Corpus, labels: Sequence[str], language: str) -> LearnedModel:
    blocks = corpus.blocks
    fitted = _fit(corpus, None, labels, last=True)
    (word_kept, word_tfidf), (char_kept, char_tfidf) = fitted.parts
    coef = [float(v) for v in fitted.classifier.coef_[0]]
    n_terms = len(word_kept) + len(char_kept)
    settings: dict[str, Any] = {"word": WORD, "char": CHAR}
    if corpus.lexical is not None:
        settings["lexicon"] = LEXICON
    return LearnedModel(
        language=language, n=counts(labels), trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        word_terms=[blocks[0].terms[i] for i in word_kept], word_idf=[float(v) for v in word_tfidf.idf_],
        char_terms=[blocks[1].terms[i] for i in char_kept], char_idf=[float(v) for v in char_tfidf.idf_],
        coef=coef[:n_terms], intercept=float(fitted.classifier.intercept_[0]), settings=settings,
        lexicon_coef=coef[n_terms:],
    )


def train_validated(texts: Sequence[str], labels: Sequence[str], language: str,
                    folds: int = 5) -> tuple[LearnedModel, dict[str, Any] | None]:
    """:func:`train` and :func:`cross_validate` on one count of the texts.

    The figures are None when a class has fewer texts than folds (the model
    is trained, its accuracy unknown).
    """
    _check(labels)
    corpus = _count(texts, language)
    labels = list(labels)
    metrics = _cross_validate(corpus, labels, folds, 0) if min(counts(labels).values()) >= folds else None
    return _model(corpus, labels, language), metrics


def cross_validate(texts: Sequence[str], labels: Sequence[str], folds: int = 5, seed: int = 0,
                   language: str | Sequence[str | None] | None = None) -> dict[str, Any]:
    """Train on K-1 folds, predict the held-out fold, pooled over the folds.

    Returns ``{"balanced_accuracy", "recall": {"positive", "negative"}, "n", "folds"}``;
    the folds are stratified so every fold holds both classes. The texts are
    counted once; each fold takes its vocabulary and IDF from its own
    training rows, as a vectoriser fitted on them would (nothing leaks from
    the held-out fold). ``language`` as for :func:`train`, or one per text; None:
    no lexicon block.
    """
    labels = list(labels)
    return {**recalls(labels, cross_validated_labels(texts, labels, folds, seed, language)), "folds": folds}


def cross_validated_labels(texts: Sequence[str], labels: Sequence[str], folds: int = 5, seed: int = 0,
                           language: str | Sequence[str | None] | None = None) -> list[str]:
    """Each text's label predicted by the model of the folds that held it out (:func:`cross_validate`'s predictions)."""
    labels = list(labels)
    smallest = min(counts(labels).values())
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    if smallest < folds:
        raise ValueError(f"{folds}-fold cross-validation needs {folds} texts of each class, the smallest class has {smallest}")
    return _predicted(_count(texts, language), labels, folds, seed)


def recalls(labels: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """``{"balanced_accuracy", "recall": {"positive", "negative"}, "n"}`` of predictions against labels
    (a recall is None when its class is absent, and the balanced accuracy then None)."""
    recall: dict[str, float | None] = {}
    for label in ("positive", "negative"):
        of_class = [p for t, p in zip(labels, predicted, strict=True) if t == label]
        recall[label] = sum(p == label for p in of_class) / len(of_class) if of_class else None
    both = None if None in recall.values() else (recall["positive"] + recall["negative"]) / 2  # type: ignore[operator]
    return {"balanced_accuracy": both, "recall": recall, "n": len(labels)}


def _predicted(corpus: _Corpus, labels: list[str], folds: int, seed: int) -> list[str]:
    from sklearn.model_selection import StratifiedKFold

    predicted: list[str] = [""] * len(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(labels, labels):
        fitted = _fit(corpus, train_index, [labels[i] for i in train_index])
        for i, value in zip(test_index, fitted.classifier.predict(fitted.features(corpus, test_index)), strict=True):
            predicted[i] = LABELS[int(value)]
    return predicted


def _cross_validate(corpus: _Corpus, labels: list[str], folds: int, seed: int) -> dict[str, Any]:
    return {**recalls(labels, _predicted(corpus, labels, folds, seed)), "folds": folds}


def contradicts(probability_positive: float, rating: float | None, confident: float = CONFIDENT) -> bool:
    """A text confidently negative under 4-5 stars, or confidently positive under 1-2."""
    if rating is None:
        return False
    if rating >= 4:
        return probability_positive <= 1 - confident
    if rating <= 2:
        return probability_positive >= confident
    return False
