"""``import --kind orders|costs``, ``retention`` and ``link-customers``.

Split from :mod:`feedback_tui.cli` to keep it small. The figures are
:mod:`feedback_tui.retention`'s; this module reads options, prints through
:func:`console.echo` and turns a user's mistake into one line and an exit code.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import click

from feedback_tui.cli_context import Context, filters_from_options
from feedback_tui.console import echo
from feedback_tui.errors import FeedbackError, FileProblem, UsageProblem
from feedback_tui.margins import margin_text
from feedback_tui.retention_clv import clv_sentence
from feedback_tui.text import json_text

MAX_REJECTS_SHOWN = 20


def _print_rejects(origin: str, result: Any) -> None:
    for reject in result.rejects[:MAX_REJECTS_SHOWN]:
        echo(f"  {origin}: {reject.describe()}", err=True, fg="yellow")
    hidden = result.rejected - MAX_REJECTS_SHOWN
    if hidden > 0:
        echo(f"  ... and {hidden} more: feedback-tui rejects --run {result.run_id}", err=True, fg="yellow")


def import_orders_files(context: Context, files: tuple[str, ...], kind: str, source: str | None,
                        options: Any, quiet: bool = False, dry_run: bool = False) -> int:
    """Import orders (or retention costs) files; the worst file's exit code."""
    from feedback_tui.importers.orders import open_orders, read_costs
    from feedback_tui.store.orders import write_costs, write_orders

    code = 0
    with context.open_store() as store:
        for name in files:
            try:
                if kind == "costs":
                    costs, rejects = read_costs(name, options)
                    if dry_run:
                        echo(f"{name}: {len(costs)} periods of retention spend, {len(rejects)} rejected (dry run)")
                        continue
                    result = write_costs(store, name, costs, rejects)
                    origin = name
                else:
                    parsed = open_orders(name, source=source, options=options)
                    origin = parsed.origin
                    if dry_run:
                        echo(f"{origin}: orders, format {parsed.format}, about {parsed.estimated_rows} lines "
                             "(dry run: nothing written)")
                        echo(f"  mapping: {parsed.plan.describe()}" + ("; lines summed per order (quantity x "
                             "unit_price)" if parsed.plan.per_line else ""))
                        continue
                    orders, rejects, lines = parsed.read()
                    result = write_orders(store, origin, parsed.format, orders, rejects)
            except FeedbackError as error:
                echo(f"Error: {error}", err=True, fg="red")
                code = max(code, error.exit_code)
                continue
            if not quiet:
                if kind == "costs":
                    echo(f"{origin}: {len(costs) + result.rejected} periods: {result.inserted} new, "
                         f"{result.updated} updated, {result.unchanged} unchanged, {result.rejected} rejected")
                else:
                    cancelled = sum(1 for o in orders if not o.purchase)
                    echo(f"{origin}: {lines} lines ({parsed.format}) -> {len(orders)} orders: {result.inserted} "
                         f"new, {result.updated} updated, {result.unchanged} unchanged; {result.rejected} lines "
                         f"rejected; {cancelled} orders are returns or cancellations (kept, not purchases)")
                    echo(f"  mapping: {parsed.plan.describe()}")
                    if parsed.plan.ignored:
                        echo(f"  ignored: {', '.join(parsed.plan.ignored)}; map one with --map FIELD=COLUMN")
                _print_rejects(origin, result)
            if result.rejected:
                code = max(code, 1)
    return code


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}{suffix}"
    return f"{value}{suffix}"


TABLE = (("period", "period", ""), ("S", "customers_start", ""), ("E", "customers", ""), ("N", "new", ""),
         ("retained", "retained", ""), ("crr", "crr", "%"), ("retention", "retention", "%"),
         ("churn", "churn", "%"), ("orders", "orders", ""), ("revenue", "revenue", ""), ("aov", "aov", ""),
         ("freq", "purchase_frequency", ""), ("rpr", "repeat_purchase_rate", "%"),
         ("value", "customer_value", ""), ("rev churn", "revenue_churn", "%"),
         ("cost/cust", "retention_cost_per_customer", ""))


def period_table(periods: list[dict[str, Any]]) -> list[str]:
    """The periods as aligned text lines (the ``retention`` command and the report's fallback)."""
    cells = [[name for name, _, _ in TABLE]]
    for period in periods:
        row = [_fmt(period.get(key), suffix if period.get(key) is not None else "") for _, key, suffix in TABLE]
        if period.get("partial"):
            row[0] += "*"  # the data ends inside it: see partial_note
        cells.append(row)
    widths = [max(len(row[i]) for row in cells) for i in range(len(TABLE))]
    return ["  ".join(cell.rjust(width) if i else cell.ljust(width) for i, (cell, width) in
                      enumerate(zip(row, widths))) for row in cells]


def window_line(window: dict[str, Any]) -> str:
    if not window.get("periods"):
        return "No purchases in this window."
    return (f"Window {window['since']} to {window['until']}: {window['customers']} customers, {window['orders']} "
            f"orders, revenue {_fmt(window['revenue'])} ({_fmt(window['revenue_per_customer'])} per customer); "
            + clv_sentence(window, "x"))


def feedback_lines(feedback: dict[str, Any]) -> list[str]:
    lines = [f"Feedback and retention ({feedback['linked_customers']} customers linked to feedback; "
             f"retained = bought again after the feedback):"]
    for row in feedback["groups"]:
        if not row["n"]:
            continue
        label = f"  {row['question']}: {row['group']}".ljust(32)
        if row["note"]:
            lines.append(f"{label} n={row['n']:<5} {row['note']}")
        else:
            lines.append(f"{label} n={row['n']:<5} retention {row['retention']:.1f}% "
                         f"{margin_text('retention', row['retention_margin'])}  repeat purchase "
                         f"{row['repeat_purchase_rate']:.1f}% {margin_text('retention', row['repeat_margin'])}")
    if len(lines) == 1:
        lines.append("  no customer is linked to feedback yet (survey answers' customer field, "
                     "import --map customer=..., or link-customers)")
    return lines


@click.command()
@click.option("--by", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True,
              help="Calendar periods (UTC).")
@click.option("--segment", type=click.Choice(["source", "country"]), help="Add the figures per segment.")
@click.option("--since", help="First day of the window (its period's S comes from the period before).")
@click.option("--until", help="Last day of the window (a bare date includes that day).")
@click.option("--source", help="Only the orders of this source.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the shape is documented in the README).")
@click.pass_obj
def retention(context: Context, by: str, segment: str | None, since: str | None, until: str | None,
              source: str | None, as_json: bool) -> None:
    """Customer retention from the orders: crr, churn, aov, clv..., and feedback beside it."""
    from feedback_tui.retention import orders_outside, partial_note, retention_card, window_words

    filters = filters_from_options(None, since, until)
    with context.open_store() as store:
        card = retention_card(store, by, since=filters.since, until=filters.until, segment=segment, source=source,
                              config_costs=context.config.retention_costs,
                              lifespan_years=context.config.lifespan_years)
        outside = orders_outside(store, since=filters.since, until=filters.until, source=source)
    if as_json:
        echo(json_text(card, indent=2))
        return
    if outside:  # rather than periods of zeros, or "none stored"
        echo(f"No orders {window_words(filters.since, filters.until)}; the orders run from {outside[0]} "
             f"to {outside[1]}.")
        return
    if not card["periods"]:
        echo("No purchases stored: import orders with `feedback-tui import FILE --kind orders`.")
        return
    for line in period_table(card["periods"]):
        echo(line)
    if note := partial_note(card):
        echo(f"* {note}")
    echo(window_line(card["window"]))
    for value, part in card.get("segments", {}).items():
        echo("")
        echo(f"{segment} = {value}")
        for line in period_table(part["periods"]):
            echo(line)
        echo(window_line(part["window"]))
    echo("")
    for line in feedback_lines(card["feedback"]):
        echo(line)


_LINK_COLUMNS = {"review_id": ("review_id", "external_id", "id", "review"), "author": ("author", "user", "username"),
                 "customer": ("customer", "customer_id", "client"), "source": ("source", "platform")}


@click.command("link-customers")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def link_customers(context: Context, file: str) -> None:
    """Link reviews to customers from a CSV of review_id (or author), customer[, source].

    Links are what the file says, never guessed: an author is matched exactly,
    and a line that finds no review is reported with its line number.
    """
    from feedback_tui.importers.base import map_columns
    from feedback_tui.importers.orders import customer_id
    from feedback_tui.importers.textio import open_text
    from feedback_tui.store.orders import link_reviews

    path = Path(file)
    try:
        handle, _ = open_text(path)
    except FileProblem as error:
        raise UsageProblem(str(error)) from None
    with handle:
        reader = csv.reader(handle)
        headers = next(reader, [])
        columns = map_columns(headers, _LINK_COLUMNS)
        if "customer" not in columns or not ({"review_id", "author"} & set(columns)):
            raise UsageProblem(f"{file}: expected a customer column and a review_id or author column "
                               f"(columns: {', '.join(headers)})")
        index = {name: headers.index(column) for name, column in columns.items()}
        links = []
        problems = []
        for cells in reader:
            line = reader.line_num
            get = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
            if not get.get("customer"):
                problems.append(f"{file}: line {line}, field 'customer': missing customer")
                continue
            if not get.get("review_id") and not get.get("author"):
                problems.append(f"{file}: line {line}, field 'review_id': missing review id and author")
                continue
            try:
                customer = customer_id(get["customer"])
            except ValueError as error:
                problems.append(f"{file}: line {line}, field 'customer': {error}")
                continue
            links.append((get.get("source") or None, get.get("review_id") or None, get.get("author") or None,
                          customer, line))
    with context.open_store() as store:
        linked, rejects = link_reviews(store, links, file)
    problems += [f"{file}: {reject.describe()}" for reject in rejects]
    echo(f"{file}: {linked} reviews linked to customers; {len(problems)} lines not used")
    for problem in problems[:MAX_REJECTS_SHOWN]:
        echo(f"  {problem}", err=True, fg="yellow")
    if problems:
        sys.exit(1)


COMMANDS = (retention, link_customers)
