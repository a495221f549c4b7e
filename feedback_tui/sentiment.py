"""Sentiment of reviews and survey comments, in English and French.

English goes to TextBlob's pattern analyzer; French goes to textblob-fr's,
the only one of the two that knows French words (it works with TextBlob 0.20
and ships its lexicon, so nothing is downloaded at run time). A text without a
language is routed by py3langid restricted to the languages we analyse; a
language we have no analyzer for gets no polarity and the label ``unknown``.

TextBlob stays at the core, extended for the language of reviews by data files
next to this module (``sentiment_data/``): a domain lexicon per language
(crash, refund, plante, arnaque, injoignable...), negators ("not bad", "pas
terrible", "jamais reçu"), intensifiers, emoji, and contrast words whose clause
weighs more ("great app but delivery always late"). ``analyze_raw`` keeps plain
TextBlob / textblob-fr for comparison (``feedback-tui eval-sentiment``).

Scores are computed in batches over all cores (:mod:`sentiment_pool`: TextBlob is
pure Python and holds the GIL) and stored by ``store.rescoring``; ``feedback-tui rescore``
recomputes. This module reads no database: it turns texts into scores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from feedback_tui import sentiment_pattern
from feedback_tui.language_id import SUPPORTED_LANGUAGES, detect_language, identifier, latin_languages, plain_letters
from feedback_tui.sentiment_lexicon import (  # noqa: F401 - _emoji, lexicon_hits: read as sentiment.* elsewhere
    _emoji,
    _language,
    _rows,
    clause_hits,
    lexicon_hits,
    normalise,
)

# Labels from polarity. TextBlob gives 0.0 to texts it has no opinion words
# for, so a small band around zero is "neutral". Issue #7 tunes these on an
# evaluation set; the README records the figures.
POSITIVE_FROM = 0.15
NEGATIVE_BELOW = 0.0
# Below this many texts a process pool costs more than it saves.
# Plain TextBlob's labels in comparisons keep the thresholds the app had before #7.
RAW_POSITIVE_FROM = 0.1
RAW_NEGATIVE_BELOW = -0.05
# A review's title states its verdict ("Love it", "Great app", "Scam") where the body often
# lists complaints ("I love this app but the ads..."): the title's own polarity is added to
# the whole text's, clipped to -1..1. Chosen on the development files with titles (2a, 3b:
# benchmarks/SENTIMENT.md, Session 7); texts without a title score as before.
TITLE_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class Sentiment:
    polarity: float | None
    subjectivity: float | None
    label: str  # positive | neutral | negative | unknown
    language: str | None


def raw_label_for(polarity: float | None) -> str:
    """Labels of plain TextBlob, with the thresholds the app used before #7."""
    if polarity is None:
        return "unknown"
    if polarity >= RAW_POSITIVE_FROM:
        return "positive"
    if polarity < RAW_NEGATIVE_BELOW:
        return "negative"
    return "neutral"


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


# -- the review-language extension ---------------------------------------------
# How TextBlob's polarity of a clause counts against one lexicon hit (sentiment_lexicon has the rest).
TEXTBLOB_WEIGHT = 0.25


def _analyzer(language: str):
    return _english() if language == "en" else _french()


_DICT_READS = ("__contains__", "__getitem__", "__len__", "__iter__", "get", "items", "keys", "values")


def _loaded(lexicon: dict[str, Any]) -> dict[str, Any]:
    """The lexicon, loaded, answering lookups with plain ``dict`` methods.

    pattern's ``lazydict`` (TextBlob and textblob-fr ship a copy) sends every
    ``word in lexicon`` and ``lexicon[word]`` through a Python method that
    checks whether the file is loaded yet: about a hundred calls per review,
    a sixth of the scoring time. Once loaded, the instance gets a subclass
    whose reads are ``dict``'s own; the scores are the same.
    """
    len(lexicon)  # loads it
    cls = type(lexicon)
    if not cls.__name__.startswith("Loaded"):
        reads = {name: getattr(dict, name) for name in _DICT_READS}
        lexicon.__class__ = type(f"Loaded{cls.__name__}", (cls,), reads)
    return lexicon


@lru_cache(maxsize=2)
def _engine(language: str) -> sentiment_pattern.Pattern:
    """The pattern engine behind each PatternAnalyzer, as :mod:`sentiment_pattern` computes it:
    the same scores without TextBlob's per-call namedtuple class nor pattern's slow tokenizer
    (issue 19: it was half of our scoring time). Its lexicon is :func:`_loaded` too, for
    :func:`analyze_raw`, which goes through TextBlob itself."""
    pattern = sentiment_pattern.engine(language)
    _loaded(pattern.lexicon)
    ignored = _pattern_ignored(language)
    return pattern.without(ignored) if ignored else pattern


@lru_cache(maxsize=2)
def _pattern_ignored(language: str) -> frozenset[str]:
    """Words of TextBlob's lexicon that describe rather than judge in a review ("old",
    "new", "first", "many", "free", "game"): our analyzer does not read them as opinions
    (``sentiment_data/pattern_ignored.tsv``; ``analyze_raw`` keeps them)."""
    return frozenset(row[1] for row in _rows("pattern_ignored.tsv") if row[0] == language)


def _route(text: str, language: str | None, languages: Sequence[str] = SUPPORTED_LANGUAGES) -> str:
    """The row's language, else the detected one among ``languages`` (the configured set)."""
    return language or detect_language(text, languages) or languages[0]


_ELONGATED = re.compile(r"(\w)\1{2,}")
_HAS_ELONGATED = re.compile(r"(\w)\1\1")  # the same texts as _ELONGATED.search, found in 60 % of its time
_ELONGATED_WORD = re.compile(r"\w*(\w)\1{2,}\w*")


@lru_cache(maxsize=2)
def _known_words(language: str) -> frozenset[str]:
    """Words the analyzer knows: TextBlob's lexicon, ours and the modifiers."""
    data = _language(language)
    words = {w for entry in data.lexicon for w in entry} | set(data.negators) | set(data.boosters)
    return frozenset(words | {normalise(str(w)) for w in _engine(language).lexicon})


def _deelongated(text: str, language: str) -> str:
    """"sooo greaaat", "loveee it": each run of 3+ letters shortened to the spelling the
    lexicons know (two letters, "goood" -> "good", else one, "greaaat" -> "great")."""
    if not _HAS_ELONGATED.search(text):  # most texts: no word to look at
        return text
    known = _known_words(language)

    def shorten(word: re.Match[str]) -> str:
        double = _ELONGATED.sub(r"\1\1", word.group())
        return double if normalise(double) in known else _ELONGATED.sub(r"\1", word.group())

    return _ELONGATED_WORD.sub(shorten, text)


def extended_polarity(text: str, language: str) -> tuple[float, float]:
    """(polarity, subjectivity) of TextBlob extended with the review vocabulary.

    The text is cut at contrast words; the polarity is the weighted mean of every
    clause's votes: TextBlob's polarity of the clause (``TEXTBLOB_WEIGHT`` of a vote
    when it found an opinion) and each lexicon hit, the votes of a clause after
    "but"/"mais" weighing ``contrast_weight`` times those of the one before. A
    clause of one weak word no longer weighs as much as one of five complaints
    (before Session 8 each clause's mean was one vote).
    """
    engine = _engine(language)
    data = _language(language)
    text = _deelongated(text, language)
    clauses = clause_hits(text, language)
    parts = data.contrast.split(text) if len(clauses) > 1 else [text]
    if len(parts) != len(clauses):  # the two cuts disagree (rare): one clause
        parts, clauses = [text], [[hit for clause in clauses for hit in clause]]
    total = weights = subjectivity = 0.0
    weight = 1.0
    for part, hits in zip(parts, clauses, strict=True):
        polarity, subj = engine(part) if part.strip() else (0.0, 0.0)
        votes = TEXTBLOB_WEIGHT if (polarity or subj) else 0.0
        if votes or hits:  # every vote counts, a clause's by its weight (Session 8: not one per clause)
            total += weight * (votes * polarity + sum(hits))
            weights += weight * (votes + len(hits))
        subjectivity += subj if subj or not hits else 0.5
        weight *= data.contrast_weight
    polarity = total / weights if weights else 0.0
    return max(-1.0, min(1.0, polarity)), subjectivity / len(parts)


@lru_cache(maxsize=8192)
def _title_verdict(title: str, language: str) -> float:
    """A title's own polarity, cached: titles repeat ("Great app", "Love it", "Top")."""
    return extended_polarity(title, language)[0]


def joined(text: str, title: str | None = None) -> str:
    """The text a review is read as, title first: "title. body" (the store's join since issue 7)."""
    return f"{title}. {text or ''}" if title else (text or "")


def analyze(text: str, language: str | None = None,
            languages: Sequence[str] = SUPPORTED_LANGUAGES, title: str | None = None) -> Sentiment:
    """Polarity (-1..1), subjectivity (0..1) and label of one text (routed by language).

    A text without a language is detected among ``languages`` (the config's
    ``languages``); one detected in a language we have no analyzer for is
    ``unknown``, with no polarity. A review's ``title`` is read with its body
    ("title. body") and its own polarity is added ``TITLE_WEIGHT`` times.
    """
    whole = plain_letters(joined(text, title))
    title = plain_letters(title) if title else title
    if not whole or not whole.strip():
        return Sentiment(None, None, "unknown", language)
    lang = _route(whole, language, tuple(languages) or SUPPORTED_LANGUAGES)
    if lang not in SUPPORTED_LANGUAGES:
        return Sentiment(None, None, "unknown", lang)
    polarity, subjectivity = extended_polarity(whole, lang)
    if title and title.strip():
        polarity = max(-1.0, min(1.0, polarity + TITLE_WEIGHT * _title_verdict(title, lang)))
    return Sentiment(polarity, subjectivity, label_for(polarity), lang)


def analyze_raw(text: str, language: str | None = None) -> Sentiment:
    """Plain TextBlob (English) or textblob-fr (French), for comparison."""
    if not text or not text.strip():
        return Sentiment(None, None, "unknown", language)
    lang = _route(text, language)
    if lang not in SUPPORTED_LANGUAGES:
        return Sentiment(None, None, "unknown", lang)
    polarity, subjectivity = _analyzer(lang).analyze(text)
    polarity, subjectivity = float(polarity), float(subjectivity)
    return Sentiment(polarity, subjectivity, raw_label_for(polarity), lang)


def warm_up(languages: Sequence[str] = SUPPORTED_LANGUAGES) -> None:
    """Load what scoring ``languages`` needs (lexicons, engines, language identifier) now."""
    for language in languages:
        if language in SUPPORTED_LANGUAGES:
            analyze("warm up", language)
    identifier(tuple(languages))
    identifier(latin_languages(languages))


Item = tuple[int, str, str | None, str | None]  # (row id, text or body, language or None, title or None)
Scored = tuple[int, Sentiment]


def _analyze_chunk(items: Sequence[tuple[Any, ...]], languages: tuple[str, ...] = SUPPORTED_LANGUAGES) -> list[Scored]:
    """Items are :data:`Item` s; an item of three (no title) reads as one without a title."""
    return [(row_id, analyze(text, language, languages, title[0] if title else None))
            for row_id, text, language, *title in items]
