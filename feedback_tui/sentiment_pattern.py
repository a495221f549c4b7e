"""TextBlob's pattern sentiment of a string, the same numbers in a fifth of the time (issue 19).

``textblob.en.sentiment(text)`` and textblob-fr's ``sentiment(text)`` spend most of their
time in pattern's tokenizer, which walks every token through a dozen ``startswith`` /
``endswith`` tests and a sentence splitter, then in ``assessments``, which builds a dict
per opinion word. Our analyzer calls that engine once per clause of every review, so it
was half of the scoring time.

:func:`engine` returns a function with the engine's result, computed from the same
tables (the loaded lexicon, its negations, modifiers, emoticons, the module's
punctuation, abbreviations and contraction rules) by the same steps:

- the tokenizer's steps that change nothing for most texts are skipped when they cannot
  apply (no apostrophe: no contraction rule; no line break: no paragraph mark); a token
  that neither starts nor ends with punctuation is kept as it is, any other goes through
  pattern's own splitting loop (copied below);
- the sentence splitter only decides where pattern applies its sarcasm ``(!)`` and
  emoticon rewrites. When applying them to the whole text changes nothing, they change
  no sentence either (a rewrite only joins characters across a space, and one that spans
  two sentences contains the space between them), so the words are the text's words;
  when it would change something (``:-)`` split into ``: - )``, ``( ! )``), the text goes
  through pattern's own tokenizer;
- ``assessments`` and the averaging keep pattern's order of operations on floats.

A French text that is a synset id (``a-123``) crashes textblob-fr (it expects a WordNet
synset object there); here it is scored as words, as the English engine does.
``tests/core/test_sentiment_pattern.py`` compares both engines on many texts.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from types import ModuleType
from typing import Any

SYNSET = re.compile(r"^[acdnrv][-_][0-9]+$")  # pattern's RE_SYNSET: textblob-fr takes such a text for a synset


@lru_cache(maxsize=2)
def engine(language: str) -> Pattern:
    """The pattern sentiment function of ``language`` ("en" or "fr"), as (polarity, subjectivity)."""
    if language == "en":
        from textblob import _text as module
        from textblob.en import sentiment

        return Pattern(sentiment, module, module.ABBREVIATIONS, module.replacements, french=False)
    from textblob_fr import _text as module
    from textblob_fr import fr
    from textblob_fr.fr import sentiment

    return Pattern(sentiment, module, fr.ABBREVIATIONS, fr.replacements, french=True)


class Pattern:
    """One language's tables, read once from the loaded pattern ``Sentiment``."""

    def __init__(self, sentiment: Any, module: ModuleType, abbreviations: set[str],
                 replace: dict[str, str], *, french: bool) -> None:
        self.lexicon = sentiment  # pattern's Sentiment: a dict of word -> {pos: scores}
        len(sentiment)  # loads the lexicon
        self.known: dict[str, tuple[float, float, float]] = {
            word: tuple(senses[None]) for word, senses in dict.items(sentiment) if None in senses}
        self.modifier_words = frozenset(
            word for word, senses in dict.items(sentiment) if any(m in senses for m in sentiment.modifiers))
        self.negations = frozenset(sentiment.negations)
        self.modifier = sentiment.modifier
        self.punctuation_text: str = module.PUNCTUATION
        emoticons: dict[str, float] = {}
        for (_type, polarity), faces in module.EMOTICONS.items():
            for face in faces:
                emoticons.setdefault(face.lower(), polarity)
        self.emoticons = emoticons
        # the tokenizer's tables
        punctuation = tuple(module.PUNCTUATION.replace(".", ""))
        self.punctuation = punctuation
        self.leading = frozenset(punctuation)
        self.trailing = frozenset((*punctuation, "."))
        self.abbreviations = abbreviations
        self.replace = replace
        self.contractions = [(re.compile(a), b) for a, b in replace.items()]
        self.apostrophes = ("'", "’") if french else ("'",)
        if any(not any(mark in key for mark in self.apostrophes) for key in replace):
            self.apostrophes = ()  # a rule without an apostrophe: always apply them
        self.abbr = (module.RE_ABBR1, module.RE_ABBR2, module.RE_ABBR3)
        self.eos = module.EOS
        self.linebreak = re.compile(r"\n{2,}")
        self.sarcasm, self.faces = module.RE_SARCASM, module.RE_EMOTICONS
        self.tokenizer = sentiment.tokenizer
        self.french = french

    def without(self, words: frozenset[str]) -> Pattern:
        """A copy that takes ``words`` for unknown ones (they get no assessment)."""
        other = copy.copy(self)
        other.known = {word: senses for word, senses in self.known.items() if word not in words}
        other.modifier_words = self.modifier_words - words
        return other

    # -- tokens ---------------------------------------------------------------------
    def words(self, text: str) -> list[str]:
        """``" ".join(tokenizer(text)).split()``, lower-cased: the words the engine assesses."""
        string = text
        if not self.apostrophes or any(mark in string for mark in self.apostrophes):
            for pattern, replacement in self.contractions:
                string = pattern.sub(replacement, string)
        string = (string.replace("“", " “ ").replace("”", " ” ").replace("‘", " ‘ ")
                  .replace("’", " ’ ").replace("'", " ' ").replace('"', ' " '))
        if "\n" in string:
            string = self.linebreak.sub(f" {self.eos} ", string.replace("\r\n", "\n"))
        leading, trailing, tokens = self.leading, self.trailing, []
        for token in string.split():
            if token[0] in leading or token[-1] in trailing:
                self._split(token, tokens)
            else:
                tokens.append(token)
        eos = self.eos
        joined = " ".join(tokens if eos not in tokens else [token for token in tokens if token != eos])
        if self.sarcasm.sub("(!)", joined) != joined or self.faces.sub(_face, joined) != joined:
            return [w.lower() for w in " ".join(self.tokenizer(text)).split()]  # pattern's own
        if self.french:
            joined = joined.replace("&rsquo ;", "’")
        return joined.lower().split()

    def _split(self, t: str, tokens: list[str]) -> None:
        """pattern's loop for one token with punctuation at an end (``find_tokens``, verbatim)."""
        punctuation, replace, abbreviations = self.punctuation, self.replace, self.abbreviations
        abbr1, abbr2, abbr3 = self.abbr
        tail = []
        while t.startswith(punctuation) and t not in replace:
            # Split leading punctuation.
            if t.startswith(punctuation):
                tokens.append(t[0])
                t = t[1:]
        while t.endswith((*punctuation, ".")) and t not in replace:
            # Split trailing punctuation.
            if t.endswith(punctuation):
                tail.append(t[-1])
                t = t[:-1]
            # Split ellipsis (...) before splitting period.
            if t.endswith("..."):
                tail.append("...")
                t = t[:-3].rstrip(".")
            # Split period (if not an abbreviation).
            if t.endswith("."):
                if (t in abbreviations or abbr1.match(t) is not None or abbr2.match(t) is not None
                        or abbr3.match(t) is not None):
                    break
                tail.append(t[-1])
                t = t[:-1]
        if t != "":
            tokens.append(t)
        tokens.extend(reversed(tail))

    # -- scores ---------------------------------------------------------------------
    def __call__(self, text: str) -> tuple[float, float]:
        """(polarity, subjectivity) of ``text``: pattern's ``Sentiment.__call__`` on a string."""
        return self.average(self.assessments(self.words(text)))

    def assessments(self, words: list[str]) -> list[list[Any]]:
        """pattern's ``Sentiment.assessments`` for untagged words, as [polarity, subjectivity,
        intensity, negated] lists (the words and labels of each chunk are not kept: no score
        reads them)."""
        known, negations, modifier_words, emoticons = self.known, self.negations, self.modifier_words, self.emoticons
        a: list[list[Any]] = []
        m = None  # Preceding modifier (i.e., adverb or adjective).
        n = None  # Preceding negation (e.g., "not beautiful").
        for w in words:
            senses = known.get(w)
            if senses is not None:
                p, s, i = senses
                if m is None:  # Known word not preceded by a modifier ("good").
                    a.append([p, s, i, 1])
                else:  # Known word preceded by a modifier ("really good").
                    last = a[-1]
                    last[0] = max(-1.0, min(p * last[2], +1.0))
                    last[1] = max(-1.0, min(s * last[2], +1.0))
                    last[2] = i
                if n is not None:  # Known word preceded by a negation ("not really good").
                    last = a[-1]
                    last[2] = 1.0 / last[2]
                    last[3] = -1
                m = w if w in modifier_words else None
                n = w if w in negations else None
                continue
            # Unknown word may be a negation ("not good").
            if w in negations:
                n = w
            # Unknown word. Retain negation across small words ("not a good").
            elif n and len(w.strip("'")) > 1:
                n = None
            # Unknown word may be a negation preceded by a modifier ("really not good").
            if n is not None and m is not None and self.modifier(m):
                a[-1][3] = -1
                n = None
            # Unknown word. Retain modifier across small words ("really is a good").
            elif m and len(w) > 2:
                m = None
            # Exclamation marks boost previous word.
            if w == "!" and len(a) > 0:
                a[-1][0] = max(-1.0, min(a[-1][0] * 1.25, +1.0))
            # Exclamation marks in parentheses indicate sarcasm.
            if w == "(!)":
                a.append([0.0, 1.0, 1.0, 1])
            face = emoticons.get(w)
            if face is not None and w.isalpha() is False and len(w) <= 5 and w not in self.punctuation_text:
                a.append([face, 1.0, 1.0, 1])
        return a

    @staticmethod
    def average(a: list[list[Any]]) -> tuple[float, float]:
        """pattern's ``avg`` of the polarities ("not good" counts -0.5 of "good") and subjectivities."""
        polarity = subjectivity = 0
        for p, s, _i, n in a:
            polarity += p * -0.5 if n < 0 else p
            subjectivity += s
        count = float(len(a) or 1)
        return polarity / count, subjectivity / count


def _face(match: re.Match[str]) -> str:
    """pattern's emoticon rewrite: the face without the spaces the tokenizer put in it."""
    return match.group(1).replace(" ", "") + match.group(2)
