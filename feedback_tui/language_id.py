"""Which language a text is written in (py3langid), for routing it to its analyzer.

Kept apart from :mod:`feedback_tui.sentiment` (the analyzers): the import's
short-text rules and ``eval-sentiment`` ask for a language without scoring.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr")
"""The languages the lexicon analyzer reads (and, by default, the ones detection picks from)."""

OTHER_LATIN: tuple[str, ...] = ("es", "pt", "it", "de", "nl", "sv", "da", "no", "fi", "pl", "cs", "ro", "hu",
                                "tr", "id", "vi")
"""Latin-script languages of reviews that a text is named in, beside the configured ones, when
the evidence is clear (:data:`CLEAR`, :data:`CLEAR_LETTERS`): stored as such and "unknown" to
the lexicon (Spanish rows of an App Store export were read as French). Catalan, Malay and
Croatian are left out: py3langid gives them to French or Indonesian texts too readily."""

CLEAR = 0.9
"""py3langid's probability (among the configured languages and :data:`OTHER_LATIN`) a language
of :data:`OTHER_LATIN` needs to win: on 49,000 real French and English reviews the highest a
French or English one reached was 0.65 ("Ras conforme. Ras colis reçu correct": pt); Spanish,
Finnish, Turkish and Indonesian ones mostly read 0.95-1.0 (benchmarks/SENTIMENT.md, Session 10)."""

CLEAR_LETTERS = 20
"""Letters a text needs before it may be named in another language: a short one ("Muy bien",
"Top", "Genial", a brand) stays English or French, as ``store.short_texts.SHORT_LETTERS``
keeps texts under 20 letters from being detected at all."""


@lru_cache(maxsize=1)
def _loaded():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def identifier(languages: tuple[str, ...]):
    """py3langid restricted to ``languages`` (``()``: every language of its model).

    The model file is read once (0.6 s) and each restriction is a copy sharing its arrays.
    A restricted table is made one C-ordered float32 block (the model's is a float16
    column slice): py3langid gathers one row of it per feature of the text, which then
    costs the same for 18 languages as it did for two (benchmarks/SENTIMENT.md, Session 10);
    the scores are the same numbers (float16 widens exactly, and the product was float32).
    """
    import numpy

    model = copy.copy(_loaded())
    if languages:
        model.set_languages(list(languages))
        model.nb_ptc = numpy.ascontiguousarray(model.nb_ptc, dtype=numpy.float32)
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
    the lexicon rather than read as English (Korean bank reviews were all "en"). A
    Latin-script text of 20 letters or more is named in Spanish, German, Italian... (one
    of :data:`OTHER_LATIN`) when py3langid is clearly sure of it, else it is the most
    likely of ``languages``, as before.
    """
    text = plain_letters(text)
    other_script = len(_NON_LATIN_LETTER.findall(text))
    if other_script:  # only then count every letter (most texts are all Latin: one regex pass)
        if other_script * 2 > sum(ch.isalpha() for ch in text):
            language, _confidence = identifier(()).classify(text)
            return str(language)
    elif not any(ch.isalpha() for ch in text):
        return None
    return _latin(text, tuple(languages))


def latin_languages(languages: Sequence[str]) -> tuple[str, ...]:
    """``languages``, then the analysed ones left out of them, then :data:`OTHER_LATIN`: the
    languages a Latin-script text is classified among."""
    languages = tuple(languages)
    return languages + tuple(language for language in (*SUPPORTED_LANGUAGES, *OTHER_LATIN)
                             if language not in languages)


@lru_cache(maxsize=8)
def _identifiers(languages: tuple[str, ...]):
    """(the identifier of :func:`latin_languages`, the one of ``languages``): one lookup a text."""
    return identifier(latin_languages(languages)), identifier(languages)


def _latin(text: str, languages: tuple[str, ...]) -> str:
    """The configured language py3langid prefers for a Latin-script ``text``, unless a language
    of :data:`OTHER_LATIN` wins clearly (one pass over the text: when the winner of the wider
    set is a configured language, it is the one the configured set alone gives). French stays
    a candidate when only English is configured, so that a French text is not called Italian;
    it is then English, as before."""
    wider, configured = _identifiers(languages)
    if not _short(text):
        language, confidence = wider.classify(text)
        if language in languages or (confidence >= CLEAR and language in OTHER_LATIN):
            return str(language)
    language, _confidence = configured.classify(text)
    return str(language)


def _short(text: str) -> bool:
    """Fewer than :data:`CLEAR_LETTERS` letters (answered at the 20th letter)."""
    letters = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if letters >= CLEAR_LETTERS:
                return False
    return True
