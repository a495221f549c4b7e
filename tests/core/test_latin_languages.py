"""Latin-script reviews in a language the lexicon does not read (Spanish, German, Finnish...).

Detection used to choose between English and French for every Latin-script text, so the
Spanish reviews of an App Store export (../shared/REAL_DATA.md 2c, never committed) were
stored as "fr" and scored by the French lexicon (0.25 balanced accuracy), and the Finnish
ones of a French Trustpilot export (3b) as "fr" or "en". A text of 20 letters or more is now
named in such a language when py3langid is clearly sure of it, and it is "unknown" to the
lexicon, as Korean is, until a model learned from the workspace's stars covers it. The
texts below are written for the tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import raw_rows, write_csv

from feedback_tui import language_id, sentiment


@pytest.mark.parametrize(("text", "language"), [
    ("La aplicación se cierra cada vez que intento pagar, una pérdida de tiempo", "es"),
    ("Die App stürzt ständig ab und der Kundendienst antwortet nicht", "de"),
    ("L'app si blocca sempre e il servizio clienti non risponde mai", "it"),
    ("O aplicativo trava o tempo todo e o suporte não responde", "pt"),
    ("De app loopt steeds vast en de klantenservice reageert niet", "nl"),
    ("Sovellus kaatuu jatkuvasti eikä asiakaspalvelu vastaa", "fi"),
])
def test_a_clear_latin_text_is_named_and_unknown_to_the_lexicon(text: str, language: str) -> None:
    assert sentiment.detect_language(text) == language
    scored = sentiment.analyze(text)
    assert (scored.label, scored.polarity, scored.language) == ("unknown", None, language)


@pytest.mark.parametrize(("text", "language"), [
    ("Super appli, livraison rapide, je recommande", "fr"),
    ("Great app, fast delivery, I recommend it", "en"),
    # French reviews (3a, 3b) that py3langid gives to another language, without certainty
    ("Ras conforme. Ras colis reçu correct", "fr"),  # pt 0.63
    ("Ballades gustatives innovantes bravo!", "fr"),  # es 0.59
    ("TRES BIEN. TRES BIENMERCI", "fr"),  # es 0.48
    ("Hey and i also like the app it's so good. Y me encantó la app", "en"),  # mostly English
])
def test_english_and_french_texts_stay_english_and_french(text: str, language: str) -> None:
    assert sentiment.detect_language(text) == language
    assert sentiment.analyze(text).polarity is not None


@pytest.mark.parametrize("text", ["ok", "top", "nul", "bien", "super", "merci", "genial", "Muy bien",
                                  "Netflix", "Spotify Premium", "Danke schön", "Grazie mille!", "Obrigado"])
def test_short_texts_are_chosen_between_english_and_french_as_before(text: str) -> None:
    """Under 20 letters a text is never named in another language: one word says too little."""
    before, _confidence = language_id.identifier(("en", "fr")).classify(text)
    assert sentiment.detect_language(text) == before


def test_with_english_alone_a_french_text_is_still_english() -> None:
    """French competes even when only English is configured, so it is not called Italian."""
    french = "La livraison est arrivée avec deux jours de retard et le livreur était désagréable"
    assert sentiment.detect_language(french, ("en",)) == "en"
    assert sentiment.detect_language("Die App stürzt ständig ab und der Kundendienst antwortet nicht",
                                     ("en",)) == "de"


HEADER = ["id", "source", "rating", "title", "body", "author", "created_at"]  # no language column
SPANISH_NEGATIVE = ["La aplicación se cierra cada vez que intento pagar, una pérdida de tiempo {}",
                    "Después de la actualización no puedo entrar a mi cuenta y nadie responde {}"]
SPANISH_POSITIVE = ["Me encanta esta aplicación, es muy fácil de usar y los personajes son geniales {}",
                    "Muy buena experiencia, la recomiendo a todos mis amigos sin ninguna duda {}"]
ENGLISH = ["The app crashes every time I try to pay, a complete waste of time {}",
           "I love this app, it is easy to use and the characters are great {}"]


def _rows(n: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(n):
        for stars, bodies in ((1, SPANISH_NEGATIVE), (5, SPANISH_POSITIVE)):
            rows.append([f"es{stars}-{i}", "app_store", stars, "", bodies[i % 2].format(i), f"u{i}",
                         f"2026-0{1 + i % 6}-1{i % 9}T10:00:00Z"])
        rows.append([f"en-{i}", "app_store", 5 if i % 2 else 1, "", ENGLISH[i % 2].format(i), f"v{i}",
                     f"2026-0{1 + i % 6}-1{i % 9}T11:00:00Z"])
    return rows


def test_spanish_reviews_are_stored_as_spanish_until_a_model_learns_them(run_cli, db_path: Path,
                                                                         tmp_path: Path) -> None:
    path = write_csv(tmp_path / "app_store.csv", HEADER, _rows(30))
    assert run_cli("import", path).exit_code == 0
    counts = raw_rows(db_path, "SELECT language, sentiment, count(*) AS n FROM reviews "
                               "GROUP BY language, sentiment ORDER BY language, sentiment")
    by_language = {(r["language"], r["sentiment"]): r["n"] for r in counts}
    assert by_language[("es", "unknown")] == 60  # no French reading of a Spanish review
    assert {language for language, _label in by_language} == {"en", "es"}

    trained = run_cli("train-sentiment", "--min-per-class", 20, "--folds", 3, "--json")
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.output)["training"]["es"]["status"] == "trained"
    scored = raw_rows(db_path, "SELECT sentiment, count(*) AS n FROM reviews WHERE language = 'es' GROUP BY 1")
    assert "unknown" not in {r["sentiment"] for r in scored}


def test_eval_sentiment_counts_spanish_rows_as_unscored_not_french(run_cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "app_store.csv", HEADER, _rows(6))
    result = run_cli("eval-sentiment", path, "--text-column", "body", "--rating-column", "rating", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["by_language"]) == {"en"} and report["unscored"] == {"es": 12}
