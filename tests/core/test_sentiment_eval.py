"""Issue #7: the evaluator's arithmetic, its CSV reading, and ``feedback-tui eval-sentiment``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, assert_no_crash, write_csv
from feedback_tui.errors import FileProblem, UsageProblem
from feedback_tui.evaluation import Example, evaluate, label_from_rating, metrics, read_examples

EVAL = FIXTURES / "sentiment_eval"


def test_metrics_by_hand() -> None:
    pairs = [("positive", "positive"), ("positive", "neutral"), ("positive", "positive"), ("positive", "negative"),
             ("negative", "negative"), ("negative", "neutral"),
             ("neutral", "neutral"), ("neutral", "positive")]
    m = metrics(pairs)
    assert m["n"] == 8
    assert m["accuracy"] == pytest.approx(4 / 8)
    assert m["recall"] == {"positive": pytest.approx(2 / 4), "neutral": pytest.approx(1 / 2),
                           "negative": pytest.approx(1 / 2)}
    assert m["balanced_accuracy"] == pytest.approx((2 / 4 + 1 / 2) / 2)


def test_metrics_without_a_class_and_empty() -> None:
    m = metrics([("positive", "positive"), ("negative", "neutral"), ("negative", "negative")])
    assert m["recall"]["neutral"] is None
    assert m["balanced_accuracy"] == pytest.approx((1 + 0.5) / 2)
    only_positive = metrics([("positive", "positive"), ("positive", "negative")])
    assert only_positive["balanced_accuracy"] == pytest.approx(0.5)  # the class that has examples
    empty = metrics([])
    assert (empty["n"], empty["accuracy"], empty["balanced_accuracy"]) == (0, None, None)


@pytest.mark.parametrize(("value", "label"), [
    ("1", "negative"), ("2", "negative"), ("3", None), ("4", "positive"), ("5", "positive"), ("4.0", "positive"),
    ("", None), ("x", None), ("0", None), ("6", None)])
def test_label_from_rating(value: str, label: str | None) -> None:
    assert label_from_rating(value) == label


def test_evaluate_overall_per_language_and_unscored() -> None:
    examples = [Example("a", "positive", "en"), Example("b", "negative", "en"), Example("c", "negative", "fr"),
                Example("d", "positive", "de")]
    raw_labels = {"a": "positive", "b": "neutral", "c": "neutral"}
    ours_labels = {"a": "positive", "b": "negative", "c": "negative"}

    def raw(text: str, language: str | None) -> tuple[str, str | None]:
        return raw_labels.get(text, "unknown"), language

    def ours(text: str, language: str | None, title: str | None) -> tuple[str, str | None]:
        return ours_labels.get(text, "unknown"), language

    report = evaluate(examples, raw, ours)
    assert report["n"] == 3 and report["unscored"] == {"de": 1}
    assert report["raw"]["accuracy"] == pytest.approx(1 / 3) and report["ours"]["accuracy"] == 1.0
    assert report["raw"]["balanced_accuracy"] == pytest.approx(0.5)
    assert set(report["by_language"]) == {"en", "fr"}
    assert report["by_language"]["fr"]["n"] == 1
    assert report["by_language"]["fr"]["raw"]["recall"]["negative"] == 0.0


def test_read_examples_labels_and_ratings(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ["body", "stars", "lang", "label"], [
        ["good", "5", "en", "Positive"], ["meh", "3", "", "neutral"], ["bad", "1", "EN", "neg"], ["", "2", "", "negative"]])
    by_label = read_examples(path, text_column="body", label_column="label", language_column="lang")
    assert [(e.truth, e.language) for e in by_label.examples] == [("positive", "en"), ("neutral", None),
                                                                   ("negative", "en")]
    assert by_label.skipped == {"empty text": 1}
    by_stars = read_examples(path, text_column="body", rating_column="stars")
    assert [e.truth for e in by_stars.examples] == ["positive", "negative"]
    assert by_stars.skipped == {"3 stars or no rating": 1, "empty text": 1}


def test_read_examples_errors(tmp_path: Path) -> None:
    with pytest.raises(FileProblem):
        read_examples(tmp_path / "missing.csv", label_column="label")
    path = write_csv(tmp_path / "x.csv", ["text", "label"], [["good", "great"]])
    with pytest.raises(UsageProblem, match="line 2"):
        read_examples(path, label_column="label")
    with pytest.raises(UsageProblem, match="no column 'stars'"):
        read_examples(path, rating_column="stars")
    with pytest.raises(UsageProblem):
        read_examples(path, label_column="label", rating_column="label")


def test_eval_set_size_and_balance() -> None:
    for name, minimum in (("dev.csv", 300), ("holdout.csv", 100)):
        examples = read_examples(EVAL / name, label_column="label", language_column="language").examples
        for language in ("en", "fr"):
            ours = [e for e in examples if e.language == language]
            assert len(ours) >= minimum
            assert {e.truth for e in ours} == {"positive", "neutral", "negative"}
        texts = [e.text for e in examples]
        assert len(texts) == len(set(texts)), "duplicate rows"
    dev = {e.text for e in read_examples(EVAL / "dev.csv", label_column="label").examples}
    holdout = {e.text for e in read_examples(EVAL / "holdout.csv", label_column="label").examples}
    assert not dev & holdout


@pytest.mark.parametrize("name", ["dev.csv", "holdout.csv"])
def test_acceptance_on_the_evaluation_set(run_cli, name: str) -> None:
    result = run_cli("eval-sentiment", EVAL / name, "--label-column", "label", "--language-column", "language",
                     "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] >= 200
    for language in ("en", "fr"):
        block = report["by_language"][language]
        assert block["ours"]["balanced_accuracy"] >= 0.80
        assert block["ours"]["recall"]["negative"] >= 0.75
        assert block["ours"]["balanced_accuracy"] >= block["raw"]["balanced_accuracy"] + 0.15


def test_star_rated_reviews_never_tuned_on(run_cli) -> None:
    result = run_cli("eval-sentiment", FIXTURES / "reviews.csv", "--text-column", "body", "--rating-column", "rating",
                     "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["skipped"]["3 stars or no rating"] == 29
    assert report["n"] == 240 - 29
    assert set(report["by_language"]) == {"en", "fr"}  # detected: no language column given
    assert report["ours"]["balanced_accuracy"] >= report["raw"]["balanced_accuracy"] + 0.15
    assert report["ours"]["recall"]["neutral"] is None


def test_text_output_side_by_side(run_cli) -> None:
    result = run_cli("eval-sentiment", EVAL / "holdout.csv", "--label-column", "label")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["raw", "ours"]
    assert any(line.startswith("fr (n=") for line in lines) and any(line.startswith("en (n=") for line in lines)
    assert sum("balanced accuracy" in line for line in lines) == 3


def test_text_output_says_what_the_stars_mean_and_how_many_were_left_out(run_cli) -> None:
    """It read "stars from rating (3 skipped)" then "left out: 29 3 stars or no rating": the 3
    was the star, not a count, and two numbers ran together."""
    result = run_cli("eval-sentiment", FIXTURES / "reviews.csv", "--text-column", "body", "--rating-column", "rating")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("stars from rating (1-2★ negative, 4-5★ positive, 3★ left out)"), lines[0]
    assert lines[-1] == "left out: 29 (3 stars or no rating)", lines[-1]


@pytest.mark.parametrize("args", [
    ("missing.csv", "--label-column", "label"),
    ("{eval}", "--label-column", "nope"),
    ("{eval}", "--text-column", "nope", "--label-column", "label"),
    ("{eval}", "--label-column", "label", "--rating-column", "label"),
    ("{eval}",),
])
def test_cli_errors_are_one_line_exit_2(run_cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    args = tuple(str(EVAL / "holdout.csv") if a == "{eval}" else (str(tmp_path / a) if a.endswith(".csv") else a)
                 for a in args)
    result = run_cli("eval-sentiment", *args)
    assert_no_crash(result)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:") and len(result.stderr.strip().splitlines()) == 1


def test_doubled_quotes_keep_their_columns(tmp_path: Path) -> None:
    """The Sniffer guessed ``doublequote=False`` on a real export; only its delimiter is used now."""
    rows = [[str(i), f'He said ""fine"" then it broke, line {i}\nsecond line', 1 if i % 2 else 5] for i in range(12)]
    path = tmp_path / "quoted.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",review,rating\n")
        for index, text, stars in rows:
            handle.write(f'{index},"{text}",{stars}\n')
    dataset = read_examples(path, text_column="review", rating_column="rating")
    assert len(dataset.examples) == 12 and not dataset.skipped
    assert dataset.examples[0].text.startswith('He said "fine"')
    assert [e.truth for e in dataset.examples[:2]] == ["positive", "negative"]
