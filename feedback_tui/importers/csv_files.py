"""CSV, semicolon-separated and tab-separated exports.

The delimiter is read from the header line (comma, semicolon or tab, the one
that splits it most). Line numbers are the physical lines of the file, header
included, so a user can open the file at the line we name.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from feedback_tui.errors import FileProblem
from feedback_tui.importers import googleplay
from feedback_tui.importers.base import (
    KIND_WORDS,
    Defaults,
    ImportOptions,
    ParsedInput,
    RawRow,
    normalise_header,
    to_review,
    to_survey,
)
from feedback_tui.importers.dates import NO_ORDER, numeric_fields
from feedback_tui.importers.kinds import DATE_FIELDS, ColumnPlan, decide_date_order, plan_columns, scales_in_doubt
from feedback_tui.importers.survey_scales import check_scales, survey_ranges
from feedback_tui.importers.textio import count_lines, open_text
from feedback_tui.models import Reject

csv.field_size_limit(64 * 1024 * 1024)  # a pasted essay is still one review
# Our own CSV export (exporters.EXPORT_COLUMNS) and the cell starts its formula guard
# neutralises (exporters.FORMULA_STARTS): repeated here because importers do not
# import the store's side; tests/test_import_hostile.py checks that they agree.
OWN_EXPORT_COLUMNS = ["id", "source", "external_id", "rating", "title", "body", "author", "created_at", "undated",
                      "updated_at", "language", "product", "url", "polarity", "subjectivity", "sentiment", "status",
                      "assignee", "tags", "replies"]
# An export of an earlier version (before its ``undated`` column) is ours too.
_EARLIER_EXPORT_COLUMNS = [column for column in OWN_EXPORT_COLUMNS if column != "undated"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def unguard(cell: str) -> str:
    """A cell of our own export without the ``'`` its formula guard added, so
    that an export imported back changes nothing."""
    if cell.startswith("'") and cell[1:].lstrip(" ").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
DELIMITERS = (",", ";", "\t")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


UNCLOSED = "\x00csv-unclosed:"


_NUMERIC_CELL = re.compile(r"-?\d+(?:[.,]\d+)?")
_TOKEN = re.compile(r"[^\W_]+")
_LEARN = 50  # records that show what a row of the file looks like


def _shape(cell: str) -> str:
    """``'r-0042'`` -> ``'x-x'``: what a column's values have in common."""
    return _TOKEN.sub("x", cell)


class _RowShape:
    """What the file's first records look like: the shape of their first cell
    and the columns that always hold a number (a rating, an index)."""

    def __init__(self) -> None:
        self.seen = 0
        self.first: set[str] = set()
        self.numeric: set[int] | None = None

    def learn(self, cells: list[str]) -> None:
        if self.seen >= _LEARN:
            return
        self.seen += 1
        self.first.add(_shape(cells[0]))
        numeric = {i for i, c in enumerate(cells) if _NUMERIC_CELL.fullmatch(c.strip())}
        self.numeric = numeric if self.numeric is None else self.numeric & numeric

    def swallowed(self, cells: list[str], width: int, delimiter: str) -> bool:
        """Whether a multi-line cell holds lines that are rows of this file (an
        unclosed quote makes the csv module read on to the next quote, or the
        end of the file, as one cell): a line of ``width`` cells whose first
        cell has the shape of the file's first cells and whose number columns
        hold numbers. Prose with commas has neither."""
        if not self.numeric:
            return False
        for cell in cells:
            if "\n" not in cell:
                continue
            for line in cell.split("\n")[1:]:
                if line.count(delimiter) < width - 1:
                    continue
                inner = next(csv.reader([line], delimiter=delimiter), [])
                if len(inner) == width and _shape(inner[0]) in self.first and \
                        all(_NUMERIC_CELL.fullmatch(inner[i].strip()) for i in self.numeric):
                    return True
        return False


def _rows(handle: TextIO, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line of the record, cells), skipping blank lines.

    A record swallowed by an unclosed quote comes back as one cell
    ``UNCLOSED + "first-last"`` (its physical lines), so that it is rejected
    with the lines to fix instead of storing rows inside another row's text.
    """
    reader = csv.reader(handle, delimiter=delimiter)
    previous_end = 0
    width = 0
    shape = _RowShape()
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # A broken quote or stray NUL: yield what we know and stop reading,
            # since the csv module cannot resynchronise after it.
            yield previous_end + 1, [f"\x00csv-error:{error}"]
            return
        start = previous_end + 1
        previous_end = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        if not width:
            width = len(cells)
        elif previous_end > start and width > 1 and shape.swallowed(cells, width, delimiter):
            yield start, [f"{UNCLOSED}{start}-{previous_end}", *cells]
            continue
        elif len(cells) == width:
            shape.learn(cells)
        yield start, cells


def _raw_text(cells: list[str], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(cells)
    return buffer.getvalue()


SAMPLE_RECORDS = 1000


def _numeric_dates(sample: list[tuple[int, list[str]]], positions: dict[str, int]) -> bool:
    """Whether the first records hold a numeric ``a/b/yyyy`` date."""
    return any(i < len(cells) and numeric_fields(cells[i]) is not None
               for _, cells in sample for i in positions.values())


def _date_cells(path: Path, delimiter: str, positions: dict[str, int]) -> Iterator[tuple[str, str]]:
    """(column, value) of every date cell, from a second reading of the file."""
    handle, _ = open_text(path)
    with handle:
        records = _rows(handle, delimiter)
        next(records, None)  # the header
        for _, cells in records:
            for column, i in positions.items():
                if i < len(cells) and cells[i].strip():
                    yield column, cells[i]


def _answer_counts(path: Path, delimiter: str, kind_at: int | None, score_at: int,
                   default: str | None) -> dict[tuple[str | None, str | None], int]:
    """Rows per (survey kind, score cell), from another reading of the file.

    The cells are picked and counted in C (``itemgetter``, ``Counter``): a
    million rows hold a few dozen distinct pairs, whose kind is read once each.
    """
    counts: Counter = Counter()
    pick = itemgetter(kind_at, score_at) if kind_at is not None else itemgetter(score_at)
    handle, _ = open_text(path)
    with handle:
        records = csv.reader(handle, delimiter=delimiter)
        while True:
            try:
                if records.line_num == 0:
                    next(records, None)  # the header
                counts.update(map(pick, records))
                break
            except IndexError:
                continue  # a short row (rejected by the import): counting goes on after it
            except csv.Error:
                break  # the import rejects the rows from there on, with the reason
    answers: dict[tuple[str | None, str | None], int] = {}
    for cells, count in counts.items():
        kind = default
        if kind_at is not None:
            text, score = cells
            if text.strip():
                kind = KIND_WORDS.get(text.strip().lower())
        else:
            score = cells  # itemgetter of one index gives the cell itself
        answers[kind, score] = answers.get((kind, score), 0) + count
    return answers


def parse_csv(path: Path, kind: str | None, defaults: Defaults, options: ImportOptions | None = None,
              source_given: bool = False) -> ParsedInput:
    """Open a CSV-like file, check its header, and stream validated rows."""
    options = options or ImportOptions()
    handle, encoding = open_text(path)
    try:
        first = handle.readline()
        while first and not first.strip():
            first = handle.readline()
        if not first.strip():
            raise FileProblem(str(path), "the file has no header line")
        delimiter = sniff_delimiter(first)
        handle.seek(0)
        records = _rows(handle, delimiter)
        header_line, headers = next(records)
        if headers and headers[0].startswith("\x00csv-error:"):
            raise FileProblem(str(path), f"line {header_line}: unreadable CSV header")
        # A header and no rows is an export gone wrong (wrong filter, empty
        # period): say so instead of recording an empty, successful run.
        first_record = next(records, None)
        if first_record is None:
            raise FileProblem(str(path), "the file has a header line but no data rows")
        sample = [first_record, *itertools.islice(records, SAMPLE_RECORDS - 1)]
        records = itertools.chain(sample, records)
        if googleplay.is_google_play(headers) and not options.mapping:
            return googleplay.parse(path, handle, records, headers, defaults, encoding)
        plan = plan_columns(headers, kind, path=str(path), survey_kind=defaults.survey_kind,
                            mapping=options.mapping)
        kind = plan.kind
        index = {name: headers.index(header) for name, header in plan.columns.items()}
        date_positions = {plan.columns[n]: index[n] for n in DATE_FIELDS if n in index}
        order = None
        if date_positions and (options.date_order or _numeric_dates(sample, date_positions)):
            # The whole file's dates decide: a second reading of its date cells.
            order = decide_date_order(_date_cells(path, delimiter, date_positions), path=str(path),
                                      option=options.date_order, config_order=options.config_date_order,
                                      hint=plan.date_order_hint)
        # else: no numeric date in the first rows (ISO exports): no second reading,
        # and a numeric date further down is rejected (NO_ORDER), never guessed.
        if scales_in_doubt(plan):
            # The whole file's answers decide whether it is on our scales: another reading of
            # the kind and score cells only (see survey_scales: a 1-10 CSAT must not land as
            # its unhappy half).
            check_scales(_answer_counts(path, delimiter, index.get("kind"), index["score"], plan.survey_kind),
                         path=str(path), column=plan.columns["score"], ranges=survey_ranges(options))
    except FileProblem:
        handle.close()
        raise
    configure(defaults, plan, options, order, source_given)
    if order is None and date_positions and not options.date_order:
        defaults.date_order = NO_ORDER
    # with or without the plain first-reply columns that follow ``replies`` (read from ``replies``)
    normalised = [normalise_header(h) for h in headers]
    own_export = any(normalised[:len(columns)] == columns for columns in (OWN_EXPORT_COLUMNS, _EARLIER_EXPORT_COLUMNS))

    def rows():
        with handle:
            for line, cells in records:
                if cells and cells[0].startswith("\x00csv-error:"):
                    yield Reject(line, f"unreadable CSV from here on ({cells[0][11:]})", "", None)
                    return
                if cells and cells[0].startswith(UNCLOSED):
                    lines = cells[0][len(UNCLOSED):]
                    yield Reject(line, f"an unclosed quote: lines {lines} were read as one row; close the quote "
                                       "and import again (the rows inside it were not imported)",
                                 _raw_text(cells[1:], delimiter))
                    continue
                if own_export:
                    cells = [unguard(cell) for cell in cells]
                if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers):]):
                    yield Reject(line, f"{len(cells)} cells for {len(headers)} columns (a missing quote?)",
                                 _raw_text(cells, delimiter))
                    continue
                width = len(cells)
                values = {name: (cells[i].strip() or None) if i < width else None for name, i in index.items()}
                result = to_review(RawRow(line, values, ""), defaults) if kind == "reviews" \
                    else to_survey(RawRow(line, values, ""), defaults)
                if isinstance(result, Reject):
                    result.raw = _raw_text(cells, delimiter)  # only rejects need their raw text
                yield result

    fmt = {",": "csv", ";": "csv (semicolon)", "\t": "tsv"}[delimiter]
    return ParsedInput(str(path), kind, f"{fmt}, {encoding}", rows(), estimated_rows=count_lines(path),
                       plan=plan, defaults=defaults, date_order=order)


def configure(defaults: Defaults, plan: ColumnPlan, options: ImportOptions, order: str | None,
              source_given: bool) -> None:
    """Apply what the plan and the options decided to the file's :class:`Defaults`."""
    if plan.source and not source_given:
        defaults.source = plan.source
    defaults.survey_kind = plan.survey_kind if plan.kind == "surveys" else defaults.survey_kind
    defaults.html = plan.html
    defaults.date_order = order or "dmy"
    defaults.rating_scale = options.rating_scale
    defaults.survey_ranges = survey_ranges(options)
    defaults.skip_identical = options.skip_identical
