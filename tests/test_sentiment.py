"""Sentiment in English and French, language routing, and the stored backfill."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, REVIEW_HEADER, raw_rows, write_csv
from feedback_tui.sentiment import analyze, detect_language, label_for
from feedback_tui.store import Store

FRENCH_NEGATIVE = "Livraison en retard, très déçu"


def test_english_positive_and_negative() -> None:
    good = analyze("Great service, fresh produce, I love it", "en")
    bad = analyze("Terrible service, the food was rotten and awful", "en")
    assert (good.label, bad.label) == ("positive", "negative")
    assert good.polarity > 0.1 > -0.05 > bad.polarity
    assert 0.0 <= good.subjectivity <= 1.0


def test_french_goes_to_the_french_analyzer() -> None:
    detected = analyze(FRENCH_NEGATIVE)
    assert (detected.language, detected.label) == ("fr", "negative")
    assert detected.polarity < 0
    # Texts the English lexicon has no words for: only the French analyzer sees their tone.
    for text, label in [("Très déçu, produits abîmés", "negative"), ("Livreur très sympa et produits frais", "positive")]:
        assert analyze(text, "en").label == "neutral"
        routed = analyze(text)
        assert (routed.language, routed.label) == ("fr", label)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("La livraison était en retard et les fraises étaient abîmées", "fr"),
        ("Le service client ne répond jamais", "fr"),
        ("The delivery was late and the strawberries were bruised", "en"),
        ("Customer service never answers my emails", "en"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_unsupported_language_is_unknown() -> None:
    result = analyze("Die Lieferung war sehr schlecht", "de")
    assert (result.label, result.polarity, result.subjectivity, result.language) == ("unknown", None, None, "de")
    assert analyze("   ").label == "unknown" and detect_language("12345 !!") is None


@pytest.mark.parametrize(("polarity", "label"), [
    (None, "unknown"), (0.1, "positive"), (0.0, "neutral"), (-0.05, "neutral"), (-0.06, "negative")])
def test_label_thresholds(polarity: float | None, label: str) -> None:
    assert label_for(polarity) == label


def test_backfill_fills_every_text_and_rescore_all_recomputes(run_cli, db_path: Path, tmp_path: Path) -> None:
    german = write_csv(tmp_path / "de.csv", REVIEW_HEADER, [
        ["de-1", "trustpilot", 1, "Schlecht", "Die Lieferung war sehr schlecht", "Max", "2026-05-01T10:00:00Z",
         "de", "", ""]])
    result = run_cli("import", "--no-sentiment", FIXTURES / "reviews.jsonl", FIXTURES / "survey_answers.jsonl", german)
    assert result.exit_code == 0
    assert raw_rows(db_path, "SELECT count(*) FROM reviews WHERE sentiment IS NOT NULL")[0][0] == 0
    comments = raw_rows(db_path, "SELECT count(*) FROM survey_responses WHERE comment IS NOT NULL")[0][0]

    first = run_cli("rescore")
    assert first.exit_code == 0 and first.stdout.strip() == f"Sentiment computed for {21 + comments} texts."
    assert raw_rows(db_path, "SELECT count(*) FROM reviews WHERE sentiment IS NULL")[0][0] == 0
    assert raw_rows(db_path, "SELECT count(*) FROM survey_responses "
                             "WHERE comment IS NOT NULL AND sentiment IS NULL")[0][0] == 0
    assert raw_rows(db_path, "SELECT count(*) FROM survey_responses WHERE comment IS NULL AND sentiment IS NOT NULL"
                    )[0][0] == 0
    # survey answers carried no language: detection filled it in
    assert raw_rows(db_path, "SELECT count(*) FROM survey_responses WHERE comment IS NOT NULL AND language IS NULL"
                    )[0][0] == 0
    de = raw_rows(db_path, "SELECT sentiment, polarity FROM reviews WHERE external_id = 'de-1'")[0]
    assert (de["sentiment"], de["polarity"]) == ("unknown", None)
    truth = {row["id"]: (row["sentiment"], row["polarity"]) for row in raw_rows(db_path, "SELECT * FROM reviews")}

    # a stale score (e.g. from an older model) survives a plain rescore ...
    target = next(i for i, (label, _) in truth.items() if label == "negative")
    with Store.open(db_path) as store:
        store.conn.execute("UPDATE reviews SET sentiment = 'positive', polarity = 0.9 WHERE id = ?", (target,))
    assert run_cli("rescore").stdout.strip() == "Sentiment computed for 0 texts."
    assert raw_rows(db_path, "SELECT sentiment FROM reviews WHERE id = ?", (target,))[0][0] == "positive"
    # ... and --all recomputes everything, back to the true values
    again = run_cli("rescore", "--all")
    assert again.exit_code == 0 and again.stdout.strip() == f"Sentiment computed for {21 + comments} texts."
    assert {row["id"]: (row["sentiment"], row["polarity"]) for row in raw_rows(db_path, "SELECT * FROM reviews")} == truth


def test_import_scores_sentiment_by_default(run_cli, db_path: Path) -> None:
    assert run_cli("import", FIXTURES / "reviews.tsv").exit_code == 0
    labels = [row[0] for row in raw_rows(db_path, "SELECT sentiment FROM reviews")]
    assert len(labels) == 10 and None not in labels and "unknown" not in labels
    card = json.loads(run_cli("score", "--json").stdout)
    assert card["sentiment"]["n"] == 10 == sum(card["sentiment"][k] for k in ("positive", "neutral", "negative"))
