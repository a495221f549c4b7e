"""Sentiment in English and French, language routing, and the stored backfill."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, REVIEW_HEADER, raw_rows, write_csv
from feedback_tui.sentiment import NEGATIVE_BELOW, POSITIVE_FROM, analyze, detect_language, label_for
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
    (None, "unknown"), (POSITIVE_FROM, "positive"), (POSITIVE_FROM - 0.01, "neutral"), (0.0, "neutral"),
    (NEGATIVE_BELOW, "neutral"), (NEGATIVE_BELOW - 0.01, "negative")])
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


# -- issue #7: routing and the review-language extensions ----------------------------------
def test_french_text_never_reaches_the_english_analyzer(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedback_tui import sentiment

    calls: list[str] = []
    real = sentiment._engine

    def spy(language: str):
        calls.append(language)
        return real(language)

    monkeypatch.setattr(sentiment, "_engine", spy)
    for text in ("Colis jamais arrivé, très déçu", "Super appli mais livraison toujours en retard", "tres decu"):
        assert analyze(text).language == "fr"
    assert set(calls) == {"fr"}
    calls.clear()
    assert analyze("The parcel never arrived").language == "en" and set(calls) == {"en"}


def test_unsupported_language_gets_no_polarity_even_from_raw() -> None:
    from feedback_tui.sentiment import analyze_raw

    assert analyze_raw("Sehr schlecht", "de").label == "unknown"
    assert analyze_raw("Très déçu", "fr").language == "fr"


@pytest.mark.parametrize(("negated", "plain", "language"), [
    ("not bad", "bad", "en"), ("pas bon", "bon", "fr"), ("pas mal du tout", "mal", "fr"),
    ("not good", "good", "en"), ("never disappointed", "disappointed", "en"), ("jamais déçu", "déçu", "fr")])
def test_negation_flips_minimal_pairs(negated: str, plain: str, language: str) -> None:
    a, b = analyze(negated, language), analyze(plain, language)
    assert a.polarity * b.polarity < 0, (a, b)
    assert a.label != b.label


@pytest.mark.parametrize(("text", "language"), [
    ("Colis jamais reçu", "fr"), ("Parcel never arrived", "en"), ("ça marche pas", "fr"),
    ("It doesn't work", "en"), ("Le livreur n'est jamais venu", "fr"), ("No one ever answers", "en")])
def test_complaints_without_opinion_words_are_negative(text: str, language: str) -> None:
    from feedback_tui.sentiment import analyze_raw

    assert analyze_raw(text, language).label != "negative"  # plain TextBlob misses them
    assert analyze(text, language).label == "negative"


@pytest.mark.parametrize(("text", "language"), [
    ("App crashes on login", "en"), ("Still waiting for my refund", "en"), ("Total scam", "en"),
    ("L'appli plante", "fr"), ("Arnaque", "fr"), ("Service client injoignable", "fr"),
    ("Toujours pas de remboursement", "fr")])
def test_domain_words(text: str, language: str) -> None:
    assert analyze(text, language).label == "negative"


@pytest.mark.parametrize(("stronger", "weaker", "language"), [
    ("very slow", "slow", "en"), ("très déçu", "déçu", "fr"), ("tres decu", "decu", "fr")])
def test_intensifiers_strengthen(stronger: str, weaker: str, language: str) -> None:
    from feedback_tui.sentiment import lexicon_hits

    assert sum(lexicon_hits(stronger, language)) < sum(lexicon_hits(weaker, language)) < 0


def test_french_without_accents_matches_with_accents() -> None:
    assert analyze("tres decu", "fr").label == analyze("très déçu", "fr").label == "negative"
    assert analyze("tres decu", "fr").polarity < 0


@pytest.mark.parametrize(("with_emoji", "without", "language"), [
    ("Livraison 😡", "Livraison", "fr"), ("Delivery 😍", "Delivery", "en"), ("ok 👎", "ok", "en")])
def test_emoji_move_polarity(with_emoji: str, without: str, language: str) -> None:
    a, b = analyze(with_emoji, language), analyze(without, language)
    assert a.polarity != b.polarity and b.label == "neutral" and a.label != "neutral"


@pytest.mark.parametrize(("text", "label", "language"), [
    ("Great app but the delivery is always late", "negative", "en"),
    ("The delivery was late but the app is great", "positive", "en"),
    ("Super appli mais la livraison est toujours en retard", "negative", "fr"),
    ("Livraison en retard mais l'appli est super", "positive", "fr"),
    ("Bonne idée, néanmoins l'appli plante", "negative", "fr")])
def test_clause_after_but_weighs_more(text: str, label: str, language: str) -> None:
    assert analyze(text, language).label == label


def test_data_files_are_loaded_once_and_well_formed() -> None:
    from feedback_tui import sentiment

    for language in sentiment.SUPPORTED_LANGUAGES:
        data = sentiment._language(language)
        assert data is sentiment._language(language)
        assert len(data.lexicon) > 150 and data.negators and data.contrast_words
        assert all(-1.0 <= s <= 1.0 and -1.0 <= f <= 1.0 for s, f, _ in data.lexicon.values())
        assert all(w == sentiment.normalise(w) for words in data.lexicon for w in words), "accent-free, lower case"
    assert all(-1.0 <= v <= 1.0 for v in sentiment._emoji().values())


def test_loaded_lexicons_score_exactly_as_the_lazy_ones() -> None:
    """_engine swaps the lexicons' lazy lookups for plain dict ones (speed): run in a fresh
    interpreter so that stock TextBlob is scored first, then again after the swap."""
    import subprocess
    import sys

    script = """
import json
from textblob import Blobber, TextBlob
from textblob_fr import PatternAnalyzer, PatternTagger
from feedback_tui import sentiment
texts = ["Great app, fast delivery, very friendly driver!", "Not good at all, the bread was awful",
         "Livraison rapide, livreur très sympa", "Pas terrible, commande arrivée en retard et abîmée"]
french = Blobber(pos_tagger=PatternTagger(), analyzer=PatternAnalyzer())
def raw():
    return [list(TextBlob(t).sentiment) for t in texts[:2]] + [list(french(t).sentiment)[:2] for t in texts[2:]]
before = raw()
assert type(sentiment._engine("en").lexicon).__name__.startswith("Loaded")
assert type(sentiment._engine("fr").lexicon).__name__.startswith("Loaded")
print(json.dumps([before, raw()]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    before, after = json.loads(done.stdout)
    assert before == after and any(polarity for polarity, _ in before)


@pytest.mark.parametrize(("past", "present", "language"), [
    ("Used to be great, now nothing works", "Great, everything works", "en"),
    ("This app used to be so good", "This app is so good", "en"),
    ("C'était mieux avant la mise à jour", "C'est mieux depuis la mise à jour", "fr")])
def test_praise_in_the_past_is_a_complaint(past: str, present: str, language: str) -> None:
    """ "used to be great" is a 1-star review on app stores (issue 17's development files)."""
    assert analyze(past, language).label == "negative"
    assert analyze(present, language).polarity > analyze(past, language).polarity


def test_elongated_words_read_as_the_word() -> None:
    from feedback_tui.sentiment import _deelongated

    assert _deelongated("Sooo greaaat, I loveee it, goood", "en") == "So great, I love it, good"
    assert analyze("I loveee this app", "en").label == "positive"
    assert analyze("It sucksss now", "en").label == "negative"
    assert _deelongated("Nothing repeated here", "en") == "Nothing repeated here"


@pytest.mark.parametrize(("text", "language"), [
    ("It just sucks now", "en"), ("Too many adds", "en"), ("They promised it free, it was a lie", "en"),
    ("Service client déplorable", "fr"), ("Le store n'est pas de bonne qualité", "fr"),
    ("Produit non remboursé", "fr"), ("Ça ne sert à rien", "fr")])
def test_review_vocabulary_added_from_the_development_files(text: str, language: str) -> None:
    assert analyze(text, language).label == "negative"


def test_a_text_without_opinion_words_stays_neutral() -> None:
    """The thresholds moved towards two-class star data (issue 17), but a text that says
    nothing either way still scores exactly 0 and stays neutral."""
    for text, language in (("Received the parcel on Tuesday", "en"), ("Colis livré mardi matin", "fr")):
        result = analyze(text, language)
        assert result.polarity == 0 and result.label == "neutral"


# -- Session 8: votes pooled over clauses, app-review phrases, TextBlob words that only name things
def test_a_clause_of_one_weak_word_does_not_outweigh_a_clause_of_complaints() -> None:
    """Every vote counts: before, each clause's mean was one vote (doubled after "but"), so
    "the design is nice" outweighed four complaints before it (+0.19, positive)."""
    text = "It is slow, buggy, it crashes and it is full of ads, but the design is nice"
    assert analyze(text, "en").label == "negative"


@pytest.mark.parametrize(("text", "label"), [
    ("I like it", "positive"), ("I like this game", "positive"), ("So far so good", "positive"),
    ("Why can't I log into my account", "negative"), ("Can't log in since the update", "negative"),
    ("I don't like the new update", "negative"), ("Do better.", "negative"), ("money hungry devs 💔", "negative"),
    ("Some good days, some bad days", "neutral")])
def test_app_review_phrases(text: str, label: str) -> None:
    assert analyze(text, "en").label == label


def test_textblob_words_that_name_things_are_ignored_by_ours_not_by_raw() -> None:
    from feedback_tui.sentiment import analyze_raw

    assert analyze_raw("The game", "en").polarity < 0  # TextBlob's "game" is -0.4
    assert analyze("The game", "en").polarity == 0


def test_tres_bien_is_praise_and_pas_tres_bien_is_not() -> None:
    """The commonest short French review read neutral: textblob-fr gives "bien" 0."""
    assert analyze("Très bien", "fr").label == "positive"
    assert analyze("tres bien, rien à dire", "fr").label == "positive"
    assert analyze("Pas très bien emballé", "fr").label == "negative"
