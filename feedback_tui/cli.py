"""The ``feedback-tui`` command: the app with no subcommand, headless commands otherwise.

Every command that a script or cron may call prints a short summary (or JSON
with ``--json``) and exits non-zero when something needs a human: 1 when rows
were rejected, 2 when a file or option cannot be used, 3 when the database
cannot. A user mistake is one line on stderr, never a traceback.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from feedback_tui import __version__
from feedback_tui.console import echo
from feedback_tui.errors import FeedbackError, UsageProblem
from feedback_tui.models import Filters, ImportResult, ReviewRecord
from feedback_tui.cli_context import (
    MAX_REJECTS_SHOWN,
    Context,
    backfill_sentiment,
    date_flag,
    filter_options,
    filters_from_options,
    train_after_import,
)
from feedback_tui.paths import demo_db_path, fixtures_dir
from feedback_tui.text import json_text

DEMO_FILES = (
    "reviews.csv",
    "surveys.csv",
    "google_play_export_previous.csv",  # then the current export: ten authors edited after a reply
    "google_play_export.csv",
    "reviews.json",
    "reviews_wrapped.json",
    "reviews.jsonl",
    "avis_export_fr.csv",
    "survey_answers.jsonl",
)


def _sqlite_reason(error: sqlite3.Error) -> str:
    text = str(error)
    if text.startswith("Could not decode to UTF-8"):
        column = text.split("'")[1] if text.count("'") >= 2 else "a column"
        return f"column {column!r} holds text that is not valid UTF-8; the file was written by another program"
    return text[:200]


class FeedbackGroup(click.Group):
    """Turns :class:`FeedbackError` into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FeedbackError as error:
            echo(f"Error: {error}", err=True, fg="red")
            ctx.exit(error.exit_code)
        except sqlite3.Error as error:
            # A database that SQLite opens but cannot serve (text that is not UTF-8,
            # a damaged page): one line and exit 3, like any database problem.
            db = ctx.obj.db_path if isinstance(ctx.obj, Context) else "the database"
            echo(f"Error: {db}: cannot read the database ({_sqlite_reason(error)})", err=True, fg="red")
            ctx.exit(3)
        except KeyboardInterrupt:
            echo("Interrupted: everything committed before this point is kept.", err=True)
            ctx.exit(130)


@click.group(cls=FeedbackGroup, invoke_without_command=True)
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="Database file (default: $FEEDBACK_TUI_DB, else your data dir).")
@click.option("--agent", help="Your name on replies and triage actions (default: $FEEDBACK_TUI_AGENT, else your login).")
@click.version_option(__version__, prog_name="feedback-tui")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, agent: str | None) -> None:
    """Triage, answer and measure customer reviews and survey answers.

    With no command, opens the app on the database.
    """
    ctx.obj = Context(db, agent)
    if ctx.invoked_subcommand is None:
        _run_app(ctx.obj)


def _run_app(context: Context) -> None:
    store = context.open_store()  # fail here, with a clear line, before the screen switches
    store.close()
    from feedback_tui.tui.app import FeedbackApp

    FeedbackApp(db_path=context.db_path, agent=context.agent, config=context.config).run()


# -- import ------------------------------------------------------------------
def _print_result(result: ImportResult, parsed: Any, imported_at: str) -> None:
    from feedback_tui.cli_import import count_lines, plan_lines

    total = result.inserted + result.updated + result.unchanged + result.rejected + result.duplicates
    # thousands separated, as every other count the CLI prints ("17,516 rows had no date")
    line = (f"{result.path}: {total:,} {'row' if total == 1 else 'rows'} ({parsed.format}): {result.inserted:,} new, "
            f"{result.updated:,} updated, {result.unchanged:,} unchanged, {result.rejected:,} rejected")
    if result.duplicates:
        line += f", {result.duplicates:,} duplicates"
    if result.replies_imported:
        line += f", {result.replies_imported:,} repl{'y' if result.replies_imported == 1 else 'ies'}"
    if parsed.replaced_rows:
        line += (f", {parsed.replaced_rows:,} with invalid bytes or NUL characters replaced by U+FFFD "
                 "(flagged 'replaced-bytes')")
    echo(line)
    # indented under the file's line; stderr stays for problems (rejects, errors)
    for detail in plan_lines(parsed) + count_lines(parsed, result.duplicates, imported_at, result):
        echo(f"  {detail}")
    for reject in result.rejects[:MAX_REJECTS_SHOWN]:
        echo(f"  {result.path}: {reject.describe()}", err=True, fg="yellow")
    hidden = result.rejected - MAX_REJECTS_SHOWN
    if hidden > 0:
        echo(f"  ... and {hidden} more: feedback-tui rejects --run {result.run_id}", err=True, fg="yellow")


def _customer_links(rows: Any, links: list[tuple[str, str, str]]) -> Any:
    """The rows, unchanged, noting (source, id, customer) of reviews that name their customer
    (``12923.0`` read as ``12923``, as in orders; a masked id links nothing)."""
    from feedback_tui.importers.orders import customer_id

    for row in rows:
        customer = getattr(row, "customer", None)
        if customer and isinstance(row, ReviewRecord):
            try:
                links.append((row.source, row.external_id, customer_id(customer)))
            except ValueError:
                pass
        yield row


def import_files(context: Context, files: tuple[str, ...], kind: str | None, source: str | None,
                 survey_kind: str | None, sentiment: bool, quiet: bool = False, request: Any = None,
                 dry_run: bool = False) -> int:
    """Import each file; return the worst file's exit code (0 ok, 1 rows rejected, 2 a file unusable).

    ``request`` (a :class:`cli_import.ImportRequest`) carries ``--map``, the
    date order, the rating scale and ``--skip-identical``; with ``dry_run``
    each file is read and described, and nothing is written.
    """
    from feedback_tui.importers import open_input
    from feedback_tui.store.imports import import_rows
    from feedback_tui.store import utc_now
    from feedback_tui.console import progress_bar
    from feedback_tui import cli_import

    options = request.options if request is not None else None
    if kind in ("orders", "costs"):
        from feedback_tui.cli_retention import import_orders_files

        return import_orders_files(context, files, kind, source, options, quiet=quiet, dry_run=dry_run)
    code = 0
    if dry_run:
        for name in files:
            try:
                cli_import.dry_run(open_input(name, kind=kind, source=source, survey_kind=survey_kind,
                                              imported_at=utc_now(), options=options), name)
            except FeedbackError as error:
                echo(f"Error: {error}", err=True, fg="red")
                code = max(code, error.exit_code)
        return code
    with context.open_store() as store:
        for name in files:
            imported_at = utc_now()
            try:
                parsed = open_input(name, kind=kind, source=source, survey_kind=survey_kind, imported_at=imported_at,
                                    options=options)
            except FeedbackError as error:
                echo(f"Error: {error}", err=True, fg="red")
                code = max(code, error.exit_code)
                continue
            links: list[tuple[str, str, str]] = []
            with progress_bar(f"Importing {Path(parsed.origin).name}", parsed.estimated_rows, enabled=not quiet) as advance:
                result = import_rows(store, parsed.origin, parsed.kind, parsed.format, _customer_links(parsed.rows, links),
                                     progress=advance, parse_ahead=True, expected_rows=parsed.estimated_rows,
                                     on_step=lambda step: advance(description=step))
            if links:
                from feedback_tui.store.orders import link_imported_reviews

                link_imported_reviews(store, links)
            if not quiet:
                _print_result(result, parsed, imported_at)
            if result.rejected:
                code = max(code, 1)
        if sentiment:
            backfill_sentiment(store, quiet, languages=context.config.languages,
                               learned=context.config.sentiment.learned)
            train_after_import(context, store, quiet)
    return code


@cli.command("import")
@click.argument("files", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(["reviews", "surveys", "orders", "costs"]),
              help="What the files hold (default: reviews or surveys, detected from the columns).")
@click.option("--source", help="Source name for rows that have none (default: the platform of a recognised export, else the file name).")
@click.option("--survey-kind", type=click.Choice(["nps", "csat", "ces"]), help="Kind of survey rows without a kind column.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN",
              help="Read FIELD from COLUMN (a JSON path such as dates.publishedDate for JSON); repeatable.")
@click.option("--items", metavar="PATH", help="Where a nested JSON file keeps its items, * for any key (e.g. *.per_date_reviews.*).")
@click.option("--profile", help="Use the [imports.NAME] profile of the config file (its fields, kind, source...).")
@click.option("--date-order", type=click.Choice(["dmy", "mdy"]),
              help="How to read 02/11/2024 when the file's own dates do not tell (default: config date_order).")
@click.option("--rating-scale", type=click.Choice(["5", "10", "100"]), help="Scale of ratings that do not name one (stored on 1-5, the original kept).")
@click.option("--csat-scale", type=click.Choice(["1-5", "1-7", "1-10", "0-10"]), help="Scale the CSAT question used (default 1-5; its top two answers are satisfied; the answer is kept).")
@click.option("--ces-scale", type=click.Choice(["1-7", "1-5", "1-10"]), help="Scale the CES question used (default 1-7; normalised on its own number of options).")
@click.option("--skip-identical", is_flag=True, help="Drop rows identical to an earlier row of the file (no id tells them apart).")
@click.option("--dry-run", is_flag=True, help="Print the detected kind, encoding, date order, mapping and first rows; write nothing.")
@click.option("--no-sentiment", is_flag=True, help="Skip sentiment scoring (run `rescore` later).")
@click.pass_obj
def import_command(context: Context, files: tuple[str, ...], kind: str | None, source: str | None,
                   survey_kind: str | None, maps: tuple[str, ...], items: str | None, profile: str | None,
                   date_order: str | None,
                   rating_scale: str | None, csat_scale: str | None, ces_scale: str | None, skip_identical: bool,
                   dry_run: bool, no_sentiment: bool) -> None:
    """Import reviews, survey answers, orders or retention costs from CSV, TSV, JSON or JSONL files.

    Re-importing is safe: known rows are updated only if they changed. Bad rows
    are listed with their line and kept in the rejects table; good rows land.
    With several files, the exit code is the worst file's: 1 if any row was
    rejected, 2 if a file could not be read (the other files are still imported).
    """
    from feedback_tui.cli_import import build_request

    urls = [name for name in files if _is_url(name)]
    for url in urls:  # named as typed: a Path would have made http://host/x.csv "http:/host/x.csv"
        echo(f"Error: {url}: import reads files, not URLs: download it first (curl -o export.csv URL), "
             "or read a JSON API with `feedback-tui fetch json URL --map FILE`", err=True, fg="red")
    files = tuple(name for name in files if name not in urls)
    if not files:
        sys.exit(2)
    request = build_request(context.config, profile=profile, kind=kind, source=source, survey_kind=survey_kind,
                            maps=maps, date_order=date_order, rating_scale=int(rating_scale) if rating_scale else None,
                            skip_identical=skip_identical, items=items,
                            survey_scales={"csat": csat_scale, "ces": ces_scale})
    code = import_files(context, files, request.kind, request.source, request.survey_kind, not no_sentiment,
                        request=request, dry_run=dry_run)
    sys.exit(max(code, 2) if urls else code)


def _is_url(name: str) -> bool:
    """``http://…`` or ``https://…`` (any case) that is not the name of a file here."""
    return name.lower().startswith(("http://", "https://")) and not Path(name).exists()


# -- score -------------------------------------------------------------------
@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the shape is documented in the README).")
@click.option("--by", type=click.Choice(["day", "week", "month", "quarter"]), help="Add figures per period.")
@click.option("--segment", type=click.Choice(["source", "product", "language", "agent"]),
              help="Add figures per segment (agent: response figures per agent).")
@click.option("--product", help="Only this product.")
@click.option("--language", help="Only this language (e.g. fr).")
@filter_options
@click.pass_obj
def score(context: Context, as_json: bool, by: str | None, segment: str | None, product: str | None,
          language: str | None, source: str | None, since: str | None, until: str | None) -> None:
    """NPS, CSAT, CES, sentiment and response figures, overall and per period or segment."""
    from feedback_tui.scoring import scorecard
    from feedback_tui.console import print_scorecard
    from feedback_tui.store import undated

    filters = filters_from_options(source, since, until, product, language)
    with context.open_store() as store:
        card = scorecard(store, filters, by=by, segment=segment, sla_hours=context.config.sla_hours)
        undated.add_to_card(store, card, filters, by)
        if as_json:
            card["sentiment_models"] = _sentiment_models(store)
    if as_json:
        echo(json_text(card, indent=2))
    else:
        print_scorecard(card)
        _echo_undated(card)


def _echo_undated(card: dict[str, Any]) -> None:
    """``score``'s warning (on stderr: piped, stdout is the table and nothing else)."""
    from feedback_tui.store import undated

    for line in undated.warning_lines(card):
        echo(line, err=True, fg="yellow")


def _sentiment_models(store: Any) -> dict[str, Any]:
    """Which model scored the texts: per model, "lexicon" or its description, and how many texts."""
    from feedback_tui.store import sentiment_models

    counts = sentiment_models.scored_by(store)
    rows = sentiment_models.by_id(store, [int(k) for k in counts if k != "lexicon"])
    return {key: {"texts": n, "model": "lexicon" if key == "lexicon" else rows[int(key)].describe(),
                  "language": None if key == "lexicon" else rows[int(key)].language}
            for key, n in sorted(counts.items())}


@cli.command()
@click.option("--all", "everything", is_flag=True, help="Recompute every text, not only those without a score.")
@click.pass_obj
def rescore(context: Context, everything: bool) -> None:
    """Compute sentiment for reviews and comments (all of them with --all)."""
    with context.open_store() as store:
        done = backfill_sentiment(store, quiet=False, everything=everything, languages=context.config.languages,
                                  learned=context.config.sentiment.learned)
    echo(f"Sentiment computed for {done} texts.")


# -- export ------------------------------------------------------------------
@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl", "md"]), default="csv", show_default=True)
@click.option("--kind", type=click.Choice(["reviews", "surveys"]), default="reviews", show_default=True,
              help="Reviews (with replies and tags) or survey answers (with the NPS category).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@filter_options
@click.pass_obj
def export(context: Context, fmt: str, kind: str, output: Path | None, source: str | None, since: str | None,
           until: str | None) -> None:
    """Export reviews with their replies and tags, or survey answers (CSV cells that start a formula are neutralised)."""
    from feedback_tui.exporters import write_export

    with context.open_store() as store:
        count = write_export(store, filters_from_options(source, since, until), fmt, output, kind)
    if output:
        noun = ("survey answer" if kind == "surveys" else "review") + ("" if count == 1 else "s")
        echo(f"{count:,} {noun} written to {output}", err=True)


# -- report ------------------------------------------------------------------
def _day(value: str | None) -> date | None:
    """``--today``: a day in the forms ``--since`` reads (the stored date's day)."""
    if value is None:
        return None
    return date.fromisoformat(date_flag("--today", value)[:10])


def _holds_feedback(card: dict[str, Any]) -> bool:
    """Whether a scorecard counted any review or survey answer."""
    responses = card.get("responses") or {}
    return bool(responses.get("reviews") or any((card.get(name) or {}).get("n")
                                                for name in ("nps", "csat", "ces", "sentiment", "ratings")))


@cli.command()
@click.option("--period", type=click.Choice(["week", "month", "quarter"]), default="month", show_default=True)
@click.option("--since", help="First period to include (default: the last 12 periods).")
@click.option("--source", help="Only this source.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "csv"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option("--today", "as_of", metavar="YYYY-MM-DD",
              help="Report the period holding this day (default: the last complete period, UTC).")
@click.pass_obj
def report(context: Context, period: str, since: str | None, source: str | None, fmt: str,
           output: Path | None, as_of: str | None) -> None:
    """A report of every figure per period, for a mail or a wiki (Markdown, JSON or CSV).

    Without `--today` the report is about the last complete period (on the 1st
    of a month, last month) and its window ends there; with `--today DAY` it is
    about the period holding DAY, even if it is still running. The JSON has the
    shape of `score --json --by PERIOD`; Markdown, CSV and JSON have the same
    periods, empty ones included (with nulls).
    """
    from feedback_tui.reports import render_csv, render_markdown
    from feedback_tui.store import undated
    from feedback_tui.themes import period_themes
    from feedback_tui.scoring import scorecard
    from feedback_tui.trends import DEFAULT_PERIODS, dashboard, last_complete_day, last_periods, now_for, periods_since

    today = _day(as_of) or last_complete_day(period, datetime.now(UTC).date())
    count = DEFAULT_PERIODS
    if since:
        start = filters_from_options(None, since, None).since
        assert start is not None
        count = periods_since(period, datetime.strptime(start[:10], "%Y-%m-%d").date(), today)
    base = Filters(source=source)
    with context.open_store() as store:
        if fmt == "md":
            from feedback_tui.retention import orders_outside, window_words
            from feedback_tui.retention_report import retention_section

            window = last_periods(period, today, count)
            orders_elsewhere = orders_outside(store, since=window[0].since, until=window[-1].until)
            extra = retention_section(store, period, since=window[0].since, until=window[-1].until,
                                      config_costs=context.config.retention_costs,
                                      lifespan_years=context.config.lifespan_years)
            figures = dashboard(store, base, period=period, today=today, count=count,
                                sla_hours=context.config.sla_hours, selected=-1)
            figures["themes"] = period_themes(store, figures, base)
            text = render_markdown(figures, undated.report_lines(store, Filters(**figures["window_filters"]), period)
                                   + extra)
        else:
            orders_elsewhere = None  # retention is a section of the Markdown report only
            window = last_periods(period, today, count)
            filters = Filters(source=source, since=window[0].since, until=window[-1].until)
            card = scorecard(store, filters, by=period, sla_hours=context.config.sla_hours,
                             now=now_for(today), periods=[p.label for p in window])
            if fmt == "json":  # the shape of `score --json`, which says which models scored the texts
                card["sentiment_models"] = _sentiment_models(store)
                undated.add_to_card(store, card, filters, period)
            text = json_text(card, indent=2) + "\n" if fmt == "json" else render_csv(card)
        from feedback_tui.store import queries

        latest = None if as_of else queries.latest_feedback_at(store, base)
        overall = figures["window"] if fmt == "md" else card
    if latest and latest < window[0].since:
        day = datetime.strptime(latest[:10], "%Y-%m-%d").date() + timedelta(days=1)
        echo(f"Note: no feedback in this window; the newest is from {latest[:10]} "
             f"(report --today {day.isoformat()} reports the periods up to it).", err=True)
    elif latest and latest >= window[-1].until and not _holds_feedback(overall):
        # a first import on the 3rd of the month: everything is in the period still running
        echo(f"Note: no feedback in this window; it is all from {window[-1].until[:10]} on, in the period still "
             f"running (report --today {latest[:10]} reports it so far).", err=True)
    if orders_elsewhere:
        echo(f"Note: no orders {window_words(window[0].since, window[-1].until)}; the orders run from "
             f"{orders_elsewhere[0]} to {orders_elsewhere[1]} (report --today {orders_elsewhere[1]} reports "
             f"the periods up to their end).", err=True)
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageProblem(f"{output}: cannot write ({error.strerror})") from None
        echo(f"Report written to {output}", err=True)
    else:
        echo(text, nl=False)


# -- runs and rejects --------------------------------------------------------
@cli.command()
@click.pass_obj
def runs(context: Context) -> None:
    """The latest import runs with their counts."""
    from feedback_tui.store import queries

    with context.open_store() as store:
        runs_ = queries.import_runs(store)
        if not runs_:
            echo("No imports yet: feedback-tui import FILE")
        for run in runs_:
            error = f"  ({run['error']})" if run["error"] else ""
            # the words of the import's summary: "+4 ~0 =0 !5" needed a legend nobody printed
            echo(f"#{run['id']} {run['started_at']} {run['status']:<11} {run['kind']:<8} "
                 f"{run['inserted']:,} new, {run['updated']:,} updated, {run['unchanged']:,} unchanged, "
                 f"{run['rejected']:,} rejected  {run['origin']}{error}")


@cli.command()
@click.option("--run", "run_id", type=int, help="Import run number (default: the latest with rejects).")
@click.pass_obj
def rejects(context: Context, run_id: int | None) -> None:
    """Rows an import rejected, with their line, field, reason and raw text."""
    from feedback_tui.store import queries

    with context.open_store() as store:
        if run_id is not None and not queries.run_exists(store, run_id):
            echo(f"Error: there is no import run #{run_id} (feedback-tui runs lists them)", err=True, fg="red")
            sys.exit(2)
        rows = queries.rejects(store, run_id)
    if not rows:
        echo("No rejected rows.")
    for row in rows:
        field = f", field '{row['field']}'" if row["field"] else ""
        echo(f"{row['origin']}: line {row['line']}{field}: {row['reason']}")
        echo(f"    {row['raw'][:200]!r}")


# -- demo --------------------------------------------------------------------
@cli.command()
@click.option("--no-app", is_flag=True, help="Only load the demo data, do not open the app.")
@click.pass_context
def demo(ctx: click.Context, no_app: bool) -> None:
    """Load the bundled sample reviews and surveys into a demo database and open the app.

    Uses its own database (not your real one) unless --db is given.
    """
    context: Context = ctx.obj
    if ctx.parent and ctx.parent.params.get("db") is None:
        context.db_path = demo_db_path()
    folder = fixtures_dir()
    files = tuple(str(folder / name) for name in DEMO_FILES if (folder / name).exists())
    if not files:
        raise UsageProblem(f"no demo data found in {folder}")
    echo(f"Loading demo data into {context.db_path} ...", err=True)
    code = import_files(context, files, None, None, None, sentiment=True, quiet=True)
    if code >= 2:
        raise UsageProblem("the demo data could not be loaded")
    if not no_app:
        _run_app(context)


def _register_commands() -> None:
    """Commands that live in their own modules, to keep this one small."""
    from feedback_tui import cli_eval, cli_http, cli_retention, cli_serve

    for command in (*cli_http.COMMANDS, *cli_eval.COMMANDS, *cli_retention.COMMANDS, *cli_serve.COMMANDS):
        cli.add_command(command)


_register_commands()


def main() -> None:
    cli(prog_name="feedback-tui")
