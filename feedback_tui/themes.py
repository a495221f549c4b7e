"""What negative reviews talk about: the words and phrases that separate them from positive ones.

Issue 17, item 4. For one period and one language, every word and every 2-3
word phrase is counted once per review that contains it, in the negative
reviews and in the positive ones (stars 1-2 / 4-5, or the sentiment label
where a source has no stars: :mod:`feedback_tui.store.theme_texts`). A term
is ranked by the z-score of its log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 16-22), the prior
being the term's frequency in both classes together: a term used by a few
reviews needs a much larger difference than a common one to rank, so rare
typos and one-off names do not fill the list.

Phrases are preferred where they carry the signal: when a longer phrase that
contains a term ("mise à jour" for "jour") is in at least half of the
negative reviews that use the term, the phrase is listed instead, and a term
that overlaps one already listed (contains it, is part of it, or continues
it: "client ne répond" after "service client") is not listed again. Stop words (French and
English, ``sentiment_data/stopwords_*.txt``) never stand alone nor start or
end a phrase; a negation may start one ("pas reçu", "not working"); numbers
break phrases and are never terms.

Each theme carries the ids of the negative reviews that contain it, so that
the dashboard can open exactly those in the inbox, and its count in the
previous period (the change is in percentage points of the negative reviews,
the count alone moves with the volume).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store.theme_texts import LabelledText, labelled_sample

DATA_DIR = Path(__file__).resolve().parent / "sentiment_data"
NEGATIONS = frozenset({"not", "no", "never", "nothing", "pas", "ne", "jamais", "rien", "aucun", "aucune",
                       "plus", "sans", "non"})
ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"})
MAX_N = 3
MIN_COUNT = 3  # negative reviews that must contain a term before it can rank
MIN_Z = 1.96  # a theme is more frequent in negative reviews than chance allows at 95 %
PHRASE_SHARE = 0.5  # a phrase replaces a term when it is in this share of the term's negative reviews
MIN_NEGATIVE = 10  # fewer negative reviews than this in a period: no themes, say so
LIMIT = 10
# Texts read per language and verdict (negative / positive) in a period: a bigger period is
# ranked on this many, chosen by a fixed hash of the id (store.theme_texts), and its counts
# are estimates from the sample's shares. 1,000 of 65,000 reviews a month at 1M reviews:
# 1.9 s and 30 MB instead of 21 s and 300 MB (2,000: 3.2 s and 60 MB).
SAMPLE_PER_CLASS = 1000
# Strength of the prior, as a share of the pooled counts: at 1 (the pooled counts themselves)
# a term used 36 times in 373 negative reviews and 84 times in 18,733 positive ones ranked
# below 5/0 phrases on a real Trustpilot file; at 0.01 single common words ("reçu", "après")
# filled the list. 0.1 was chosen on that one file (3a of benchmarks/SENTIMENT.md).
PRIOR_SCALE = 0.1

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Punctuation and digits end a phrase: "crash. Update" is no theme, nor "version 2 crash".
_BREAK = re.compile(r"[.!?;:,()\[\]{}\"«»…/\\|*+=<>#@&\n\r\t\d–—-]+")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    words: set[str] = set()
    for language in ("en", "fr"):
        for line in (DATA_DIR / f"stopwords_{language}.txt").read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                words.update(line.split())
    return frozenset(words - NEGATIONS)


def tokens(chunk: str) -> list[str]:
    """Lower-case words of one phrase-free chunk; a French elision ("l'appli") becomes "l'" "appli"."""
    out: list[str] = []
    for word in _WORD.findall(chunk):
        word = word.replace("’", "'")
        head, apostrophe, rest = word.partition("'")
        if apostrophe and head in ELISIONS and rest:
            out += [head + "'", *tokens(rest)]
        else:
            out.append(word)
    return out


def terms(text: str) -> set[tuple[str, ...]]:
    """The words and 2-3 word phrases of ``text`` that can be themes, once each."""
    stop = stop_words()
    found: set[tuple[str, ...]] = set()
    folded = unicodedata.normalize("NFC", text).lower()
    for chunk in _BREAK.split(folded):
        words = tokens(chunk)
        for i, first in enumerate(words):
            if first.rstrip("'") in stop or first in stop:
                continue
            negation = first in NEGATIONS
            for n in range(1, MAX_N + 1):
                if i + n > len(words):
                    break
                last = words[i + n - 1]
                if n > 1 and (last in stop or last.rstrip("'") in stop or last in NEGATIONS):
                    continue
                if n == 1 and (negation or len(first) < 2):
                    continue
                found.add(tuple(words[i:i + n]))
    return found


def display(term: Sequence[str]) -> str:
    """"mise à jour", "l'appli": elisions keep their apostrophe against the next word."""
    out = ""
    for word in term:
        out += word if (not out or out.endswith("'")) else " " + word
    return out


@dataclass(slots=True)
class Theme:
    phrase: str
    z: float  # log-odds z-score: how much more negative reviews use it than positive ones
    negative: int  # negative reviews of the period that contain it
    positive: int
    share: float  # of the period's negative reviews, in %
    previous_negative: int | None = None  # same count in the previous period (None: no previous period)
    previous_share: float | None = None
    ids: list[int] = field(default_factory=list)  # the negative reviews that contain it (empty when sampled)
    estimated: bool = False  # counts scaled from a sample of the period's reviews

    @property
    def change(self) -> float | None:
        """Change of the share against the previous period, in percentage points."""
        if self.previous_share is None:
            return None
        return self.share - self.previous_share


@dataclass(slots=True)
class LanguageThemes:
    language: str
    n_negative: int
    n_positive: int
    previous_negative: int | None
    themes: list[Theme]
    read_negative: int | None = None  # negative reviews read when the period was sampled (None: all of them)

    @property
    def enough(self) -> bool:
        return self.n_negative >= MIN_NEGATIVE


def log_odds(negative: Counter, positive: Counter, total_neg: int | None = None,
             total_pos: int | None = None) -> dict[Any, float]:
    """z-scores of the log-odds ratio, negative against positive, with the pooled counts as prior.

    ``total_neg`` / ``total_pos``: the classes' term counts when the counters hold only
    some of their terms (:func:`rank` keeps those that can rank); else their sums.
    """
    total_neg = sum(negative.values()) if total_neg is None else total_neg
    total_pos = sum(positive.values()) if total_pos is None else total_pos
    if not total_neg or not total_pos:
        return {}
    alpha0 = PRIOR_SCALE * (total_neg + total_pos)
    scores: dict[tuple[str, ...], float] = {}
    for term, y_neg in negative.items():
        y_pos = positive.get(term, 0)
        alpha = PRIOR_SCALE * (y_neg + y_pos)  # alpha0 * the term's pooled frequency
        delta = (math.log((y_neg + alpha) / (total_neg + alpha0 - y_neg - alpha))
                 - math.log((y_pos + alpha) / (total_pos + alpha0 - y_pos - alpha)))
        scores[term] = delta / math.sqrt(1.0 / (y_neg + alpha) + 1.0 / (y_pos + alpha))
    return scores


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i:i + n] == short for i in range(len(long) - n + 1))


def _overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One contains the other, or one ends with what the other starts with ("service client" /
    "client ne répond"): two pieces of one phrase. "app crashes" / "app freezes" do not overlap."""
    if _contains(a, b) or _contains(b, a):
        return True
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(1, min(len(a), len(b))))


def rank(negative_texts: Iterable[str], positive_texts: Iterable[str], limit: int = LIMIT,
         should_stop: Callable[[], bool] | None = None) -> list[tuple[tuple[str, ...], float, int, int]]:
    """The ``limit`` terms most typical of the negative texts: (term, z, negative, positive) reviews.

    What it holds is bounded (issue 19: the themes were 30 MB of the app's peak memory
    at 1M reviews): terms are counted under one string each ("mise à jour"), not a
    tuple of words; then those in fewer than ``MIN_COUNT`` negative texts, which can
    never rank, are dropped, and a positive text's terms are only counted when they
    are left (the classes' totals are kept apart): the same ranking, a fraction of
    the counters. The negative texts are read twice (:func:`_frequent`), so that the
    terms of a single text or two are never counted at all.
    """
    negative, total_neg = _frequent(list(negative_texts), should_stop)
    positive: Counter = Counter()
    total_pos = 0
    for text in _watched(positive_texts, should_stop):
        keys = _keys(text)
        total_pos += len(keys)
        positive.update(key for key in keys if key in negative)
    scores = log_odds(negative, positive, total_neg, total_pos)
    kept = [key for key, z in scores.items() if z >= MIN_Z]
    candidates = {tuple(key.split(" ")): scores[key] for key in kept}
    negative = Counter({tuple(key.split(" ")): negative[key] for key in kept})
    positive = Counter({tuple(key.split(" ")): positive[key] for key in kept if key in positive})
    longer: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for term in candidates:
        for n in range(1, len(term)):
            for i in range(len(term) - n + 1):
                longer.setdefault(term[i:i + n], []).append(term)

    def extend(term: tuple[str, ...]) -> tuple[str, ...]:
        """The phrase that carries the term's signal: the most used containing phrase, if used enough."""
        options = [p for p in longer.get(term, ()) if negative[p] >= PHRASE_SHARE * negative[term]]
        if not options:
            return term
        return extend(max(options, key=lambda p: (negative[p], len(p), candidates[p])))

    chosen: list[tuple[str, ...]] = []
    for term in sorted(candidates, key=lambda t: (-candidates[t], -len(t), t)):
        if len(chosen) >= limit:
            break
        best = extend(term)
        if any(_overlaps(best, c) for c in chosen):
            continue
        chosen.append(best)
    return [(t, candidates[t], negative[t], positive.get(t, 0)) for t in chosen]


HASH_BUCKETS = 1 << 18  # a first pass's counts (one byte each): 256 KiB


def _frequent(texts: Sequence[str], should_stop: Callable[[], bool] | None = None) -> tuple[Counter, int]:
    """The terms (as :func:`_keys`) in at least ``MIN_COUNT`` of ``texts``, with their counts, and
    how many (text, term) pairs there are in all.

    Counting every term of 1,000 texts held some 37,000 of them, mostly 3-word phrases
    met once, to keep about 3,000 (issue 19: 4 MB of the app's peak at 1M reviews).
    A first pass counts the terms' hashes in ``HASH_BUCKETS`` byte counters (stopping
    at ``MIN_COUNT``); a term whose bucket stays under it is in fewer texts, so the
    second pass counts only the others: the same counts, for a few thousand terms.
    """
    buckets = bytearray(HASH_BUCKETS)
    mask = HASH_BUCKETS - 1
    pairs = 0
    for text in _watched(texts, should_stop):
        found = terms(text)
        pairs += len(found)
        for term in found:
            slot = hash(term) & mask
            if buckets[slot] < MIN_COUNT:
                buckets[slot] += 1
    counts: Counter = Counter()
    for text in _watched(texts, should_stop):
        counts.update(" ".join(term) for term in terms(text) if buckets[hash(term) & mask] >= MIN_COUNT)
    return Counter({key: n for key, n in counts.items() if n >= MIN_COUNT}), pairs


def _keys(text: str) -> list[str]:
    """:func:`terms` of ``text``, each as one string, its words joined by spaces (none holds one)."""
    return [" ".join(term) for term in terms(text)]


def _containing(texts: Iterable[LabelledText], wanted: set[tuple[str, ...]]) -> dict[tuple[str, ...], list[int]]:
    out: dict[tuple[str, ...], list[int]] = {t: [] for t in wanted}
    for row in texts:
        for term in terms(row.text) & wanted:
            out[term].append(row.id)
    return out


class Stopped(Exception):
    """``should_stop`` said so: nobody waits for these themes any more (the panel is gone)."""


def _watched(items: Iterable[Any], should_stop: Callable[[], bool] | None, every: int = 50) -> Iterator[Any]:
    """``items``, asking ``should_stop`` every ``every`` of them (raises :class:`Stopped`)."""
    for index, item in enumerate(items):
        if should_stop is not None and index % every == 0 and should_stop():
            raise Stopped
        yield item


def compare(current: Sequence[LabelledText], previous: Sequence[LabelledText] | None,
            limit: int = LIMIT, *, totals: dict[tuple[str, bool], int] | None = None,
            previous_totals: dict[tuple[str, bool], int] | None = None,
            should_stop: Callable[[], bool] | None = None) -> dict[str, LanguageThemes]:
    """Themes per language of ``current``, with their counts in ``previous`` (None: no previous period).

    ``totals`` (and ``previous_totals``) give each (language, negative) class's size when
    the texts are a sample of it: counts are then the sample's shares of those totals.
    ``should_stop`` is asked every 50 texts (the dashboard's worker: its screen was left,
    seconds of a core at a million reviews) and :class:`Stopped` raised when it says so.
    """
    totals, previous_totals = totals or {}, previous_totals or {}
    out: dict[str, LanguageThemes] = {}
    for language in sorted({row.language for row in current}):
        neg = [row for row in current if row.language == language and row.negative]
        pos = [row for row in current if row.language == language and not row.negative]
        before = [row for row in previous or () if row.language == language and row.negative]
        n_neg, n_pos = totals.get((language, True), len(neg)), totals.get((language, False), len(pos))
        n_before = previous_totals.get((language, True), len(before))
        sampled = n_neg > len(neg) or n_pos > len(pos) or n_before > len(before)
        ranked = rank([r.text for r in neg], (r.text for r in pos), limit,
                      should_stop) if n_neg >= MIN_NEGATIVE else []
        wanted = {term for term, *_ in ranked}
        ids = _containing(_watched(neg, should_stop), wanted)
        earlier = _containing(_watched(before, should_stop), wanted) if previous is not None else {}
        themes = []
        for term, z, in_neg, in_pos in ranked:
            share = 100.0 * in_neg / len(neg)
            theme = Theme(display(term), round(z, 2), _scaled(in_neg, len(neg), n_neg),
                          _scaled(in_pos, len(pos), n_pos), share, ids=[] if sampled else ids[term],
                          estimated=sampled)
            if previous is not None:
                theme.previous_negative = _scaled(len(earlier[term]), len(before), n_before)
                theme.previous_share = 100.0 * len(earlier[term]) / len(before) if before else None
            themes.append(theme)
        out[language] = LanguageThemes(language, n_neg, n_pos, n_before if previous is not None else None,
                                       themes, read_negative=len(neg) if sampled else None)
    return out


def _scaled(count: int, read: int, total: int) -> int:
    """A count in ``read`` texts, as a count in ``total`` (the same when all were read)."""
    return count if read >= total or not read else round(count * total / read)


def for_period(store: Store, filters: Filters, previous: Filters | None = None,
               limit: int = LIMIT, per_class: int | None = None,
               should_stop: Callable[[], bool] | None = None) -> dict[str, LanguageThemes]:
    """The themes of the reviews ``filters`` select, against those ``previous`` selects
    (each read as a sample of at most ``per_class``, default SAMPLE_PER_CLASS, texts per class;
    ``should_stop``: see :func:`compare`)."""
    per_class = per_class or SAMPLE_PER_CLASS
    current = labelled_sample(store, filters, per_class)
    if should_stop is not None and should_stop():
        raise Stopped
    earlier = labelled_sample(store, previous, per_class, negative_only=True) if previous is not None else None
    return compare(current.rows, earlier.rows if earlier else None, limit, totals=current.totals,
                   previous_totals=earlier.totals if earlier else None, should_stop=should_stop)


def period_themes(store: Store, figures: dict[str, Any], base: Filters) -> dict[str, Any]:
    """The themes of the period a :func:`feedback_tui.trends.dashboard` result shows, for a report."""
    trend, selected = figures["trend"], figures["selected"]
    current = trend[selected]
    previous = trend[selected - 1] if selected > 0 else None

    def window(point: dict[str, Any]) -> Filters:
        return Filters(source=base.source, product=base.product, language=base.language, since=point["since"],
                       until=point["until"])

    return {"period": current["period"], "previous": previous["period"] if previous else None,
            "languages": for_period(store, window(current), window(previous) if previous else None)}


def to_dict(result: dict[str, LanguageThemes]) -> dict[str, object]:
    """JSON-ready, without the review ids."""
    return {language: {"n_negative": block.n_negative, "n_positive": block.n_positive,
                       "previous_negative": block.previous_negative, "read_negative": block.read_negative,
                       "themes": [{"phrase": t.phrase, "z": t.z, "negative": t.negative, "positive": t.positive,
                                   "share": round(t.share, 1), "previous_negative": t.previous_negative,
                                   "change": None if t.change is None else round(t.change, 1),
                                   "estimated": t.estimated}
                                  for t in block.themes]}
            for language, block in result.items()}
