"""A review's title read apart: its verdict weighs beside the body's complaints (issue 17, Session 7)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REVIEW_HEADER, raw_rows, write_csv
from feedback_tui.evaluation import read_examples
from feedback_tui.sentiment import TITLE_WEIGHT, _analyze_chunk, analyze, extended_polarity, joined

COMPLAINT = "I love this app but the ads are so annoying and it keeps crashing"
PRAISE = "I loved it at first, the chat is nice"


def test_the_title_verdict_outweighs_a_complaining_body() -> None:
    assert analyze(COMPLAINT, "en").label == "negative"
    assert analyze(joined(COMPLAINT, "Love it"), "en").label == "negative"  # joined, as before: one string
    titled = analyze(COMPLAINT, "en", title="Love it")
    assert titled.label == "positive"
    whole, _ = extended_polarity(joined(COMPLAINT, "Love it"), "en")
    assert titled.polarity == min(1.0, whole + TITLE_WEIGHT * extended_polarity("Love it", "en")[0])
    assert analyze(PRAISE, "en").label == "positive"
    assert analyze(PRAISE, "en", title="Scam").label == "negative"


def test_without_a_title_nothing_changes() -> None:
    for title in (None, ""):
        assert analyze(COMPLAINT, "en", title=title) == analyze(COMPLAINT, "en")
    assert analyze(COMPLAINT, "en", title="   ") == analyze(joined(COMPLAINT, "   "), "en")  # no verdict to add
    assert analyze("", "en", title="Great app").label == "positive"  # a title alone is the text
    assert analyze("", "en").label == "unknown"
    # items of three (no title) and of four score alike when the title is None
    assert _analyze_chunk([(1, COMPLAINT, "en")]) == _analyze_chunk([(1, COMPLAINT, "en", None)])


def test_the_backfill_reads_the_title_apart(run_cli, db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "titled.csv", REVIEW_HEADER, [
        ["t-1", "appstore", 5, "Love it", COMPLAINT, "A", "2026-05-01T10:00:00Z", "en", "", ""],
        ["t-2", "appstore", 4, "", COMPLAINT, "B", "2026-05-01T11:00:00Z", "en", "", ""],
        ["t-3", "appstore", 1, "Scam", PRAISE, "C", "2026-05-01T12:00:00Z", "en", "", ""],
    ])
    assert run_cli("import", path).exit_code == 0
    rows = {r["external_id"]: (r["sentiment"], r["polarity"])
            for r in raw_rows(db_path, "SELECT external_id, sentiment, polarity FROM reviews")}
    assert rows["t-1"] == ("positive", analyze(COMPLAINT, "en", title="Love it").polarity)
    assert rows["t-2"] == ("negative", analyze(COMPLAINT, "en").polarity)
    assert rows["t-3"][0] == "negative"


def test_eval_title_column_scores_as_the_store(run_cli, tmp_path: Path) -> None:
    rows = [["Love it", COMPLAINT, 5], ["Great app", COMPLAINT, 4], ["Scam", PRAISE, 1], ["Awful", PRAISE, 2],
            ["Great", "", 5], ["", "", 1], ["Fine", "whatever", 3]]
    path = write_csv(tmp_path / "store.csv", ["headline", "body", "stars", "lang"], [[*row, "en"] for row in rows])
    dataset = read_examples(path, text_column="body", rating_column="stars", title_column="headline")
    assert [(e.title, e.joined) for e in dataset.examples][:1] == [("Love it", f"Love it. {COMPLAINT}")]
    assert dataset.skipped == {"3 stars or no rating": 1, "empty text": 1}

    def report(*extra: str) -> dict:
        result = run_cli("eval-sentiment", path, "--text-column", "body", "--rating-column", "stars",
                         "--language-column", "lang", *extra, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    titled = report("--title-column", "headline")
    assert titled["n"] == 5
    assert titled["ours"]["recall"] == {"positive": 1.0, "neutral": None, "negative": 1.0}
    body_only = report()
    assert body_only["n"] == 4  # the title-only row has no text without its title
    assert body_only["ours"]["recall"]["positive"] == 0.0 and body_only["ours"]["recall"]["negative"] == 0.0
    missing = run_cli("eval-sentiment", path, "--text-column", "body", "--rating-column", "stars",
                      "--title-column", "nope")
    assert missing.exit_code == 2 and "--title-column" in missing.output


def test_the_report_sample_reads_the_title_apart(run_cli, db_path: Path, tmp_path: Path) -> None:
    """train-sentiment --report's lexicon figure: the same sample as training's, title and body apart."""
    from feedback_tui.store import Store, sentiment_models

    path = write_csv(tmp_path / "titled.csv", REVIEW_HEADER, [
        [f"r-{i}", "appstore", 5 if i % 2 else 1, "Love it" if i % 3 else "", f"{COMPLAINT} {i}", "A",
         "2026-05-01T10:00:00Z", "en", "", ""] for i in range(12)])
    assert run_cli("import", path).exit_code == 0
    with Store.open(db_path) as store:
        joined_sample = sentiment_models.labelled_texts(store, per_class=4)["en"]
        texts, titles, labels = sentiment_models.labelled_sample_titled(store, per_class=4)["en"]
    assert [joined(text, title) for text, title in zip(texts, titles, strict=True)] == joined_sample[0]
    assert labels == joined_sample[1] and "Love it" in titles and None in titles


def test_a_learned_model_reads_title_and_body_as_one_text(run_cli, db_path: Path, tmp_path: Path) -> None:
    """The model was trained on "title. body" (sentiment_models' texts): the backfill gives it the same."""
    from feedback_tui import sentiment_model
    from feedback_tui.store import Store, rescoring, sentiment_models

    good, bad = ["lovely basket", "quick delivery", "friendly support"], ["rotten avocados", "missing items", "cold food"]
    texts = [f"{a} and {b}." for a in good for b in good] * 3 + [f"{a} and {b}." for a in bad for b in bad] * 3
    model = sentiment_model.train(texts, ["positive"] * 27 + ["negative"] * 27, "en")
    path = write_csv(tmp_path / "titled.csv", REVIEW_HEADER, [
        ["m-1", "appstore", 5, "Lovely basket, quick delivery", "Missing items", "A", "2026-05-01T10:00:00Z", "en", "", ""]])
    assert run_cli("import", "--no-sentiment", path).exit_code == 0
    with Store.open(db_path) as store:
        sentiment_models.save(store, model, None)
        rescoring.backfill(store, processes=1)
        polarity = store.scalar("SELECT polarity FROM reviews WHERE external_id = 'm-1'")
    p_joined = model.probabilities(["Lovely basket, quick delivery. Missing items"])[0]
    assert polarity == round(2 * p_joined - 1, 4)
    assert polarity != round(2 * model.probabilities(["Missing items"])[0] - 1, 4)
