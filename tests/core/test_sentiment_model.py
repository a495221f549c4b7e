"""Issue 17: the sentiment model learned from stars, its storage, the cold start and the mismatch flag.

The texts are invented: short reviews built from phrases whose polarity we
chose, so the model has something to learn and the tests know the answer.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from conftest import REVIEW_HEADER, assert_no_crash, raw_rows, write_csv
from feedback_tui import sentiment, sentiment_model
from feedback_tui.sentiment_model import LearnedModel, ModelProblem, checksum, contradicts
from feedback_tui.store import Store, sentiment_models

GOOD = ["fresh vegetables", "the driver was early", "lovely basket", "quick delivery", "friendly support",
        "great prices", "everything arrived perfect", "happy with the order", "tasty fruit", "easy app"]
BAD = ["rotten avocados", "the driver was late", "missing items", "refund never came", "support never answers",
       "the app crashes", "broken eggs", "charged twice", "cold food", "order cancelled again"]
FILLER = ["this week", "as usual", "for my family", "on monday", "again", "honestly", "this time"]


def invented(n_per_class: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Distinct texts: training learns a copy of a long text once (store.training.without_copies)."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n_per_class):
        for label, phrases in (("positive", GOOD), ("negative", BAD)):
            text = ""
            while not text or text in texts:
                words = rng.sample(phrases, 2) + [rng.choice(FILLER)]
                rng.shuffle(words)
                text = " ".join(words).capitalize() + "."
            texts.append(text)
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def model() -> LearnedModel:
    texts, labels = invented(60)
    return sentiment_model.train(texts, labels, "en")


def test_trained_model_separates_the_classes(model: LearnedModel) -> None:
    assert model.n == {"negative": 60, "positive": 60}
    assert model.labels(["Rotten avocados and missing items.", "Fresh vegetables, quick delivery."]) == \
        ["negative", "positive"]


def test_cross_validation_pools_the_folds() -> None:
    texts, labels = invented(40)
    result = sentiment_model.cross_validate(texts, labels, folds=4)
    assert result["n"] == 80 and result["folds"] == 4
    assert result["balanced_accuracy"] >= 0.9
    assert result["balanced_accuracy"] == pytest.approx(
        (result["recall"]["positive"] + result["recall"]["negative"]) / 2)
    with pytest.raises(ValueError, match="needs 5 texts of each class"):
        sentiment_model.cross_validate(texts[:6], labels[:6], folds=5)


def test_blob_is_plain_json_and_round_trips(model: LearnedModel) -> None:
    blob = model.to_blob()
    import zlib

    document = json.loads(zlib.decompress(blob))  # plain data: no pickle opcode can hide in it
    assert document["language"] == "en" and len(document["coef"]) == len(model.coef)
    again = LearnedModel.from_blob(blob, checksum(blob))
    probe = ["The driver was late, broken eggs.", "Tasty fruit and friendly support."]
    assert again.probabilities(probe) == pytest.approx(model.probabilities(probe), abs=1e-4)


def test_the_lexicon_block_is_stored_and_only_for_languages_with_a_lexicon(model: LearnedModel) -> None:
    """An English model carries the lexicon's two weights; a Korean one (no lexicon) none; a
    model stored before the lexicon block (no ``lexicon_coef``) still reads and scores."""
    import zlib

    assert len(model.lexicon_coef) == 2 and model.settings["lexicon"] == sentiment_model.LEXICON
    assert model.lexicon_coef[0] > 0 > model.lexicon_coef[1]  # praise pushes up, complaints down
    texts, labels = invented(30)
    korean = sentiment_model.train(texts, labels, "ko")
    assert korean.lexicon_coef == [] and "lexicon" not in korean.settings
    document = json.loads(zlib.decompress(korean.to_blob()))
    assert "lexicon_coef" not in document
    old = zlib.compress(json.dumps(document).encode())
    assert LearnedModel.from_blob(old, checksum(old)).probabilities(["Broken eggs."]) == \
        pytest.approx(korean.probabilities(["Broken eggs."]), abs=1e-4)
    document = json.loads(zlib.decompress(model.to_blob()))
    document["lexicon_coef"] = [1.0]  # one weight for two features
    bad = zlib.compress(json.dumps(document).encode())
    with pytest.raises(ModelProblem, match="lexicon block"):
        LearnedModel.from_blob(bad, checksum(bad))


def test_tampered_blob_is_refused(model: LearnedModel) -> None:
    blob = bytearray(model.to_blob())
    digest = checksum(bytes(blob))
    blob[len(blob) // 2] ^= 0xFF
    with pytest.raises(ModelProblem, match="does not match its checksum"):
        LearnedModel.from_blob(bytes(blob), digest)


def test_a_well_checksummed_but_malformed_blob_is_refused(model: LearnedModel) -> None:
    import zlib

    document = json.loads(zlib.decompress(model.to_blob()))
    document["coef"] = document["coef"][:-1]
    blob = zlib.compress(json.dumps(document).encode())
    with pytest.raises(ModelProblem, match="coefficients and vocabulary differ"):
        LearnedModel.from_blob(blob, checksum(blob))
    with pytest.raises(ModelProblem, match="not readable"):
        LearnedModel.from_blob(b"\x80\x04pickle", checksum(b"\x80\x04pickle"))


def test_model_round_trips_through_the_database(store: Store, model: LearnedModel) -> None:
    model_id = sentiment_models.save(store, model, {"balanced_accuracy": 0.91, "recall": {"positive": 0.9,
                                                                                         "negative": 0.92}, "folds": 5})
    row = sentiment_models.current(store)["en"]
    assert (row.id, row.n_positive, row.n_negative, row.balanced_accuracy) == (model_id, 60, 60, 0.91)
    assert row.describe() == "learned from 120 of your texts, 0.91 balanced accuracy"
    loaded = sentiment_models.load(store, model_id)
    assert loaded.coef == pytest.approx(model.coef, abs=1e-5)
    with store.write() as conn:  # someone edits the stored bytes
        conn.execute("UPDATE sentiment_models SET model = CAST(? AS BLOB) WHERE id = ?", (b"{}", model_id))
    with pytest.raises(ModelProblem, match="checksum"):
        sentiment_models.load(store, model_id)


@pytest.mark.parametrize(("p", "rating", "flag"), [
    (0.05, 5, True), (0.15, 4, True), (0.3, 5, False), (0.95, 1, True), (0.7, 2, False),
    (0.05, 3, False), (0.05, None, False)])
def test_contradicts(p: float, rating: float | None, flag: bool) -> None:
    assert contradicts(p, rating) is flag


def _reviews_csv(path: Path, n_per_class: int) -> Path:
    texts, labels = invented(n_per_class)
    rows = [[f"r{i}", "trustpilot", 5 if label == "positive" else 1, "", text, "Ann", f"2026-03-{1 + i % 28:02d}T10:00:00Z",
             "en", "", ""] for i, (text, label) in enumerate(zip(texts, labels, strict=True))]
    rows.append(["liar", "trustpilot", 5, "", "Rotten avocados, missing items, broken eggs, cold food, charged twice and the driver was late.", "Bob",
                 "2026-03-31T10:00:00Z", "en", "", ""])
    return write_csv(path, REVIEW_HEADER, rows)


def test_train_command_cold_start_then_learned(run_cli, db_path: Path, tmp_path: Path) -> None:
    assert_no_crash(result := run_cli("import", _reviews_csv(tmp_path / "r.csv", 60)))
    assert result.exit_code == 0, result.output
    cold = run_cli("train-sentiment", "--json")  # 60 per class < 200: the lexicon stays
    assert cold.exit_code == 0, cold.output
    report = json.loads(cold.output)
    assert report["training"]["en"]["status"] == "lexicon" and report["models"] == {}
    assert raw_rows(db_path, "SELECT count(*) AS n FROM reviews WHERE sentiment_model IS NOT NULL")[0]["n"] == 0

    warm = run_cli("train-sentiment", "--min-per-class", 20, "--folds", 3, "--json")
    assert warm.exit_code == 0, warm.output
    report = json.loads(warm.output)
    en = report["models"]["en"]
    assert en["n"] == {"positive": 61, "negative": 60}  # the 5-star liar counts as positive and en["folds"] == 3
    assert en["balanced_accuracy"] >= 0.8
    assert report["scored_by"] == {str(en["model"]): 121}
    flagged = raw_rows(db_path, "SELECT external_id FROM reviews WHERE mismatch = 1")
    assert [r["external_id"] for r in flagged] == ["liar"]

    # beside the model, the lexicon it replaced, on the same labelled texts (all 121 here)
    texts, labels = invented(60)
    texts.append("Rotten avocados, missing items, broken eggs, cold food, charged twice and the driver was late.")
    labels.append("positive")  # the liar's five stars
    said = [sentiment.analyze(text, "en").label for text in texts]
    recall = {c: sum(s == c for s, t in zip(said, labels) if t == c) / labels.count(c) for c in ("positive", "negative")}
    assert en["lexicon"]["n"] == 121
    assert en["lexicon"]["recall"] == pytest.approx(recall)
    assert en["lexicon"]["balanced_accuracy"] == pytest.approx((recall["positive"] + recall["negative"]) / 2)

    text = run_cli("train-sentiment", "--report")
    assert text.exit_code == 0 and "en: model" in text.output and "learned from 121 of your texts" in text.output
    assert f"the lexicon on 121 of the same texts: {en['lexicon']['balanced_accuracy']:.2f} balanced accuracy" in text.output


def test_eval_sentiment_cross_validate_json(run_cli, tmp_path: Path) -> None:
    texts, labels = invented(25)
    path = write_csv(tmp_path / "stars.csv", ["text", "stars"],
                     [[t, 5 if lab == "positive" else 2] for t, lab in zip(texts, labels, strict=True)])
    result = run_cli("eval-sentiment", path, "--rating-column", "stars", "--cross-validate", 5, "--json")
    assert result.exit_code == 0, result.output
    learned = json.loads(result.output)["learned"]
    assert set(learned) == {"balanced_accuracy", "recall", "n", "folds", "by_language", "below_threshold",
                            "cold_start", "with_cold_start"}
    assert learned["n"] == 50 and set(learned["recall"]) == {"positive", "negative"}
    assert set(learned["by_language"]) == {"en"} and learned["below_threshold"]  # 25 per class < 200
    assert learned["cold_start"]["n"] == 0 and learned["with_cold_start"] == {k: learned[k] for k in
                                                                               ("balanced_accuracy", "recall", "n")}
    too_few = write_csv(tmp_path / "few.csv", ["text", "stars"], [["fine", 5], ["bad", 1], ["ok", 5]])
    result = run_cli("eval-sentiment", too_few, "--rating-column", "stars", "--cross-validate", 5)
    assert_no_crash(result)
    assert result.exit_code != 0 and "needs 5 texts of each class" in result.output


def test_eval_sentiment_trains_one_model_per_language_as_a_workspace_does(run_cli, tmp_path: Path) -> None:
    """A language without enough labelled texts gets no model: the cold start reads it, as in the product."""
    texts, labels = invented(25)
    korean = [("배송이 빠르고 정말 좋아요 추천합니다 직원도 친절하고 포장도 깔끔해요", 5),
              ("앱이 계속 멈추고 환불도 안 됩니다 고객센터는 전화를 받지 않아요", 1)] * 3
    korean = [(f"{text} {i}", stars) for i, (text, stars) in enumerate(korean)]  # six different texts
    rows = [[t, 5 if lab == "positive" else 2] for t, lab in zip(texts, labels, strict=True)] + [list(k) for k in korean]
    path = write_csv(tmp_path / "mixed.csv", ["text", "stars"], rows)
    result = run_cli("eval-sentiment", path, "--rating-column", "stars", "--cross-validate", 5, "--json")
    assert result.exit_code == 0, result.output
    learned = json.loads(result.output)["learned"]
    assert set(learned["by_language"]) == {"en"} and learned["n"] == 50
    assert learned["cold_start"]["languages"] == {"ko": 6} and learned["cold_start"]["n"] == 6
    assert learned["cold_start"]["balanced_accuracy"] == 0.0  # the lexicon does not read Korean: "unknown"
    assert learned["with_cold_start"]["n"] == 56
    recall = learned["recall"]
    assert learned["with_cold_start"]["recall"]["positive"] == pytest.approx(recall["positive"] * 25 / 28)
    text = run_cli("eval-sentiment", path, "--rating-column", "stars", "--cross-validate", 5)
    assert "6 texts of languages without a model (ko 6) read by the cold start" in text.output


def test_score_json_says_which_model_scored(run_cli, tmp_path: Path) -> None:
    assert run_cli("import", _reviews_csv(tmp_path / "r.csv", 60)).exit_code == 0
    before = json.loads(run_cli("score", "--json").output)["sentiment_models"]
    assert before == {"lexicon": {"texts": 121, "model": "lexicon", "language": None}}
    assert run_cli("train-sentiment", "--min-per-class", 50, "--folds", 2, "--json").exit_code == 0
    after = json.loads(run_cli("score", "--json").output)["sentiment_models"]
    (only,) = after.values()
    assert (only["texts"], only["language"]) == (121, "en")
    assert only["model"].startswith("learned from 121 of your texts, 0.") and only["model"].endswith(" balanced accuracy")


def test_inbox_lists_only_the_mismatches(run_cli, db_path: Path, tmp_path: Path) -> None:
    from feedback_tui.store import inbox
    from feedback_tui.store.inbox import InboxQuery

    assert run_cli("import", _reviews_csv(tmp_path / "r.csv", 60)).exit_code == 0
    with Store.open(db_path) as opened:
        assert inbox.count(opened, InboxQuery(view="all", mismatch=True)) == 0  # the lexicon flags nothing
    assert run_cli("train-sentiment", "--min-per-class", 50, "--folds", 2).exit_code == 0
    with Store.open(db_path) as opened:
        query = InboxQuery(view="all", mismatch=True)
        assert inbox.count(opened, query) == 1
        assert [row.rating for row in inbox.page(opened, query)] == [5]
        assert inbox.count(opened, InboxQuery(view="all")) == 121


def test_train_with_fewer_texts_than_folds_stores_no_accuracy(run_cli, tmp_path: Path) -> None:
    rows = [["a", "trustpilot", 5, "", "Fresh vegetables and quick delivery.", "Ann", "2026-03-01T10:00:00Z", "en", "", ""],
            ["b", "trustpilot", 1, "", "Rotten avocados and missing items.", "Bob", "2026-03-31T10:00:00Z", "en", "", ""]]
    assert run_cli("import", write_csv(tmp_path / "two.csv", REVIEW_HEADER, rows)).exit_code == 0
    result = run_cli("train-sentiment", "--min-per-class", 1, "--json")
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    en = json.loads(result.output)["models"]["en"]
    assert en["n"] == {"positive": 1, "negative": 1} and en["balanced_accuracy"] is None
    text = run_cli("train-sentiment", "--report")
    assert "learned from 2 of your texts" in text.output and "None" not in text.output


def test_report_on_an_empty_workspace_says_so(run_cli) -> None:
    text = run_cli("train-sentiment", "--report")
    assert text.exit_code == 0, text.output
    assert "No learned model: every text is scored by the lexicon." in text.output
    assert "Texts scored: none yet; 0 mismatches." in text.output


def test_fast_scoring_equals_scikit_learn(model: LearnedModel) -> None:
    """The cached per-word n-grams and numpy TF-IDF give scikit-learn's probabilities."""
    texts = ["Rotten avocados, missing items!", "Fresh   vegetables\tand quick delivery", "", "a", "ok ok ok ok",
             "L'appli plante depuis la mise à jour 3.2 😡", "The driver was late. THE DRIVER WAS LATE.",
             "refund never came refund never came", "Ünïcode wörds and naïve café", "x" * 40]
    assert model.probabilities(texts) == pytest.approx(model.probabilities_sklearn(texts), abs=1e-5)
    assert model.probabilities(texts[:1]) == pytest.approx(model.probabilities(texts)[:1], abs=1e-12)
