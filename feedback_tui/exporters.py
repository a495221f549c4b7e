"""Exports of reviews (with their replies and tags) or survey answers: CSV, JSON,
JSON Lines and a Markdown table.

A review's CSV row has its replies twice: the lossless ``replies`` list (JSON,
what a re-import reads) and the first live reply in plain columns (time,
hours, agent or ``platform``, text), what a spreadsheet reads. Markdown cells
go through :func:`text.markdown_cell`: a name like ``[x](https://…)`` stays text.

CSV cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return, or their full-width forms, even
after leading spaces) are prefixed with a quote, the OWASP advice: review
text is written by strangers.

Exports keep the text exact (a re-import gives the same rows), control
characters included, except when written straight to a terminal: there every
control sequence is shown as a visible placeholder (:func:`text.clean`), so
that ``feedback-tui export`` cannot retitle, clear or hijack the terminal.
"""

from __future__ import annotations

import csv
import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import IO, Any

from feedback_tui.errors import UsageProblem
from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store.queries import (EXPORT_COLUMNS, FIRST_REPLY_COLUMNS, SURVEY_EXPORT_COLUMNS, export_reviews,
                                        export_surveys)
from feedback_tui.text import clean, json_text, markdown_cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: Any) -> Any:
    """Make a text cell inert in spreadsheets; numbers stay numbers."""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value.lstrip(" ").startswith(FORMULA_STARTS)):
        return "'" + value
    return value


class _TerminalSafe:
    """A text stream that cleans what it writes: for exports sent to a terminal."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        # newlines and tabs stay; a terminal needs no \r before them
        return self.stream.write(clean(text.replace("\r\n", "\n")))

    def __enter__(self) -> _TerminalSafe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()


REVIEW_CSV_COLUMNS = EXPORT_COLUMNS + FIRST_REPLY_COLUMNS
# The Markdown table: what a reader scans, the long JSON list left out.
REVIEW_MD_COLUMNS = ["id", "source", "rating", "created_at", "author", "title", "body", "status", "assignee",
                     "tags", *FIRST_REPLY_COLUMNS]


def write_export(store: Store, filters: Filters, fmt: str, output: Path | None, kind: str = "reviews") -> int:
    """Write the reviews (or, with ``kind="surveys"``, the survey answers) matching
    ``filters``; return how many."""
    try:
        if output:
            target: Any = output.open("w", encoding="utf-8", newline="")
        elif sys.stdout.isatty():
            target = _TerminalSafe(sys.stdout)
        else:
            target = nullcontext(sys.stdout)
    except OSError as error:
        raise UsageProblem(f"{output}: cannot write ({error.strerror})") from None
    count = 0
    surveys = kind == "surveys"
    with target as handle:
        rows = export_surveys(store, filters) if surveys else export_reviews(store, filters)
        if fmt == "csv":
            count = _write_csv(handle, rows, SURVEY_EXPORT_COLUMNS if surveys else REVIEW_CSV_COLUMNS)
        elif fmt == "md":
            count = _write_markdown(handle, rows, SURVEY_EXPORT_COLUMNS if surveys else REVIEW_MD_COLUMNS)
        elif fmt == "jsonl":
            for row in rows:
                _replies_as_list(row)
                handle.write(json_text(row) + "\n")
                count += 1
        else:
            handle.write("[")
            for row in rows:
                _replies_as_list(row)
                handle.write(("," if count else "") + "\n" + json_text(row))
                count += 1
            handle.write("\n]\n")
    return count


def _replies_as_list(row: dict[str, Any]) -> None:
    if "replies" in row:
        row["replies"] = json.loads(row["replies"] or "[]")


def _write_csv(handle: IO[str], rows: Any, columns: list[str]) -> int:
    """The header always (an empty export is still a valid file), then the rows."""
    writer = csv.writer(handle)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(column)) for column in columns])
        count += 1
    return count


def _csv_value(value: Any) -> Any:
    """A cell: ``true``/``false`` for a flag (as in JSON, and what a re-import reads), the rest neutralised."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise_cell(value)


def _markdown_value(value: Any) -> str:
    """Text escaped; a number as it is (``0.19``, not ``0\\.19``); nothing for no value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return markdown_cell(value) if isinstance(value, str) else str(value)


def _write_markdown(handle: IO[str], rows: Any, columns: list[str]) -> int:
    """A Markdown table; every cell literal (escaped, one line), an empty cell for no value."""
    handle.write("| " + " | ".join(columns) + " |\n")
    handle.write("|" + " --- |" * len(columns) + "\n")
    count = 0
    for row in rows:
        if row.get("undated") and row.get("created_at"):  # the table has no flag column: the date cell says it
            row["created_at"] = f"date not in the file: imported {str(row['created_at'])[:10]}"
        cells = [_markdown_value(row.get(column)) for column in columns]
        handle.write("| " + " | ".join(cells) + " |\n")
        count += 1
    return count
