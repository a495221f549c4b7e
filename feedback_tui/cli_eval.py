"""``eval-sentiment``: raw TextBlob against our extended analyzer on a labelled file (issue #7),
and the learned model cross-validated on the file's own labels; ``train-sentiment`` (issue 17)."""

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
@click.option("--title-column", help="Column with a review's title; --text-column is then its body "
                                     "(scored as the store scores a titled review).")
@click.option("--cross-validate", "folds", type=click.IntRange(min=2), metavar="K",
              help="Also train the learned model on K-1 folds of the file and test it on the remaining one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def eval_sentiment(file: str, text_column: str, label_column: str | None, rating_column: str | None,
                   language_column: str | None, title_column: str | None, folds: int | None, as_json: bool) -> None:
    """Compare raw TextBlob with our sentiment on a labelled or star-rated CSV file.

    Prints accuracy, balanced accuracy (mean recall of positive and negative) and
    per-class recall, overall and per language.
    """
    from feedback_tui import evaluation, sentiment

    if (label_column is None) == (rating_column is None):
        raise UsageProblem("give exactly one of --label-column and --rating-column")
    dataset = evaluation.read_examples(file, text_column=text_column, label_column=label_column,
                                       rating_column=rating_column, language_column=language_column,
                                       title_column=title_column)
    if not dataset.examples:
        raise UsageProblem(f"{file}: no labelled rows to evaluate")
    examples = _short_texts_in_the_file_language(dataset.examples)

    def ours(text: str, language: str | None, title: str | None) -> tuple[str, str | None]:
        result = sentiment.analyze(text, language, title=title)
        return result.label, result.language

    def raw(text: str, language: str | None) -> tuple[str, str | None]:
        result = sentiment.analyze_raw(text, language)
        return result.label, result.language

    report = evaluation.evaluate(examples, raw, ours)
    report["skipped"] = dataset.skipped
    if folds:
        report["learned"] = _cross_validated(file, examples, folds)
    if as_json:
        echo(json_text(report, indent=2))
        return
    truth = f"labels from {label_column}" if label_column else f"stars from {rating_column} (1-2★ negative, 4-5★ positive, 3★ left out)"
    echo(f"{file}: {report['n']} texts, {truth}")
    echo(f"{'':<22}{'raw':>8}{'ours':>8}")
    lines = _rows("all", report)
    for language, block in report["by_language"].items():
        lines += _rows(language, block)
    echo("\n".join(lines))
    if folds:
        learned = report["learned"]
        models = ", ".join(f"{k} {v['n']:,}" for k, v in learned["by_language"].items())
        echo(f"learned, {folds}-fold cross-validated on the file's own labels, one model per language ({models}"
             f"{'; below the cold start threshold' if learned['below_threshold'] else ''}): "
             f"balanced accuracy {_fmt(learned['balanced_accuracy'])}, recall positive "
             f"{_fmt(learned['recall']['positive'])}, negative {_fmt(learned['recall']['negative'])}")
        if (cold := learned["cold_start"])["n"]:
            others = ", ".join(f"{k} {v:,}" for k, v in cold["languages"].items())
            echo(f"  {cold['n']:,} texts of languages without a model ({others}) read by the cold start: with them, "
                 f"balanced accuracy {_fmt(learned['with_cold_start']['balanced_accuracy'])}")
    left_out = {**dataset.skipped, **{f"no analyzer for {k}": v for k, v in report["unscored"].items()}}
    if left_out:
        echo("left out: " + ", ".join(f"{v:,} ({k})" for k, v in left_out.items()))  # "19 (3 stars or no rating)"


def _short_texts_in_the_file_language(examples: list[Any]) -> list[Any]:
    """Short texts with no language ("Bad", "Top !") take the file's majority language, as
    an import gives them (store.short_texts): a guess from one word would score "Bad" in French."""
    from dataclasses import replace

    from feedback_tui.store import short_texts

    if all(e.language or not short_texts.is_short(e.joined) for e in examples):
        return examples
    language = short_texts.file_language([e.joined for e in examples if not e.language])
    return [replace(e, language=language) if not e.language and short_texts.is_short(e.joined) else e
            for e in examples]


def _cross_validated(file: str, examples: list[Any], folds: int) -> dict[str, Any]:
    """The learned model cross-validated as a workspace would train it: one model per language.

    Each language with ``sentiment_model.MIN_PER_CLASS`` labelled texts per class gets its own
    model, cross-validated on its own texts (given, else detected as the import detects them);
    the top-level figures pool those models' held-out predictions (the learned model's accuracy,
    what ``train-sentiment --report`` says per language). The texts of the other languages are
    read by the cold start, as the product reads them (a language without a lexicon: "unknown",
    a miss): ``cold_start`` gives the lexicon's figures on them, ``with_cold_start`` the whole
    file's. In a file where no language reaches the threshold (a small one: ``below_threshold``)
    each language with ``folds`` texts per class gets its model anyway, the models it would
    train once it had enough.
    Copies of a long text count once (:func:`~feedback_tui.store.training.first_copies`).
    """
    from feedback_tui import sentiment, sentiment_model
    from feedback_tui.store.training import first_copies

    polar = [e for e in examples if e.truth in sentiment_model.LABELS]
    kept = first_copies([e.joined for e in polar], [e.truth for e in polar])
    polar = [polar[i] for i in kept]
    labels = [e.truth for e in polar]
    languages = [e.language or sentiment.detect_language(e.joined) or sentiment.SUPPORTED_LANGUAGES[0] for e in polar]
    by_language: dict[str, list[int]] = {}
    for i, language in enumerate(languages):
        by_language.setdefault(language, []).append(i)
    modelled = [lang for lang, rows in by_language.items() if sentiment_model.enough([labels[i] for i in rows])]
    below_threshold = not modelled
    if below_threshold:  # a small file: each language the folds can split, else the largest one (for the error)
        modelled = [lang for lang, rows in by_language.items()
                    if sentiment_model.enough([labels[i] for i in rows], folds)] \
            or [max(by_language, key=lambda lang: len(by_language[lang]))]
    predicted = [""] * len(polar)
    figures: dict[str, Any] = {}
    for language in modelled:
        rows = by_language[language]
        try:
            said = sentiment_model.cross_validated_labels([polar[i].joined for i in rows], [labels[i] for i in rows],
                                                          folds, language=language)
        except ValueError as error:
            raise UsageProblem(f"{file}: {error}") from None
        for i, label in zip(rows, said, strict=True):
            predicted[i] = label
        figures[language] = sentiment_model.recalls([labels[i] for i in rows], said)
    learned_rows = [i for lang in modelled for i in by_language[lang]]
    cold_rows = [i for i in range(len(polar)) if languages[i] not in modelled]
    for i in cold_rows:  # the cold start, as the product scores a language without a model
        predicted[i] = sentiment.analyze(polar[i].text, languages[i], title=polar[i].title).label
    cold = sentiment_model.recalls([labels[i] for i in cold_rows], [predicted[i] for i in cold_rows])
    cold["languages"] = {lang: len(rows) for lang, rows in by_language.items() if lang not in modelled}
    return {**sentiment_model.recalls([labels[i] for i in learned_rows], [predicted[i] for i in learned_rows]),
            "folds": folds, "by_language": figures, "below_threshold": below_threshold,
            "cold_start": cold, "with_cold_start": sentiment_model.recalls(labels, predicted)}


def _lexicon_beside(store: Any, languages: set[str]) -> dict[str, dict[str, Any]]:
    """The lexicon's figures on a fixed sample of each modelled language's labelled texts."""
    from feedback_tui.evaluation import LEXICON_SAMPLE, lexicon_on
    from feedback_tui.sentiment import SUPPORTED_LANGUAGES
    from feedback_tui.store import sentiment_models

    if not languages:
        return {}
    sample = sentiment_models.labelled_sample_titled(store, per_class=LEXICON_SAMPLE)
    # a language the lexicon does not read (Korean) would read 0.00: every text "unknown"
    return {language: lexicon_on(texts, labels, language, titles)
            for language, (texts, titles, labels) in sample.items()
            if language in languages and language in SUPPORTED_LANGUAGES}


@click.command("train-sentiment")
@click.option("--min-per-class", type=click.IntRange(min=1), default=None,
              help="Labelled texts needed in each class before a language leaves the lexicon "
                   "(default: [sentiment] min_per_class, 200).")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Cross-validation folds for the accuracy stored with the model.")
@click.option("--report", is_flag=True, help="Only print the stored models' figures; train nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def train_sentiment(context: Any, min_per_class: int | None, folds: int, report: bool, as_json: bool) -> None:
    """Learn sentiment from the workspace's own stars and scored comments, per language.

    1-2 stars, NPS 0-6 and CSAT 1-2 are negative; 4-5 stars, NPS 9-10 and CSAT 4-5
    positive. A language with fewer labelled texts per class than --min-per-class
    keeps the lexicon. The model is cross-validated, stored, and every text rescored.
    """
    from feedback_tui.cli_context import backfill_sentiment
    from feedback_tui.sentiment import SUPPORTED_LANGUAGES
    from feedback_tui.store import sentiment_models, training

    if not context.config.sentiment.learned and not report:
        raise UsageProblem('the config says [sentiment] model = "lexicon": the learned model is off; '
                           'set model = "learned" to train it')
    threshold = min_per_class or context.config.sentiment.min_per_class
    trained: dict[str, Any] = {}
    with context.open_store() as store:
        if not report:
            trained = training.train(store, min_per_class=threshold, folds=folds)
            if any(v["status"] == "trained" for v in trained.values()):
                backfill_sentiment(store, quiet=as_json, everything=True, languages=context.config.languages)
        models = sentiment_models.current(store)
        scored_by = sentiment_models.scored_by(store)
        mismatches = sentiment_models.mismatch_count(store)
        lexicon = _lexicon_beside(store, set(models))
    figures = {language: {"model": row.id, "trained_at": row.trained_at,
                          "n": {"positive": row.n_positive, "negative": row.n_negative},
                          "balanced_accuracy": row.balanced_accuracy,
                          "recall": {"positive": row.recall_positive, "negative": row.recall_negative},
                          "folds": row.folds, "lexicon": lexicon.get(language)} for language, row in models.items()}
    if as_json:
        echo(json_text({"training": trained, "models": figures, "scored_by": scored_by,
                        "mismatch": mismatches}, indent=2))
        return
    for language, outcome in trained.items():
        if outcome["status"] == "lexicon":
            echo(f"{language}: lexicon ({outcome['n']['negative']} negative, {outcome['n']['positive']} positive: "
                 f"{outcome['reason']})")
    if not models:
        echo("No learned model: every text is scored by the lexicon.")
    for language, row in models.items():
        figures = (f"recall positive {_fmt(row.recall_positive).strip()}, negative "
                   f"{_fmt(row.recall_negative).strip()}, {row.folds}-fold" if row.folds else "not cross-validated")
        echo(f"{language}: model {row.id}, {row.describe()} ({figures}), trained {row.trained_at}")
        if language not in SUPPORTED_LANGUAGES:
            echo(f"    the lexicon does not read {language}: without this model its texts are 'unknown'")
        elif (beside := lexicon.get(language)) and beside["balanced_accuracy"] is not None:
            echo(f"    the lexicon on {beside['n']:,} of the same texts: {beside['balanced_accuracy']:.2f} balanced "
                 f"accuracy (recall positive {beside['recall']['positive']:.2f}, "
                 f"negative {beside['recall']['negative']:.2f})")
    counted = ", ".join(f"{v:,} by {'the lexicon' if k == 'lexicon' else 'model ' + k}"
                        for k, v in sorted(scored_by.items()))
    echo(f"Texts scored: {counted or 'none yet'}; {mismatches:,} mismatches.")


COMMANDS: list[click.Command] = [eval_sentiment, train_sentiment]
