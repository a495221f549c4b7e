"""Issue 17: an import that brings enough new labelled texts trains the model; [sentiment] decides.

Thresholds come from the config file (``[sentiment] min_per_class``,
``retrain_after``); ``model = "lexicon"`` turns the learned model off.
"""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REVIEW_HEADER, raw_rows, write_csv
from test_sentiment_model import invented

from feedback_tui.config import load_config


def _csv(path: Path, n_per_class: int, seed: int, prefix: str) -> Path:
    texts, labels = invented(n_per_class, seed=seed)
    rows = [[f"{prefix}{i}", "trustpilot", 5 if label == "positive" else 1, "", text, "Ann",
             f"2026-03-{1 + i % 28:02d}T10:00:00Z", "en", "", ""] for i, (text, label) in enumerate(zip(texts, labels, strict=True))]
    return write_csv(path, REVIEW_HEADER, rows)


def _config(tmp_path: Path, text: str) -> None:
    path = Path(os.environ["FEEDBACK_TUI_CONFIG"])
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def _models(db_path: Path) -> list[tuple[int, int]]:
    return [(r["n_positive"], r["n_negative"]) for r in raw_rows(db_path, "SELECT * FROM sentiment_models ORDER BY id")]


def test_import_trains_then_retrains_only_after_enough_new_texts(run_cli, db_path: Path, tmp_path: Path) -> None:
    _config(tmp_path, "[sentiment]\nmin_per_class = 30\nretrain_after = 40\n")
    result = run_cli("import", _csv(tmp_path / "a.csv", 20, 1, "a"))  # 20 per class < 30: lexicon
    assert result.exit_code == 0 and _models(db_path) == []
    result = run_cli("import", _csv(tmp_path / "b.csv", 15, 2, "b"))  # 35 per class: the first model
    assert result.exit_code == 0, result.output
    assert _models(db_path) == [(35, 35)]
    assert "Sentiment model trained: en: learned from 70 texts" in result.stderr
    scored = raw_rows(db_path, "SELECT count(*) AS n FROM reviews WHERE sentiment_model IS NOT NULL")[0]["n"]
    assert scored == 70  # every text rescored by the new model
    run_cli("import", _csv(tmp_path / "c.csv", 10, 3, "c"))  # 20 new labelled texts < 40: no retraining
    assert _models(db_path) == [(35, 35)]
    run_cli("import", _csv(tmp_path / "d.csv", 10, 4, "d"))  # 40 new since the model: retrained
    assert _models(db_path) == [(35, 35), (55, 55)]


def test_lexicon_setting_never_trains(run_cli, db_path: Path, tmp_path: Path) -> None:
    _config(tmp_path, '[sentiment]\nmodel = "lexicon"\nmin_per_class = 10\n')
    assert run_cli("import", _csv(tmp_path / "a.csv", 30, 1, "a")).exit_code == 0
    assert _models(db_path) == []
    refused = run_cli("train-sentiment")
    assert refused.exit_code == 2 and 'model = "lexicon"' in refused.stderr


def test_bad_sentiment_settings_warn_and_keep_the_defaults(tmp_path: Path) -> None:
    _config(tmp_path, '[sentiment]\nmodel = "neural"\nretrain_after = -3\n')
    config = load_config()
    assert config.sentiment.model == "learned" and config.sentiment.retrain_after == 1000
    assert len(config.warnings) == 2 and all("[sentiment]" in w for w in config.warnings)


def test_back_to_the_lexicon_forgets_the_model_on_rescore(run_cli, db_path: Path, tmp_path: Path) -> None:
    _config(tmp_path, "[sentiment]\nmin_per_class = 30\n")
    assert run_cli("import", _csv(tmp_path / "a.csv", 40, 1, "a")).exit_code == 0
    named = "SELECT count(*) AS n FROM reviews WHERE sentiment_model IS NOT NULL"
    assert raw_rows(db_path, named)[0]["n"] == 80
    _config(tmp_path, '[sentiment]\nmodel = "lexicon"\n')
    assert run_cli("rescore", "--all").exit_code == 0
    assert raw_rows(db_path, named)[0]["n"] == 0
    assert raw_rows(db_path, "SELECT count(*) AS n FROM reviews WHERE sentiment IS NOT NULL")[0]["n"] == 80


def test_a_big_workspace_learns_from_a_fixed_sample_and_retrains_on_what_it_holds(
        run_cli, db_path: Path, tmp_path: Path, monkeypatch) -> None:
    """At most MAX_PER_CLASS texts per language and class are read to train (50,000 in the
    product, 25 here): the same ones every run, and "retrain after N new labelled texts"
    counts from what the workspace held, not from the sample."""
    from feedback_tui.store import Store, sentiment_models

    monkeypatch.setattr(sentiment_models, "MAX_PER_CLASS", 25)
    _config(tmp_path, "[sentiment]\nmin_per_class = 20\nretrain_after = 30\n")
    result = run_cli("import", _csv(tmp_path / "a.csv", 40, 1, "a"))
    assert result.exit_code == 0, result.output
    assert _models(db_path) == [(25, 25)]
    assert raw_rows(db_path, "SELECT labelled FROM sentiment_models")[0]["labelled"] == 80
    with Store.open(db_path) as store:
        first = sentiment_models.labelled_texts(store, per_class=25)["en"]
        again = sentiment_models.labelled_texts(store, per_class=25)["en"]
        everything = sentiment_models.labelled_texts(store)["en"]
    assert first == again and len(first[0]) == 50 and len(everything[0]) == 80
    assert {label: first[1].count(label) for label in ("positive", "negative")} == {"positive": 25, "negative": 25}
    assert set(first[0]) <= set(everything[0])
    run_cli("import", _csv(tmp_path / "b.csv", 10, 2, "b"))  # 20 new labelled texts < 30: the sample stays
    assert _models(db_path) == [(25, 25)]
    run_cli("import", _csv(tmp_path / "c.csv", 5, 3, "c"))  # 30 new since the model, though n is 50: retrained
    assert _models(db_path) == [(25, 25), (25, 25)]
    assert raw_rows(db_path, "SELECT labelled FROM sentiment_models ORDER BY id")[1]["labelled"] == 110
