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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from feedback_tui import sentiment_pattern
from feedback_tui.language_id import SUPPORTED_LANGUAGES, detect_language, identifier, plain_letters

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
DATA_DIR = Path(__file__).resolve().parent / "sentiment_data"
# How TextBlob's polarity of a clause counts against one lexicon hit, and how much a
# negated word keeps of its flipped score when the lexicon gives no negated score.
TEXTBLOB_WEIGHT = 0.25
NEGATION_FACTOR = -0.6
NEGATION_WINDOW = 4  # words after a negator that it flips
MAX_PHRASE = 4
FORMER_SCORE = -0.4  # "used to be", "c'etait mieux avant": the reviewer says it got worse

_ACCENTS = str.maketrans(
    "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ’‘`´",
    "aaaaaaceeeeiiiinooooouuuuyyoe''''",
)


@dataclass(frozen=True, slots=True)
class _Language:
    lexicon: dict[tuple[str, ...], tuple[float, float, bool]]  # words -> (score, when negated, votes)
    first_words: dict[str, int]  # first word of the lexicon entries -> longest entry starting with it
    first_pairs: frozenset[tuple[str, str]]  # the first two words of the entries of two words or more
    negators: frozenset[str]
    resolvers: frozenset[str]
    post_negators: frozenset[str]
    boosters: dict[str, float]
    contrast: re.Pattern[str]  # splits the original text into clauses
    contrast_words: dict[str, tuple[tuple[str, ...], ...]]  # first word -> contrast terms (as words)
    contrast_weight: float
    former: dict[str, tuple[tuple[str, ...], ...]]  # first word -> "used to be" phrases (praise in the past)


def _rows(name: str) -> list[list[str]]:
    rows = []
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                rows.append(line.rstrip("\n").split("\t"))
    return rows


_ACCENTED = {chr(code): chr(plain) for code, plain in _ACCENTS.items()}
_ACCENTED_RE = re.compile("[" + "".join(_ACCENTED) + "]")


def normalise(text: str) -> str:
    """Lower case without accents, the form the data files are written in.

    The same as ``lowered.translate(_ACCENTS)``, four times faster (issue 17's 3x
    TextBlob): ``translate`` looks every character up in a dict, while the regex
    scans in C and calls back only for the few accented letters of a review.
    """
    lowered = text.lower()
    return lowered if lowered.isascii() else _ACCENTED_RE.sub(_plain_letter, lowered)


def _plain_letter(match: re.Match[str]) -> str:
    return _ACCENTED[match.group()]


@lru_cache(maxsize=1)
def _emoji() -> dict[str, float]:
    return {row[0].lower(): float(row[1]) for row in _rows("emoji.tsv")}


@lru_cache(maxsize=1)
def _token_re() -> re.Pattern[str]:
    emoticons = sorted((e for e in _emoji() if not e.isalpha() and len(e) > 1), key=len, reverse=True)
    symbols = "".join(e for e in _emoji() if len(e) == 1)
    # Words first: most positions start one, and no emoticon starts with a letter or a
    # digit (checked), so trying them first finds the same tokens with fewer branches.
    leading = [re.escape(e) for e in emoticons if e[0].isalnum()]
    others = [re.escape(e) for e in emoticons if not e[0].isalnum()]
    parts = leading + [r"[a-z0-9]+"] + others + [f"[{re.escape(symbols)}]", r"[.!?;,]"]
    return re.compile("|".join(parts))


_LOOKALIKES = {"a": "aàâäáã", "e": "eéèêë", "i": "iîïí", "o": "oôöó", "u": "uùûüú", "c": "cç"}


def _accent_tolerant(term: str) -> str:
    """A regex for an accent-free term that also matches its accented spellings."""
    parts = []
    for ch in term:
        if ch == " ":
            parts.append(r"\s+")
        elif ch in _LOOKALIKES:
            parts.append(f"[{_LOOKALIKES[ch]}]")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


@lru_cache(maxsize=4)
def _language(lang: str) -> _Language:
    modifiers = [row for row in _rows("modifiers.tsv") if row[0] == lang]
    negators = frozenset(term for _, role, term, *_ in modifiers if role == "negator")
    lexicon: dict[tuple[str, ...], tuple[float, float, bool]] = {}
    for term, score, *negated in _rows(f"lexicon_{lang}.tsv"):
        words = tuple(term.split())
        value = float(score)
        votes = True  # a 0 without a negated score is a vote for neutral ("ok", "sans plus")
        if negated and negated[0].strip():
            flipped = float(negated[0])
            votes = value != 0  # "arrived" only counts when negated
        elif len(words) > 1 and negators.intersection(words):
            flipped = value  # "no problem", "pas terrible": the negation is part of the phrase
        else:
            flipped = NEGATION_FACTOR * value
        lexicon[words] = (value, flipped, votes)
    contrast = [term for _, role, term, *_ in modifiers if role == "contrast"]
    weights = {float(f) for _, role, _, f in modifiers if role == "contrast"}
    # The lookahead on the first letters rejects most word starts at once (a regex tries each
    # alternative in turn): twice as fast with the twenty-odd English terms of Session 8.
    firsts = "".join(sorted({re.escape(ch) for t in contrast for ch in _LOOKALIKES.get(t[0], t[0])}))
    pattern = r"\b(?=[" + firsts + r"])(?:" + "|".join(_accent_tolerant(t) for t in contrast) + r")\b"
    contrast_words = _phrases(contrast)
    return _Language(
        lexicon=lexicon,
        first_words=_longest(lexicon),
        first_pairs=frozenset(words[:2] for words in lexicon if len(words) > 1),
        negators=negators,
        resolvers=frozenset(term for _, role, term, *_ in modifiers if role == "resolver"),
        post_negators=frozenset(term for _, role, term, *_ in modifiers if role == "post_negator"),
        boosters={term: float(f) for _, role, term, f in modifiers if role in ("intensifier", "diminisher")},
        contrast=re.compile(pattern, re.IGNORECASE),
        contrast_words=contrast_words,
        contrast_weight=max(weights) if weights else 1.0,
        former=_phrases(term for _, role, term, *_ in modifiers if role == "former"),
    )


def _phrases(terms: Iterable[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Multi-word terms by their first word, longest first, for matching at a token."""
    phrases: dict[str, tuple[tuple[str, ...], ...]] = {}
    for term in sorted(terms, key=lambda t: -len(t.split())):
        words = tuple(term.split())
        phrases[words[0]] = (*phrases.get(words[0], ()), words)
    return phrases


def _match(phrases: dict[str, tuple[tuple[str, ...], ...]], tokens: list[str], i: int) -> int:
    """Length of the longest phrase starting at tokens[i], 0 for none."""
    return next((len(w) for w in phrases.get(tokens[i], ()) if tuple(tokens[i : i + len(w)]) == w), 0)


def _longest(lexicon: dict[tuple[str, ...], object]) -> dict[str, int]:
    longest: dict[str, int] = {}
    for words in lexicon:
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return longest


_PUNCTUATION = frozenset(".!?;,")


@lru_cache(maxsize=4)
def _special(language: str) -> frozenset[str]:
    """Every token :func:`clause_hits` does something with: the punctuation, the emoji and
    the words of every table of the language (a lexicon entry by its first word). Any other
    token changes no state there, so the loop steps over it at once (issue 19: most words
    of a review). Taken from all of ``_Language``'s tables, so a new role is in it."""
    data = _language(language)
    tokens = set(_PUNCTUATION) | set(_emoji())
    for field in fields(data):
        table = getattr(data, field.name)
        if isinstance(table, (dict, frozenset)):
            tokens.update(key[0] if isinstance(key, tuple) else key for key in table)
    return frozenset(tokens)


def lexicon_hits(text: str, language: str) -> list[float]:
    """Scores of the review-vocabulary words, emoji, negations and intensifiers in ``text``."""
    return [hit for clause in clause_hits(text, language) for hit in clause]


def clause_hits(text: str, language: str) -> list[list[float]]:
    """Lexicon hits per clause (a contrast word such as "but" or "mais" starts a new clause)."""
    data = _language(language)
    emoji = _emoji()
    tokens = _token_re().findall(normalise(text))
    lexicon, first_words, negators, boosters = data.lexicon, data.first_words, data.negators, data.boosters
    first_pairs = data.first_pairs
    post_negators, resolvers, contrast, former = data.post_negators, data.resolvers, data.contrast_words, data.former
    hits: list[float] = []
    clauses = [hits]
    negated_until = resolved_until = boosted_until = former_until = -1
    boost = 1.0
    i, n = 0, len(tokens)
    special = _special(language)
    while i < n:
        token = tokens[i]
        if token not in special:
            i += 1
            continue
        if token in _PUNCTUATION:
            negated_until = resolved_until = boosted_until = former_until = -1
            i += 1
            continue
        if token in emoji:
            hits.append(emoji[token])
            i += 1
            continue
        if token in contrast and (size := _match(contrast, tokens, i)):
            hits = []
            clauses.append(hits)
            negated_until = resolved_until = boosted_until = former_until = -1
            i += size
            continue
        if token in former and (size := _match(former, tokens, i)):
            hits.append(FORMER_SCORE)  # "used to be great": a complaint about today
            former_until = i + size - 1 + NEGATION_WINDOW
            i += size
            continue
        entry = None
        size = 1
        longest = first_words.get(token)
        if longest == 1:
            entry = lexicon[(token,)]
        elif longest:  # a phrase only when the next word can continue one ("i like", not "i am")
            if i + 1 < n and (token, tokens[i + 1]) in first_pairs:
                for size in range(min(longest, n - i), 1, -1):
                    entry = lexicon.get(tuple(tokens[i : i + size]))
                    if entry is not None:
                        break
            if entry is None:
                size = 1
                entry = lexicon.get((token,))
        if entry is not None:
            score, flipped, votes = entry
            negated = i <= negated_until or (
                size == 1 and token not in negators
                and ((i + 1 < n and tokens[i + 1] in post_negators)
                     or (i + 2 < n and tokens[i + 2] in post_negators and tokens[i + 1] not in _PUNCTUATION)))
            if negated and flipped != score:
                value, votes = flipped, True
            elif score < 0 and i <= resolved_until:
                value = NEGATION_FACTOR * score
            elif score > 0 and i <= former_until:
                value = NEGATION_FACTOR * score
            else:
                value = score
            if i <= boosted_until:
                value *= boost
            if votes:
                hits.append(max(-1.0, min(1.0, value)))
            if token in resolvers:
                resolved_until = i + NEGATION_WINDOW
            i += size
            continue
        if token in negators:
            negated_until = i + NEGATION_WINDOW
        elif token in resolvers:
            resolved_until = i + NEGATION_WINDOW
        elif token in boosters:
            boost, boosted_until = boosters[token], i + 2
        i += 1
    return clauses


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


Item = tuple[int, str, str | None, str | None]  # (row id, text or body, language or None, title or None)
Scored = tuple[int, Sentiment]


def _analyze_chunk(items: Sequence[tuple[Any, ...]], languages: tuple[str, ...] = SUPPORTED_LANGUAGES) -> list[Scored]:
    """Items are :data:`Item` s; an item of three (no title) reads as one without a title."""
    return [(row_id, analyze(text, language, languages, title[0] if title else None))
            for row_id, text, language, *title in items]
