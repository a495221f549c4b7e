"""Which language a text is written in (py3langid), for routing it to its analyzer.

Kept apart from :mod:`feedback_tui.sentiment` (the analyzers): the import's
short-text rules and ``eval-sentiment`` ask for a language without scoring.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr")
"""The languages the lexicon analyzer reads (and, by default, the ones detection picks from)."""


@lru_cache(maxsize=4)
def identifier(languages: tuple[str, ...]):
    """py3langid restricted to ``languages`` (``()``: every language of its model), loaded once."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages:
        model.set_languages(list(languages))
    return model


# Latin letters dressed as other characters: the Mathematical Alphanumeric Symbols
# ("𝓘 𝓵𝓸𝓿𝓮 𝓽𝓱𝓮 𝓪𝓹𝓹", the "fancy fonts" of app-store reviews), the letterlike symbols
# they borrow ("ℎ"), fullwidth forms.
_STYLED = re.compile("[\U0001d400-\U0001d7ff\u210a-\u2134\uff01-\uff5e]+")


def plain_letters(text: str) -> str:
    """``text`` with styled Latin letters back to plain ones (NFKC of those characters only:
    "𝓻𝓮𝓶𝓸𝓿𝓮" is "remove"); every other character, "…" and "²" included, is left as it is."""
    if text.isascii():
        return text
    return _STYLED.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)


# Letters of any script but the Latin one (ASCII letters, Latin-1 and Latin Extended).
_NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z\u00aa\u00b5\u00ba\u00c0-\u024f\u1e00-\u1eff]")


def detect_language(text: str, languages: Sequence[str] = SUPPORTED_LANGUAGES) -> str | None:
    """The most likely of ``languages`` for ``text``; None when it has no letters.

    A text written mostly in another script (Korean, Japanese, Cyrillic, Arabic…) is
    never one of ``languages`` (English and French): it is named among every language
    the identifier knows ("ko"), so that it is stored as such and scored "unknown" by
    the lexicon rather than read as English (Korean bank reviews were all "en").
    """
    text = plain_letters(text)
    other_script = len(_NON_LATIN_LETTER.findall(text))
    if other_script:  # only then count every letter (most texts are all Latin: one regex pass)
        if other_script * 2 > sum(ch.isalpha() for ch in text):
            language, _confidence = identifier(()).classify(text)
            return str(language)
    elif not any(ch.isalpha() for ch in text):
        return None
    language, _confidence = identifier(tuple(languages)).classify(text)
    return str(language)
