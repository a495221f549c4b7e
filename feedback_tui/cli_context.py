"""What every CLI command shares: the global options' context, the filter
options, and sentiment scoring after an import.

Its own module so that the command modules (``cli``, ``cli_http``,
``cli_eval``) import it and never each other.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from feedback_tui.config import load_config, resolve_agent
from feedback_tui.console import echo
from feedback_tui.errors import UsageProblem
from feedback_tui.datebounds import bound
from feedback_tui.models import Filters
from feedback_tui.paths import default_db_path
from feedback_tui.store import Store

MAX_REJECTS_SHOWN = 20  # rejects printed after an import; the rest: ``feedback-tui rejects --run N``


class Context:
    """What the global options decide, shared with every subcommand."""

    def __init__(self, db: Path | None, agent: str | None) -> None:
        self.config = load_config()
        self.db_path = db or default_db_path()
        self.agent = resolve_agent(agent, self.config)
        for warning in self.config.warnings:
            echo(f"Warning: {warning}", err=True, fg="yellow")

    def open_store(self) -> Store:
        return Store.open(self.db_path)


def date_flag(flag: str, text: str) -> str:
    """The stored form of a date option's value (``--since``, ``--until``, ``--today``); else a
    one-line usage error that names this flag and the value it was given."""
    try:
        return bound(text)
    except ValueError as error:
        raise UsageProblem(f"{flag}: {error}") from None


def filters_from_options(source: str | None, since: str | None, until: str | None, product: str | None = None,
             language: str | None = None) -> Filters:
    """``--since`` is inclusive; ``--until 2026-10-31`` includes that whole day."""
    since_at = date_flag("--since", since) if since else None
    until_at = date_flag("--until", until) if until else None
    if until and until_at and len(until.strip()) == 10:
        day = datetime.strptime(until_at[:10], "%Y-%m-%d").replace(tzinfo=UTC) + timedelta(days=1)
        until_at = day.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Filters(source=source, since=since_at, until=until_at, product=product, language=language)


def filter_options(func):
    func = click.option("--until", help="Only feedback before this date (a bare date includes that day).")(func)
    func = click.option("--since", help="Only feedback from this date on (ISO 8601 or dd/mm/yyyy).")(func)
    func = click.option("--source", help="Only this source (e.g. google_play, app_store).")(func)
    return func


def backfill_sentiment(store: Store, quiet: bool, everything: bool = False, languages: list[str] | None = None,
                       learned: bool = True) -> int:
    """Score the sentiment of every text that lacks it, with a progress bar (``learned=False``:
    the lexicon only, as ``[sentiment] model = "lexicon"`` asks)."""
    from feedback_tui import sentiment
    from feedback_tui.console import progress_bar
    from feedback_tui.store import queries, rescoring

    pending = queries.count_pending_sentiment(store) if not everything else store.count_reviews() + store.count_surveys()
    if not pending:
        return 0
    with progress_bar("Scoring sentiment", pending, enabled=not quiet) as advance:
        return rescoring.backfill(store, everything=everything, progress=lambda done, _total: advance(done),
                                  languages=languages or sentiment.SUPPORTED_LANGUAGES, learned=learned)


def train_after_import(context: Any, store: Store, quiet: bool) -> dict[str, Any]:
    """After an import: (re)train the languages that have enough new labelled texts, then rescore.

    ``[sentiment]`` decides: ``model = "lexicon"`` never trains, ``min_per_class``
    and ``retrain_after`` say when (see :func:`feedback_tui.store.training.due`).
    """
    from feedback_tui.store import training

    settings = context.config.sentiment
    if not settings.learned:
        return {}
    due = training.due(store, min_per_class=settings.min_per_class, retrain_after=settings.retrain_after)
    if not due:
        return {}
    if not quiet:
        echo("Training the sentiment model: " + ", ".join(f"{k} ({v})" for k, v in sorted(due.items())), err=True)
    outcome = training.train(store, min_per_class=settings.min_per_class, only=set(due))
    if any(v["status"] == "trained" for v in outcome.values()):
        backfill_sentiment(store, quiet, everything=True, languages=context.config.languages)
        if not quiet:
            echo(f"Sentiment model trained: {training.summary(outcome)}", err=True)
    return outcome
