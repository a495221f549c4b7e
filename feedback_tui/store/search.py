"""What a search box's text means: FTS5 terms, literal symbols, and where they match.

Plain mode (the default) never errors on words: every word is quoted for FTS5,
so ``AND``, ``OR``, ``NOT working``, ``col:word`` or ``NEAR(`` are searched as
the words they are. A trailing ``*`` keeps its meaning of "words starting
with". A query that starts with ``?`` is FTS5's own syntax (``?refund OR
remboursement``, ``?"not working" NOT app``), for agents who want operators.

The FTS5 tokenizer (unicode61) drops emoji and symbols, so ``😭`` or ``€``
would match nothing: a word without a letter or digit becomes a *literal*
instead, looked for with ``instr`` in the title and body. Next to a word it
only checks the rows the full-text index found, the newest ``WORD_LITERAL_SCAN_ROWS``
of them when there are more (a common word); alone it is looked for in the
newest ``LITERAL_SCAN_ROWS`` reviews (its first page and its count); the inbox
says which (measured in benchmarks/, see README "Search").

:func:`match_spans` finds the terms in a text the way FTS5 matched them (case
and accents folded), so the list and the detail can highlight them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

ADVANCED_PREFIX = "?"
# How many of the newest reviews a search of symbols alone reads (30-65 ms at
# 1M, a page and its count; a symbol in no review read every text, 2-3 s at 1M; with
# 50,000 the app took 240-370 ms, its page and count each reading their rows cold).
LITERAL_SCAN_ROWS = 20_000
# Next to a word in more reviews than this, symbols are looked for in its newest this
# many (store.inbox.literal_bound). Reading them costs more than the newest reviews
# alone (the date index is walked past the reviews without the word): "delivery 😭" at
# 1M, one count, 206 ms with 20,000, 118 ms with 10,000, 63 ms with 5,000 (load 4).
WORD_LITERAL_SCAN_ROWS = 10_000
_TOKENS = re.compile(r'"[^"]*"\*?|\S+')
_WORDISH = re.compile(r"\w", re.UNICODE)
_INVISIBLE = dict.fromkeys(map(ord, "\ufe0f\ufe0e\u200d"))  # emoji presentation selectors, ZWJ


@dataclass(frozen=True)
class SearchPlan:
    """One search, ready for SQL: the FTS5 query (or None) and the literal symbols."""

    text: str
    advanced: bool
    fts: str | None
    literals: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    """What to highlight: words (folded; a trailing ``*`` marks a prefix) and literals."""

    @property
    def empty(self) -> bool:
        return not self.fts and not self.literals

    @property
    def symbols_only(self) -> bool:
        """Symbols and no word: nothing for the full-text index to narrow, every text
        is read, so the inbox reads the newest ``LITERAL_SCAN_ROWS`` reviews only."""
        return bool(self.literals) and not self.fts


def plan(text: str) -> SearchPlan:
    """The search box's text as a :class:`SearchPlan` (see the module's docstring)."""
    text = text.strip()
    if text.startswith(ADVANCED_PREFIX):
        expression = text[len(ADVANCED_PREFIX):].strip()
        words = tuple(fold(w) for w in re.findall(r"\w+\*?", re.sub(r"\b(AND|OR|NOT|NEAR)\b", " ", expression)))
        return SearchPlan(text, True, expression or None, (), words)
    phrases: list[str] = []
    literals: list[str] = []
    terms: list[str] = []
    for token in _TOKENS.findall(text):
        if len(token) > 1 and token.startswith('"') and token.endswith('"'):  # a phrase, still literal words
            token = token[1:-1]
        prefix = token.endswith("*") and len(token) > 1
        word = token[:-1] if prefix else token
        if _WORDISH.search(word):
            phrases.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
            terms.extend(fold(w) + ("*" if prefix else "") for w in re.findall(r"\w+", word))
        else:
            literal = word.translate(_INVISIBLE)
            if literal and literal not in literals:
                literals.append(literal)
                terms.append(literal)
    return SearchPlan(text, False, " ".join(phrases) or None, tuple(literals), tuple(terms))


def words_of(text: str) -> str:
    """The words of a plain search as typed, its symbols left out, quoted: what the
    status line names when symbols were looked for among their newest reviews only
    (``delivery 😭`` gives ``"delivery"``)."""
    words = [token for token in _TOKENS.findall(text.strip()) if _WORDISH.search(token)]
    return '"' + " ".join(words).replace('"', "") + '"'


def fold(word: str) -> str:
    """A word as the FTS5 tokenizer stores it (lower case, accents removed)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_FOLDED_CHARS: dict[str, str] = {}


def _folded_with_map(text: str) -> tuple[str, Sequence[int]]:
    """``text`` folded, with the index in ``text`` of each folded character.

    Every search page centres its hundred excerpts on their first match: folding
    each character through :func:`fold` took 60-180 ms a page at any N (2 µs a
    character). ASCII folds to its lower case, one character for one; any other
    character is folded once and remembered.
    """
    if text.isascii():
        return text.lower(), range(len(text))
    out: list[str] = []
    where: list[int] = []
    if len(_FOLDED_CHARS) > 20_000:  # a hostile text of every code point: start again
        _FOLDED_CHARS.clear()
    for index, char in enumerate(text):
        folded = _FOLDED_CHARS.get(char)
        if folded is None:
            folded = _FOLDED_CHARS[char] = fold(char)
        for piece in folded:
            out.append(piece)
            where.append(index)
    return "".join(out), where


def match_spans(text: str, terms: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` character ranges of ``text`` where a term matches, sorted, not overlapping.

    A word matches whole words (or word starts for ``word*``), folded as the
    index folds them; a literal (emoji, symbol) matches wherever it occurs.
    """
    if not text or not terms:
        return []
    folded, where = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        if _WORDISH.search(term):
            prefix = term.endswith("*")
            core = re.escape(term.rstrip("*"))
            pattern = re.compile(rf"(?<!\w){core}" + (r"\w*" if prefix else r"(?!\w)"))
            for found in pattern.finditer(folded):
                spans.append((where[found.start()], where[found.end() - 1] + 1))
        else:
            start = text.find(term)
            while start != -1:
                spans.append((start, start + len(term)))
                start = text.find(term, start + len(term))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def centred_excerpt(text: str, terms: tuple[str, ...], width: int = 300, lead: int = 24) -> str:
    """``width`` characters of ``text`` starting a little before the first match ("…" marks a cut)."""
    spans = match_spans(text, terms)
    if not spans or spans[0][0] <= lead:
        return text[:width]
    start = spans[0][0] - lead
    space = text.rfind(" ", start - 15, start + 1)  # start on a word boundary when one is near
    if space > 0:
        start = space + 1
    return "…" + text[start:start + width - 1]
