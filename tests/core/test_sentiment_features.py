"""Issue 17, item 6: the fast n-gram counts give what scikit-learn's vectorisers give.

The fit path (:func:`sentiment_features.count` then :func:`select`) must
choose the same vocabulary, the same IDF and so the same model as
``TfidfVectorizer`` fitted on the same texts, on all of them and on any subset
(a cross-validation fold); the scorer must count a stored model's terms as
``TfidfVectorizer.transform`` does. The texts are invented, with the cases the
decomposition over whitespace-separated chunks has to get right: punctuation
glued to words, runs of whitespace, one-letter and long words, accents, a final
sigma, digits and underscores, emoji, empty texts.
"""

from __future__ import annotations

import math
import random

import numpy
import pytest
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.model_selection import StratifiedKFold

from feedback_tui import sentiment_features, sentiment_model
from feedback_tui.sentiment_model import LABELS

WORDS = ["the", "app", "crashes", "after", "update", "great", "service", "livraison", "rapide", "très", "déçu",
         "colis", "jamais", "reçu", "ok", "a", "l'appli", "plante", "mise", "à", "jour", "ΟΔΟΣ", "naïve", "café",
         "3.2", "v2_beta", "😡", "👍", "refund", "never", "came", "x" * 30, "I", "de", "support"]
GLUE = [" ", " ", " ", "  ", "\t", "\n", ", ", ". ", "!", "-", " (", ") ", "... "]


def corpus(n: int, seed: int = 3) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        words = rng.choices(WORDS, k=rng.randint(0 if i % 17 == 0 else 1, 14))
        text = "".join(w + rng.choice(GLUE) for w in words)
        texts.append(text.upper() if i % 11 == 0 else text)
        labels.append(LABELS[("déçu" in words or "crashes" in words or "never" in words) != (rng.random() < 0.1)])
    texts[5] = "   "
    texts[6] = ""
    return texts, labels


def reference(texts: list[str], settings: dict) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=settings["analyzer"], ngram_range=tuple(settings["ngram_range"]),
                           min_df=settings["min_df"], max_features=settings["max_features"], lowercase=True,
                           sublinear_tf=True, dtype=numpy.float32).fit(texts)


def fast(block: sentiment_features.Block, rows, settings: dict):
    kept, counts = sentiment_features.select(block, rows, settings)
    counts = counts[:, kept]
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
    return [block.terms[i] for i in kept], tfidf, tfidf.transform(counts)


SETTINGS = [
    ({"analyzer": "word", "ngram_range": [1, 2], "min_df": 2, "max_features": None},
     {"analyzer": "char_wb", "ngram_range": [2, 5], "min_df": 2, "max_features": None}),
    ({"analyzer": "word", "ngram_range": [1, 2], "min_df": 2, "max_features": 40},  # cuts through ties
     {"analyzer": "char_wb", "ngram_range": [2, 5], "min_df": 2, "max_features": 150}),
    ({"analyzer": "word", "ngram_range": [2, 3], "min_df": 3, "max_features": 25},
     {"analyzer": "char_wb", "ngram_range": [1, 3], "min_df": 1, "max_features": None}),
]


@pytest.mark.parametrize(("word", "char"), SETTINGS)
def test_vocabulary_idf_and_tfidf_equal_scikit_learn_on_all_rows_and_on_a_fold(word: dict, char: dict) -> None:
    texts, labels = corpus(400)
    blocks = sentiment_features.count(texts, word, char)
    folds = StratifiedKFold(n_splits=4, shuffle=True, random_state=1).split(texts, labels)
    train_rows = next(folds)[0]
    for rows in (None, train_rows):
        subset = texts if rows is None else [texts[i] for i in rows]
        for block, settings in zip(blocks, (word, char), strict=True):
            expected = reference(subset, settings)
            terms, tfidf, matrix = fast(block, rows, settings)
            assert terms == list(expected.get_feature_names_out())
            assert numpy.array_equal(tfidf.idf_, expected.idf_)
            assert abs(matrix - expected.transform(subset)).max() < 1e-6


def test_the_max_features_cut_inside_a_run_of_equal_totals_keeps_the_terms_scikit_learn_keeps() -> None:
    texts, _ = corpus(400)
    for settings in SETTINGS[0]:
        block = sentiment_features.count(texts, *SETTINGS[0])[settings["analyzer"] == "char_wb"]
        totals = numpy.sort(numpy.asarray(block.matrix.sum(axis=0)).ravel())[::-1]
        tied = [k for k in range(10, len(totals) - 1) if totals[k - 1] == totals[k] == totals[k + 1]]
        for cut in (tied[0], tied[len(tied) // 2]):  # more terms of the same total than places left
            limited = {**settings, "max_features": cut}
            terms, _, _ = fast(block, None, limited)
            assert terms == list(reference(texts, limited).get_feature_names_out())


def test_errors_are_scikit_learns() -> None:
    word, char = SETTINGS[0]
    blocks = sentiment_features.count(["", "  ", "!"], word, char)
    with pytest.raises(ValueError, match="empty vocabulary"):
        sentiment_features.select(blocks[0], None, word)
    blocks = sentiment_features.count(["apple pie", "banana split"], word, char)
    with pytest.raises(ValueError, match="no terms remain"):
        sentiment_features.select(blocks[0], None, word)
    with pytest.raises(ValueError, match="max_df corresponds to < documents than min_df"):
        sentiment_features.select(blocks[0], numpy.array([0]), word)
    with pytest.raises(ValueError, match=r"does not implement \['stop_words'\]"):
        sentiment_features.count(["apple pie"], {**word, "stop_words": "english"}, char)


def lexicon(batch: list[str]):
    """The lexicon block computed by hand: scale x tanh of the summed positive and negative hits."""
    from scipy.sparse import csr_matrix

    from feedback_tui import sentiment

    rows = []
    for text in batch:
        hits = sentiment.lexicon_hits(text, "en")
        rows.append([math.tanh(sum(h for h in hits if h > 0)), math.tanh(-sum(h for h in hits if h < 0))])
    return csr_matrix(numpy.asarray(rows) * sentiment_model.LEXICON["scale"])


def test_trained_model_equals_scikit_learns_pipeline() -> None:
    """The stored vocabulary and IDF are scikit-learn's, the coefficients and probabilities too (to rounding)."""
    texts, labels = corpus(300)
    model = sentiment_model.train(texts, labels, "en")
    word, char = reference(texts, sentiment_model.WORD), reference(texts, sentiment_model.CHAR)
    assert model.word_terms == list(word.get_feature_names_out())
    assert model.char_terms == list(char.get_feature_names_out())
    assert model.word_idf == [float(v) for v in word.idf_] and model.char_idf == [float(v) for v in char.idf_]
    from scipy.sparse import hstack

    def features(batch):  # the TF-IDF blocks, then the lexicon's two sums (Session 6)
        return hstack([word.transform(batch), char.transform(batch), lexicon(batch)]).tocsr()

    classifier = sentiment_model._classifier().fit(features(texts), [LABELS.index(v) for v in labels])
    n_terms = len(model.coef)
    assert model.coef + model.lexicon_coef == pytest.approx(list(classifier.coef_[0]), abs=1e-6)
    assert len(model.lexicon_coef) == 2 and n_terms == len(model.word_terms) + len(model.char_terms)
    assert model.intercept == pytest.approx(float(classifier.intercept_[0]), abs=1e-6)
    probe = texts[:50] + ["The app crashes after the update!!", "livraison rapide, très bien"]
    expected = classifier.predict_proba(features(probe))[:, 1]
    assert model.probabilities(probe) == pytest.approx(list(expected), abs=1e-6)
    assert model.probabilities_sklearn(probe) == pytest.approx(list(expected), abs=1e-6)


def test_cross_validation_takes_each_folds_vocabulary_from_its_training_rows() -> None:
    """The pooled predictions equal vectorisers and a classifier fitted on each fold's training texts alone."""
    texts, labels = corpus(300)
    result = sentiment_model.cross_validate(texts, labels, folds=3, seed=4, language="en")
    predicted = [""] * len(texts)
    for train_rows, test_rows in StratifiedKFold(n_splits=3, shuffle=True, random_state=4).split(texts, labels):
        fold = [texts[i] for i in train_rows]
        word, char = reference(fold, sentiment_model.WORD), reference(fold, sentiment_model.CHAR)
        from scipy.sparse import hstack

        classifier = sentiment_model._classifier().fit(
            hstack([word.transform(fold), char.transform(fold), lexicon(fold)]).tocsr(),
            [LABELS.index(labels[i]) for i in train_rows])
        held_out = [texts[i] for i in test_rows]
        for i, value in zip(test_rows, classifier.predict(hstack([word.transform(held_out), char.transform(held_out),
                                                                  lexicon(held_out)]).tocsr()), strict=True):
            predicted[i] = LABELS[int(value)]
    recall = {label: numpy.mean([p == label for p, t in zip(predicted, labels, strict=True) if t == label])
              for label in LABELS}
    assert result["recall"] == pytest.approx(recall, abs=1e-12)


def test_one_count_serves_the_model_and_its_figures() -> None:
    texts, labels = corpus(300)
    model, metrics = sentiment_model.train_validated(texts, labels, "en", folds=3)
    assert metrics == sentiment_model.cross_validate(texts, labels, folds=3, language="en")
    alone = sentiment_model.train(texts, labels, "en")
    assert (model.word_terms, model.coef) == (alone.word_terms, alone.coef)
    few = [t for t, label in zip(texts, labels, strict=True) if label == "positive"][:20] + texts[:2]
    few_labels = ["positive"] * 20 + ["negative", "negative"]
    assert sentiment_model.train_validated(few, few_labels, "en", folds=3)[1] is None


def test_scorer_counts_a_stored_model_as_transform_does() -> None:
    """Word n-grams found through token numbers and pair codes, chunks cached across batches, n-grams up to 3."""
    texts, labels = corpus(300)
    word = {"analyzer": "word", "ngram_range": [1, 3], "min_df": 2, "max_features": 300}
    char = {"analyzer": "char_wb", "ngram_range": [2, 4], "min_df": 2, "max_features": 500}
    vectorisers = reference(texts, word), reference(texts, char)
    terms = [list(v.get_feature_names_out()) for v in vectorisers]
    model = sentiment_model.LearnedModel(
        language="en", n={}, trained_at="", word_terms=terms[0], word_idf=[1.0] * len(terms[0]),
        char_terms=terms[1], char_idf=[1.0] * len(terms[1]), coef=[0.0] * (len(terms[0]) + len(terms[1])),
        intercept=0.0, settings={"word": word, "char": char})
    scorer = sentiment_features.Scorer(model)
    probe, _ = corpus(120, seed=9)
    for batch in (probe[:60], probe[30:]):  # the second batch meets cached and new chunks
        from sklearn.feature_extraction.text import CountVectorizer

        expected = [CountVectorizer(analyzer=s["analyzer"], ngram_range=tuple(s["ngram_range"]), vocabulary=t)
                    .transform(batch) for s, t in zip((word, char), terms, strict=True)]
        counts = scorer.counts(batch)
        assert abs(counts[:, :len(terms[0])] - expected[0]).max() == 0
        assert abs(counts[:, len(terms[0]):] - expected[1]).max() == 0


def test_scorer_reads_the_lexicon_tokens_of_each_text_from_its_cached_chunks() -> None:
    """The lexicon block's tokens, assembled from each chunk's cached ones, are the text's own
    (emoticons glued to words, accents, capitals, a final sigma, punctuation runs), batch after batch."""
    from feedback_tui import sentiment_lexicon

    assert not any(ch.isspace() for e in sentiment_lexicon._emoji() for ch in e)  # no token spans a whitespace
    texts, labels = corpus(300)
    model = sentiment_model.train(texts, labels, "en")
    scorer = sentiment_features.Scorer(model)
    probe, _ = corpus(120, seed=9)
    probe += ["Not bad :) but:-( really:D XD <3<3 ;-)great", "TRÈS DÉÇU!!!L’APPLI n'est PAS top…", "ΟΔΟΣ Σ ςσ",
              "İstanbul ǅemal ß ẞ", "\u00a0nbsp\u2009thin\u3000wide", "😡👍great👎", ""]
    for batch in (probe[:60], probe[30:], probe):  # cached and new chunks
        *_, tokenised = scorer._blocks(batch)
        assert tokenised == [sentiment_lexicon.tokens(text) for text in batch]
    assert model.probabilities(probe) == pytest.approx(model.probabilities_sklearn(probe), abs=1e-6)
