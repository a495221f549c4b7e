"""The review-language lexicon of the sentiment analyzer: its data files and the token loop.

Split from :mod:`feedback_tui.sentiment` (issue 17, which keeps modules under
~500 lines): the lexicon per language (``sentiment_data/``), negators,
intensifiers, emoji, contrast words and "used to be" phrases, and
:func:`clause_hits`, the loop that turns a text's tokens into lexicon hits.
:mod:`feedback_tui.sentiment` adds TextBlob's verdict to them; the learned
model (:mod:`feedback_tui.sentiment_features`) reads their sums. No TextBlob here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "sentiment_data"
# How TextBlob's polarity of a clause counts against one lexicon hit, and how much a
# negated word keeps of its flipped score when the lexicon gives no negated score.
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


def lexicon_hits(text: str, language: str, tokenised: list[str] | None = None) -> list[float]:
    """Scores of the review-vocabulary words, emoji, negations and intensifiers in ``text``
    (``tokenised``: its :func:`tokens`, when the caller has them)."""
    return [hit for clause in clause_hits(text, language, tokenised) for hit in clause]


def tokens(text: str) -> list[str]:
    """The tokens :func:`clause_hits` reads: words, emoji, emoticons and punctuation of the normalised text.

    No token spans a whitespace (checked by a test on every emoticon), so a text's tokens
    are the concatenation of its whitespace-separated chunks' tokens: the learned model's
    scorer caches them per chunk (:class:`feedback_tui.sentiment_features.Scorer`).
    """
    return _token_re().findall(normalise(text))


def clause_hits(text: str, language: str, tokenised: list[str] | None = None) -> list[list[float]]:
    """Lexicon hits per clause (a contrast word such as "but" or "mais" starts a new clause).

    ``tokenised``: the text's :func:`tokens`, when the caller has them already.
    """
    data = _language(language)
    emoji = _emoji()
    tokens = tokenised if tokenised is not None else _token_re().findall(normalise(text))
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


def lexicon_sums(texts: Sequence[str], language: str | Sequence[str | None], scale: float,
                 tokenised: Sequence[list[str]] | None = None) -> Any:
    """The lexicon's verdict as two dense features of the learned model: ``scale`` times
    tanh of the sum of the positive hits and of the negative hits (negation-aware, from
    :func:`lexicon_hits`), an array of (texts x 2).

    ``language`` is one language for every text or one per text; a text in a language
    without a lexicon gets zeros. Small workspaces gain most (a prior the n-grams lack:
    benchmarks/SENTIMENT.md, Session 6). ``tokenised``: each text's
    :func:`tokens`, when the caller has them (the scorer).
    """
    import numpy

    from feedback_tui.language_id import SUPPORTED_LANGUAGES

    languages = [language] * len(texts) if isinstance(language, str) or language is None else list(language)
    sums: list[tuple[float, float]] = []
    for k, (text, lang) in enumerate(zip(texts, languages, strict=True)):
        if lang not in SUPPORTED_LANGUAGES or not text:
            sums.append((0.0, 0.0))
            continue
        positive = negative = 0.0
        for hit in lexicon_hits(text, lang, None if tokenised is None else tokenised[k]):
            if hit > 0:
                positive += hit
            elif hit < 0:
                negative -= hit
        sums.append((positive, negative))
    out = numpy.array(sums, dtype=numpy.float64).reshape(len(texts), 2)
    return numpy.tanh(out) * scale
