"""Exports of reviews with their replies and tags: CSV, JSON and JSON Lines.

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
from feedback_tui.store.queries import EXPORT_COLUMNS, export_reviews
from feedback_tui.text import clean, json_text

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


def write_export(store: Store, filters: Filters, fmt: str, output: Path | None) -> int:
    """Write the reviews matching ``filters``; return how many."""
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
    with target as handle:
        rows = export_reviews(store, filters)
        if fmt == "csv":
            count = _write_csv(handle, rows)
        elif fmt == "jsonl":
            for row in rows:
                row["replies"] = json.loads(row["replies"] or "[]")
                handle.write(json_text(row) + "\n")
                count += 1
        else:
            handle.write("[")
            for row in rows:
                row["replies"] = json.loads(row["replies"] or "[]")
                handle.write(("," if count else "") + "\n" + json_text(row))
                count += 1
            handle.write("\n]\n")
    return count


def _write_csv(handle: IO[str], rows) -> int:
    """The header always (an empty export is still a valid file), then the rows."""
    writer = csv.writer(handle)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([neutralise_cell(row.get(column)) for column in EXPORT_COLUMNS])
        count += 1
    return count
