"""Importers: files (CSV, JSON, JSONL, Google Play export) and HTTP sources.

:func:`open_input` picks the reader from the file name and content, checks
the whole file (missing, empty, binary, malformed, no required column) and
returns a :class:`ParsedInput` whose rows stream lazily. Parsing never
touches the database: :mod:`feedback_tui.store` does the writing.
"""

from __future__ import annotations

import re
from pathlib import Path

from feedback_tui.errors import FileProblem, UsageProblem
from feedback_tui.importers.base import Defaults, ImportOptions, ParsedInput
from feedback_tui.importers.csv_files import parse_csv
from feedback_tui.importers.json_files import parse_json, parse_jsonl
from feedback_tui.importers.textio import check_readable, detect_encoding, shown_name
from feedback_tui.models import SURVEY_KINDS

JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# A JavaScript module that wraps the data (``export const reviews = {...};``, a
# scraper's or a front-end's copy of a JSON feed): not JSON, and read as CSV it
# would only fail on a missing column, which names the wrong problem.
_SCRIPT_START = re.compile(r"(export\s|const\s|let\s|var\s|module\.exports\b)")


def _sniff_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, errors="replace") as handle:
        head = handle.read(4096).lstrip()
    if _SCRIPT_START.match(head):
        raise FileProblem(path, "is JavaScript, not JSON, CSV or TSV (it starts with "
                                f"{shown_name(head.split(chr(10), 1)[0][:40])!r}): save the data itself as a .json file")
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        first_line = head.split("\n", 1)[0].strip()
        return "jsonl" if first_line.endswith("}") else "json"
    return "csv"


def open_input(
    path: str | Path,
    *,
    kind: str | None = None,
    source: str | None = None,
    survey_kind: str | None = None,
    imported_at: str,
    options: ImportOptions | None = None,
) -> ParsedInput:
    """Open one export file for import.

    ``kind`` is ``"reviews"``, ``"surveys"`` or None to detect it from the
    columns. ``source`` names the rows that carry no source of their own
    (default: the file name without extension). ``survey_kind`` is the kind of
    survey rows without a kind column. ``options`` carries ``--map``, the date
    order, the rating scale and ``--skip-identical``.
    """
    file_path = Path(path)
    if kind not in (None, "reviews", "surveys"):
        raise UsageProblem(f"unknown kind {kind!r} (expected reviews or surveys)")
    if survey_kind is not None and survey_kind not in SURVEY_KINDS:
        raise UsageProblem(f"unknown survey kind {survey_kind!r} (expected nps, csat or ces)")
    try:
        check_readable(file_path)
    except FileProblem as error:
        error.args = tuple(shown_name(a) if isinstance(a, str) else a for a in error.args)
        raise
    defaults = Defaults(source=source or shown_name(file_path.stem), survey_kind=survey_kind, imported_at=imported_at)
    fmt = _sniff_format(file_path)
    parse = {"json": parse_json, "jsonl": parse_jsonl}.get(fmt, parse_csv)
    try:
        parsed = parse(file_path, kind, defaults, options, source_given=source is not None)
    except FileProblem as error:
        error.args = tuple(shown_name(a) if isinstance(a, str) else a for a in error.args)
        raise
    parsed.origin = shown_name(parsed.origin)  # stored in import_runs and rejects, printed in the summary
    return parsed


__all__ = ["open_input", "ParsedInput", "Defaults", "FileProblem", "ImportOptions"]
