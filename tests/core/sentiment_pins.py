"""The corpus whose sentiment scores ``test_sentiment_pinned.py`` pins, and the pins' writer.

Speed work on :mod:`feedback_tui.sentiment` (issue 19) must not move a single score, so
the analyzer's output on this corpus is kept in ``data/sentiment_pins.json`` and compared
exactly (floats included). A deliberate change of the lexicon or of a rule changes some
pins: look at what moved, then rewrite them with

    .venv/bin/python tests/core/sentiment_pins.py

The corpus: the evaluation set (each text in its labelled language and detected), the
texts of the fixture exports (detected), and invented texts that walk the tokenizer's
corners (contractions, quotes, emoticons, sarcasm marks, abbreviations, line breaks).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
PINS = Path(__file__).resolve().parent / "data" / "sentiment_pins.json"
TEXT_COLUMNS = ("text", "body", "title", "content", "comment", "review", "avis", "commentaire")

CORNERS = [
    "I don't like it, it isn't good. You'll love it! They're great; we've tried.",
    "Not bad :) but not great :-( really :D XD x D X D",
    "(!) what a great service ( ! ) yeah right (!)",
    "Wow!!! Amazing!!! Never again... ok?! \"great\" 'nice' “fancy” ‘quoted’",
    "e.g. the app, i.e. the U.S. version, etc. Mr. Smith said it was T. good.",
    "Line one is good\n\nLine two is bad\r\n\r\nthird line terrible\n",
    "very very good, not very good, really not good, extremely bad!",
    "<3 ♥ :P :p ;) ;-) :/ :\\ :'( :'''( =) 8-) o.O o_O °o° >:[ :-c",
    "the end. END-OF-SENTENCE the start",
    "C'est nul, j'ai attendu, l'appli n'est pas terrible, qu'importe, jusqu'à demain.",
    "L’appli est géniale, c’est top, j’adore, aujourd’hui ça plante, L'APPLI N'EST PAS TOP",
    "Pas mal du tout :) mais la livraison est vraiment nulle !!! Jamais plus ...",
    "TRÈS DÉÇU. Produits abîmés, c.-à-d. inutilisables. M. Dupont est très sympa.",
    "sooo goood, loveee it, greaaat app, nuuul, trop biiien",
    "it used to be great, now it's slow but the staff is friendly",
    "non merci, c'était mieux avant, plus jamais",
    "d-42 great",
    ":-) :-)",
    "   ",
    "!!!",
    "👍👍 😡 🙂 super",
    "well...good...bad... ok.. fine.",
    "[great] {bad} (nice) `ok` @home #best $cheap ^up &more *star* +plus -minus |pipe| =eq ~tilde _u_",
]


def _cells(path: Path) -> list[str]:
    texts = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
            for row in csv.DictReader(handle, delimiter=delimiter):
                texts += [value for key, value in row.items()
                          if key and key.lower() in TEXT_COLUMNS and isinstance(value, str) and value.strip()]
    except (UnicodeDecodeError, csv.Error):
        return []
    return texts


def corpus() -> list[tuple[str, str | None]]:
    """(text, language or None) in a fixed order."""
    items: list[tuple[str, str | None]] = []
    for name in ("dev.csv", "holdout.csv"):
        with (FIXTURES / "sentiment_eval" / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                items += [(row["text"], row["language"]), (row["text"], None)]
    for folder in (FIXTURES, FIXTURES / "exports"):
        for path in sorted(folder.glob("*.[ct]sv")):
            items += [(text, None) for text in _cells(path)]
    items += [(text, language) for text in CORNERS for language in ("en", "fr", None)]
    return items


def scores() -> list[list[object]]:
    sys.path.insert(0, str(ROOT))
    from feedback_tui.sentiment import analyze

    out = []
    for text, language in corpus():
        result = analyze(text, language)
        out.append([text, language, result.polarity, result.subjectivity, result.label, result.language])
    return out


if __name__ == "__main__":
    PINS.write_text(json.dumps(scores(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{PINS}: {len(corpus())} texts")
