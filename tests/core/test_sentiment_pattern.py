"""sentiment_pattern computes TextBlob's pattern sentiment exactly (issue 19: speed, same numbers).

Each text is scored by pattern's own ``Sentiment.__call__`` (TextBlob's engine, or
textblob-fr's) and by :func:`feedback_tui.sentiment_pattern.engine`; the two must be equal,
floats included, on the pinned corpus and on texts built from the tokenizer's corners.
"""

from __future__ import annotations

import random

import pytest

from feedback_tui import sentiment_pattern
from sentiment_pins import corpus

PIECES = (
    "good", "not", "very", "bad", "great", "pas", "bon", "très", "mauvais", "never", "really", "lovely", "slowly",
    "vraiment", "extremely", "jamais", "ne", "n'", "aucun", "nul", "super", "happy", "sad", "awful", ":", ")", "(",
    "!", "?", ".", "..", "...", "'", "’", '"', "“", "”", "-", "D", "x", "X", "o", "O", "8", ";", "=", "<3", "3", "p",
    "[", "]", "{", "}", "*", "_", "°", "/", "\\", "^", ">", "<", ",", " ", " ", " ", "\n", "\n\n", "\r\n", "l'", "n't",
    "'s", "c’", "L’", "e.g.", "U.S.", "Mr.", "M.", "END-OF-SENTENCE", "&rsquo;", "(!)", ":-)", ":'(", "XD", "o.O",
)


def _built(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) + " " * rng.randint(0, 1) for _ in range(rng.randint(1, 25)))
            for _ in range(count)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_same_scores_as_the_pattern_engine(language: str) -> None:
    fast = sentiment_pattern.engine(language)
    texts = [text for text, _ in corpus()] + _built(4000, seed=19)
    texts = [text for text in texts if not (language == "fr" and sentiment_pattern.SYNSET.match(text))]
    differ = [(text, tuple(fast.lexicon(text)), fast(text)) for text in texts
              if tuple(fast.lexicon(text)) != fast(text)]
    assert not differ, f"{len(differ)} of {len(texts)} differ, first: {differ[:3]}"
    assert sum(1 for text in texts if fast(text)[0]) > len(texts) / 3  # the texts have opinions to score


def test_a_french_synset_id_is_scored_as_words() -> None:
    """textblob-fr takes "a-123" for a WordNet synset and crashes; it is a word here."""
    fast = sentiment_pattern.engine("fr")
    with pytest.raises(AttributeError):
        fast.lexicon("a-123")
    assert fast("a-123") == (0.0, 0.0) and fast("n-1") == (0.0, 0.0)
