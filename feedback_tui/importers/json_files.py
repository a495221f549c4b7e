"""JSON exports (an array, or an object holding one list) and JSON Lines.

For a JSON array the line of each element is recovered by decoding the
elements one by one, so a rejected review is named by its line like a CSV row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from feedback_tui.errors import FileProblem
from feedback_tui.importers.base import (
    REVIEW_ALIASES,
    SURVEY_ALIASES,
    Defaults,
    ParsedInput,
    RawRow,
    map_columns,
    json_cell,
    to_review,
    to_survey,
)
from feedback_tui.importers.csv_files import detect_kind, implied_survey_kind
from feedback_tui.importers.textio import count_lines, open_text
from feedback_tui.models import Reject

LIST_KEYS = ("reviews", "surveys", "responses", "answers", "items", "data", "results", "entries")
_decoder = json.JSONDecoder()


def _items_with_lines(text: str, start: int) -> Iterator[tuple[int, object]]:
    """Decode the array that opens at ``text[start]``, element by element."""
    position = start + 1
    length = len(text)
    line = text.count("\n", 0, position) + 1
    counted = position
    while True:
        while position < length and text[position] in " \t\r\n,":
            position += 1
        if position >= length or text[position] == "]":
            return
        line += text.count("\n", counted, position)
        counted = position
        item, position = _decoder.raw_decode(text, position)
        yield line, item


def _find_list(text: str, document: object) -> tuple[list[object], int] | None:
    """The list of rows and where its ``[`` opens in ``text``."""
    if isinstance(document, list):
        return document, text.index("[")
    if isinstance(document, dict):
        for key in LIST_KEYS:
            if isinstance(document.get(key), list):
                match = re.search(r'"%s"\s*:\s*\[' % re.escape(key), text)
                if match:
                    return document[key], match.end() - 1
    return None


def _validate(kind: str | None, headers: list[str], defaults: Defaults, path: str) -> tuple[str, dict[str, str]]:
    kind, _ = detect_kind(headers, kind, path, defaults.survey_kind)
    aliases = REVIEW_ALIASES if kind == "reviews" else SURVEY_ALIASES
    columns = map_columns(headers, aliases)
    if kind == "surveys":  # as for CSV: a key called "nps" holds NPS answers
        defaults.survey_kind = implied_survey_kind(columns, defaults.survey_kind)
    return kind, columns


def _convert(kind: str, columns: dict[str, str], defaults: Defaults, line: int, item: object, raw: str):
    if not isinstance(item, dict):
        return Reject(line, "expected a JSON object for each row", raw)
    values = {name: json_cell(item.get(key)) for name, key in columns.items()}
    row = RawRow(line, values, raw)
    return to_review(row, defaults) if kind == "reviews" else to_survey(row, defaults)


def parse_json(path: Path, kind: str | None, defaults: Defaults) -> ParsedInput:
    handle, encoding = open_text(path)
    with handle:
        text = handle.read()
    if not text.strip():
        raise FileProblem(str(path), "the file is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(str(path), f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    found = _find_list(text, document)
    if found is None:
        raise FileProblem(str(path), 'expected a JSON array of rows or an object with a "reviews" (or "surveys") list')
    items, start = found
    if not items:
        raise FileProblem(str(path), "the JSON list is empty: nothing to import")
    headers = sorted({key for item in items if isinstance(item, dict) for key in item})
    kind, columns = _validate(kind, headers, defaults, str(path))

    def rows():
        for line, item in _items_with_lines(text, start):
            yield _convert(kind, columns, defaults, line, item, json.dumps(item, ensure_ascii=False))

    return ParsedInput(str(path), kind, f"json, {encoding}", rows(), estimated_rows=len(items))


def parse_jsonl(path: Path, kind: str | None, defaults: Defaults) -> ParsedInput:
    handle, encoding = open_text(path)
    # The header equivalent: the keys of the first readable objects decide the kind.
    keys: set[str] = set()
    seen = 0
    for text_line in handle:
        if seen >= 50:
            break
        try:
            item = json.loads(text_line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict):
            keys.update(item)
            seen += 1
    if not keys:
        handle.close()
        raise FileProblem(str(path), "no line holds a JSON object: not a JSON Lines file")
    try:
        kind, columns = _validate(kind, sorted(keys), defaults, str(path))
    except FileProblem:
        handle.close()
        raise
    handle.seek(0)

    def rows():
        with handle:
            for number, text_line in enumerate(handle, start=1):
                if not text_line.strip():
                    continue
                raw = text_line.rstrip("\r\n")
                try:
                    item = json.loads(text_line)
                except json.JSONDecodeError as error:
                    yield Reject(number, f"invalid JSON: {error.msg} (column {error.colno})", raw)
                    continue
                yield _convert(kind, columns, defaults, number, item, raw)

    return ParsedInput(str(path), kind, f"jsonl, {encoding}", rows(), estimated_rows=count_lines(path))
