"""``eval-sentiment``: raw TextBlob against our extended analyzer on a labelled file (issue #7)."""

from __future__ import annotations

from typing import Any

import click

from feedback_tui.console import echo
from feedback_tui.errors import UsageProblem
from feedback_tui.text import json_text


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def _rows(name: str, block: dict[str, Any]) -> list[str]:
    raw, ours = block["raw"], block["ours"]
    lines = [f"{name} (n={block['n']})"]
    for label, key in (("accuracy", "accuracy"), ("balanced accuracy", "balanced_accuracy")):
        lines.append(f"  {label:<20}{_fmt(raw[key]):>8}{_fmt(ours[key]):>8}")
    for cls in ("positive", "neutral", "negative"):
        lines.append(f"  {'recall ' + cls:<20}{_fmt(raw['recall'][cls]):>8}{_fmt(ours['recall'][cls]):>8}")
    return lines


@click.command("eval-sentiment")
@click.argument("file", type=click.Path(dir_okay=True, path_type=str))
@click.option("--text-column", default="text", show_default=True, help="Column holding the review or comment.")
@click.option("--label-column", help="Column with positive / neutral / negative.")
@click.option("--rating-column", help="Column with 1-5 stars (1-2 negative, 4-5 positive, 3 skipped).")
@click.option("--language-column", help="Column with the language (default: detected per text).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def eval_sentiment(file: str, text_column: str, label_column: str | None, rating_column: str | None,
                   language_column: str | None, as_json: bool) -> None:
    """Compare raw TextBlob with our sentiment on a labelled or star-rated CSV file.

    Prints accuracy, balanced accuracy (mean recall of positive and negative) and
    per-class recall, overall and per language.
    """
    from feedback_tui import evaluation, sentiment

    if (label_column is None) == (rating_column is None):
        raise UsageProblem("give exactly one of --label-column and --rating-column")
    dataset = evaluation.read_examples(file, text_column=text_column, label_column=label_column,
                                       rating_column=rating_column, language_column=language_column)
    if not dataset.examples:
        raise UsageProblem(f"{file}: no labelled rows to evaluate")

    def ours(text: str, language: str | None) -> tuple[str, str | None]:
        result = sentiment.analyze(text, language)
        return result.label, result.language

    def raw(text: str, language: str | None) -> tuple[str, str | None]:
        result = sentiment.analyze_raw(text, language)
        return result.label, result.language

    report = evaluation.evaluate(dataset.examples, raw, ours)
    report["skipped"] = dataset.skipped
    if as_json:
        echo(json_text(report, indent=2))
        return
    truth = f"labels from {label_column}" if label_column else f"stars from {rating_column} (3 skipped)"
    echo(f"{file}: {report['n']} texts, {truth}")
    echo(f"{'':<22}{'raw':>8}{'ours':>8}")
    lines = _rows("all", report)
    for language, block in report["by_language"].items():
        lines += _rows(language, block)
    echo("\n".join(lines))
    left_out = {**dataset.skipped, **{f"no analyzer for {k}": v for k, v in report["unscored"].items()}}
    if left_out:
        echo("left out: " + ", ".join(f"{v} {k}" for k, v in left_out.items()))


COMMANDS: list[click.Command] = [eval_sentiment]
