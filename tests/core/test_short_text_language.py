"""Short texts take their file's, source's or the config's language, never a one-word guess
(issue 16, item 9): py3langid calls "Bad", "Fast" and "Excellent!!!" French."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import raw_rows, write_csv
from feedback_tui.sentiment import detect_language
from feedback_tui.store import short_texts

HEADER = ["id", "source", "rating", "body", "author", "created_at"]  # no language column, as most exports
ENGLISH = ["The delivery arrived two days late and the driver was rude to my mother",
           "I love this app, everything works and the support team answered within an hour",
           "Refund still not received after three weeks of waiting, very disappointing service",
           "Great prices and a clean interface, I recommend it to all my friends and colleagues"]
FRENCH = ["La livraison est arrivée avec deux jours de retard et le livreur était désagréable",
          "Application très pratique, le service client répond vite et les prix sont corrects",
          "Remboursement toujours pas reçu après trois semaines d'attente, service décevant"]
SHORT_EN = ["Bad", "Fast", "Excellent!!!", "Nice", "Top"]
SHORT_FR = ["Nul", "Très déçu", "Super"]


def _rows(prefix: str, long: list[str], short: list[str]) -> list[list[object]]:
    texts = long + short
    return [[f"{prefix}{i}", "google_play", 3, text, f"a{i}", f"2026-03-{i + 1:02d}T10:00:00Z"]
            for i, text in enumerate(texts)]


def _languages(db: Path, texts: list[str]) -> dict[str, str]:
    marks = ",".join("?" * len(texts))
    return {row[0]: row[1] for row in raw_rows(db, f"SELECT body, language FROM reviews WHERE body IN ({marks})",
                                                tuple(texts))}


def test_the_identifier_alone_would_call_these_french() -> None:
    assert {detect_language(text, ("en", "fr")) for text in ("Bad", "Fast", "Excellent!!!")} == {"fr"}
    assert [short_texts.letters(t) for t in ("Bad", "Excellent!!!", "Très déçu")] == [3, 9, 8]


def test_short_texts_take_the_language_of_their_file(run_cli, db_path: Path, tmp_path: Path) -> None:
    english = write_csv(tmp_path / "en.csv", HEADER, _rows("en", ENGLISH, SHORT_EN))
    french = write_csv(tmp_path / "fr.csv", HEADER, [
        [f"fr{i}", "trustpilot", 3, text, f"b{i}", f"2026-04-{i + 1:02d}T10:00:00Z"]
        for i, text in enumerate(FRENCH + ["Bad"])])  # a short English word in a French file
    assert run_cli("import", english).exit_code == 0
    assert run_cli("import", french).exit_code == 0
    english_file = {row[0]: row[1] for row in raw_rows(
        db_path, "SELECT body, language FROM reviews WHERE external_id LIKE 'en%'")}
    assert {text: english_file[text] for text in SHORT_EN} == dict.fromkeys(SHORT_EN, "en")
    assert set(_languages(db_path, ENGLISH).values()) == {"en"}
    assert set(_languages(db_path, FRENCH).values()) == {"fr"}
    in_french_file = raw_rows(db_path, "SELECT language FROM reviews WHERE external_id = 'fr3'")[0][0]
    assert in_french_file == "fr", "the file's majority decides, not the word"
    scored = raw_rows(db_path, "SELECT sentiment FROM reviews WHERE body = 'Bad' AND language = 'en'")[0][0]
    assert scored == "negative"


def test_a_language_given_by_the_file_is_kept(run_cli, db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "lang.csv", [*HEADER, "language"],
                     [["x1", "play", 1, "Bad", "a", "2026-03-01T10:00:00Z", "fr"]])
    assert run_cli("import", path).exit_code == 0
    assert raw_rows(db_path, "SELECT language FROM reviews")[0][0] == "fr"


def test_with_no_majority_the_configs_first_language_wins(run_cli, db_path: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(config))
    config.write_text('languages = ["fr", "en"]\n', encoding="utf-8")
    path = write_csv(tmp_path / "short.csv", HEADER, [["y1", "play", 5, "Fast", "a", "2026-03-01T10:00:00Z"],
                                                       ["y2", "play", 1, "Bad!!", "b", "2026-03-02T10:00:00Z"]])
    result = run_cli("import", path)
    assert result.exit_code == 0, result.output
    assert {row[0] for row in raw_rows(db_path, "SELECT language FROM reviews")} == {"fr"}
    config.write_text('languages = ["en", "fr"]\n', encoding="utf-8")
    path2 = write_csv(tmp_path / "short2.csv", HEADER, [["z1", "other", 5, "Fast", "a", "2026-03-01T10:00:00Z"]])
    assert run_cli("import", path2).exit_code == 0
    assert raw_rows(db_path, "SELECT language FROM reviews WHERE external_id = 'z1'")[0][0] == "en"


def test_eval_sentiment_gives_short_texts_the_file_language(run_cli, tmp_path: Path) -> None:
    """``eval-sentiment`` scores a file as an import would: "Bad" takes the file's English."""
    path = tmp_path / "stars.csv"
    write_csv(path, ["text", "stars"], [[t, 5] for t in ENGLISH] + [["Bad", 1], ["Nice", 5], ["Top", 5]])
    assert short_texts.file_language(ENGLISH + ["Bad"]) == "en"
    assert short_texts.file_language(["Bad", "Top"]) is None  # nothing long enough to tell
    result = run_cli("eval-sentiment", path, "--text-column", "text", "--rating-column", "stars", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["by_language"]) == {"en"}, "no short text was guessed French"
