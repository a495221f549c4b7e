"""JSON exports (an array, or an object holding one list) and JSON Lines.

For a JSON array the line of each element is recovered by decoding the
elements one by one, so a rejected review is named by its line like a CSV row.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from feedback_tui.errors import FileProblem, UsageProblem
from feedback_tui.importers.base import (KIND_WORDS, Defaults, ImportOptions, ParsedInput, RawRow, json_cell,
                                         to_review, to_survey)
from feedback_tui.importers.csv_files import configure
from feedback_tui.importers.kinds import DATE_FIELDS, ColumnPlan, decide_date_order, plan_columns, scales_in_doubt
from feedback_tui.importers.survey_scales import check_scales, survey_ranges
from feedback_tui.importers.values import json_path
from feedback_tui.importers.textio import count_lines, open_text
from feedback_tui.models import Reject

LIST_KEYS = ("reviews", "surveys", "responses", "answers", "items", "data", "results", "entries")
_decoder = json.JSONDecoder()
_PLAIN_KEY = re.compile(r"[\w-]+")
_APP_ENTRY_KEYS = ("im:name", "im:image", "im:artist", "im:releaseDate", "im:price")


def is_app_entry(entry: dict[str, object]) -> bool:
    """The first entry of an App Store feed page, which describes the app (as in
    :func:`appstore.is_app_entry`, not imported here: it would load the HTTP client)."""
    return any(key in entry for key in _APP_ENTRY_KEYS) and "im:rating" not in entry


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


def _top_level_values(text: str) -> dict[str, int]:
    """Where each value of the top-level object starts in ``text``.

    Read key by key, so that a nested ``"reviews": [...]`` before the real
    one (a decoy, or another object's list) is never taken for it, and a key
    given twice (JSON keeps the last silently) is an error.
    """
    position = text.index("{") + 1
    starts: dict[str, int] = {}
    length = len(text)
    while True:
        while position < length and text[position] in " \t\r\n,":
            position += 1
        if position >= length or text[position] == "}":
            return starts
        key, position = _decoder.raw_decode(text, position)
        while text[position] in " \t\r\n:":
            position += 1
        if key in starts:
            raise ValueError(f"the top-level key {key!r} appears twice (line {text.count(chr(10), 0, position) + 1})")
        starts[key] = position
        _, position = _decoder.raw_decode(text, position)


def _find_list(text: str, document: object) -> tuple[list[object], int] | None:
    """The list of rows and where its ``[`` opens in ``text``, by one rule: the
    top-level array, else the list under the first top-level key of
    :data:`LIST_KEYS` (never a nested one), else the ``feed.entry`` list of an
    App Store feed saved to a file."""
    if isinstance(document, list):
        return document, text.index("[")
    if isinstance(document, dict):
        starts = _top_level_values(text)
        for key in LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key], starts[key]
        feed = document.get("feed")
        if isinstance(feed, dict) and isinstance(feed.get("entry"), list):
            match = re.compile(r'"entry"\s*:\s*\[').search(text, starts["feed"])
            if match:
                return feed["entry"], match.end() - 1
    return None


def walk_items(document: object, path: str) -> list[tuple[tuple[str, ...], object]]:
    """The items at ``--items PATH`` with the keys its ``*`` matched.

    ``PATH`` is dot-separated keys, ``*`` standing for every key of an object
    or every element of a list: ``*.per_date_reviews.*`` reads
    ``{"<app>": {"per_date_reviews": {"<day>": [...]}}}``. A list reached at
    the end gives its elements, anything else is one item. Nested lists are
    only ever read through such an explicit path, never guessed.
    """
    nodes: list[tuple[tuple[str, ...], object]] = [((), document)]
    for part in path.split("."):
        found: list[tuple[tuple[str, ...], object]] = []
        for keys, node in nodes:
            if part == "*" and isinstance(node, dict):
                found.extend((keys + (str(k),), v) for k, v in node.items())
            elif part == "*" and isinstance(node, list):
                found.extend((keys + (str(i),), v) for i, v in enumerate(node))
            elif isinstance(node, dict) and part in node:
                found.append((keys, node[part]))
        nodes = found
    items: list[tuple[tuple[str, ...], object]] = []
    for keys, node in nodes:
        items.extend((keys, item) for item in node) if isinstance(node, list) else items.append((keys, node))
    return items


def suggest_items_path(document: object, depth: int = 6) -> list[tuple[str, int]]:
    """The ``--items`` paths that would read a nested file's rows, each with how
    many items it reaches, most first, for the error that refuses the file (never
    used to read it: nested lists are not guessed).

    Every list of objects below the top is found (down to ``depth`` keys) and the
    lists are grouped by depth; in a group, a position where the keys differ, or
    where a key is not plain letters, digits, ``_`` or ``-`` (a dot, a quote, a
    control character), becomes ``*``: the path is then safe to paste in a shell
    and to print. A path is offered only if it reaches
    exactly its group's objects, so that a suggestion never names half of them
    or something else.
    """
    found: dict[int, list[tuple[tuple[str, ...], int]]] = {}

    def visit(keys: tuple[str, ...], node: object) -> None:
        if isinstance(node, list):
            if keys and node and all(isinstance(item, dict) for item in node):
                found.setdefault(len(keys), []).append((keys, len(node)))
            return
        if isinstance(node, dict) and len(keys) < depth:
            for key, value in node.items():
                visit(keys + (str(key),), value)

    visit((), document)
    paths = []
    for size, group in found.items():
        parts = []
        for position in range(size):
            values = {keys[position] for keys, _ in group}
            only = next(iter(values))
            parts.append(only if len(values) == 1 and _PLAIN_KEY.fullmatch(only) else "*")
        path, total = ".".join(parts), sum(count for _, count in group)
        if len(walk_items(document, path)) == total:
            paths.append((path, total))
    return sorted(paths, key=lambda found_path: -found_path[1])


def _with_keys(keys: tuple[str, ...], item: object) -> object:
    """``item`` with the keys its path's ``*`` matched as ``@1``, ``@2``... (for --map)."""
    if not keys or not isinstance(item, dict):
        return item
    return {**item, **{f"@{n}": key for n, key in enumerate(keys, start=1)}}


def _convert(plan: ColumnPlan, defaults: Defaults, line: int, item: object, raw: str, number: int | None = None):
    if not isinstance(item, dict):
        return Reject(line, "expected a JSON object for each row", raw, item=number)
    values = {name: json_cell(json_path(item, path)) for name, path in plan.columns.items()}
    row = RawRow(line, values, raw)
    result = to_review(row, defaults) if plan.kind == "reviews" else to_survey(row, defaults)
    if isinstance(result, Reject):
        result.item = number
    return result


def _date_cells(plan: ColumnPlan, items: list[object]) -> Iterator[tuple[str, str]]:
    paths = [plan.columns[n] for n in DATE_FIELDS if n in plan.columns]
    for item in items:
        for path in paths:
            value = json_path(item, path) if isinstance(item, dict) else None
            if isinstance(value, str) and value.strip():
                yield path, value


def _answers(plan: ColumnPlan, items: Iterable[object]) -> Iterator[tuple[str | None, str | None]]:
    """(survey kind, score) of every item, for :func:`survey_scales.check_scales`."""
    kind_path, score_path = plan.columns.get("kind"), plan.columns["score"]
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = plan.survey_kind
        if kind_path is not None:
            text = json_cell(json_path(item, kind_path))
            if text:
                kind = KIND_WORDS.get(text.lower())
        yield kind, json_cell(json_path(item, score_path))


def _plan(path: Path, kind: str | None, headers: list[str], defaults: Defaults, options: ImportOptions,
          source_given: bool, items: list[object], every_item: Iterable[object] | None = None,
          ) -> tuple[ColumnPlan, str | None]:
    """The columns, the date order and, for CSAT or CES answers, their scale checked on
    ``every_item`` (``items`` when they are all in memory)."""
    plan = plan_columns(headers, kind, path=str(path), survey_kind=defaults.survey_kind,
                        mapping=options.mapping, is_json=True)
    order = decide_date_order(_date_cells(plan, items), path=str(path), option=options.date_order,
                              config_order=options.config_date_order, hint=plan.date_order_hint)
    if scales_in_doubt(plan):
        check_scales(Counter(_answers(plan, items if every_item is None else every_item)), path=str(path),
                     column=plan.columns["score"], ranges=survey_ranges(options))
    configure(defaults, plan, options, order, source_given)
    return plan, order


def parse_json(path: Path, kind: str | None, defaults: Defaults, options: ImportOptions | None = None,
               source_given: bool = False) -> ParsedInput:
    options = options or ImportOptions()
    handle, encoding = open_text(path)
    with handle:
        text = handle.read()
    if not text.strip():
        raise FileProblem(str(path), "the file is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(str(path), f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise FileProblem(str(path), "JSON nested too deeply to be an export (nothing imported)") from None
    if options.items:
        return _parse_walked(path, kind, defaults, options, source_given, document, encoding)
    try:
        found = _find_list(text, document)
    except ValueError as error:
        raise FileProblem(str(path), str(error)) from None
    if found is None:
        message = 'expected a JSON array of rows or an object with a "reviews" (or "surveys") list'
        nested = suggest_items_path(document)
        if nested:
            (where, count), others = nested[0], nested[1:3]
            message += (f"; {count:,} object{'s are' if count != 1 else ' is'} nested at '{where}': import "
                        f"{'them' if count != 1 else 'it'} with --items '{where}'")
            message += "".join(f" (or '{other}': {n:,})" for other, n in others)
        raise FileProblem(str(path), message)
    items, start = found
    if not items:
        raise FileProblem(str(path), "the JSON list is empty: nothing to import")
    if isinstance(document, dict) and isinstance(document.get("feed"), dict):
        items = [i for i in items if not (isinstance(i, dict) and is_app_entry(i))]
    headers = sorted({key for item in items if isinstance(item, dict) for key in item})
    plan, order = _plan(path, kind, headers, defaults, options, source_given, items)

    def rows():
        number = 0
        for line, item in _items_with_lines(text, start):
            if isinstance(item, dict) and is_app_entry(item):
                continue
            number += 1
            yield _convert(plan, defaults, line, item, json.dumps(item, ensure_ascii=False), number)

    return ParsedInput(str(path), plan.kind, f"json, {encoding}", rows(), estimated_rows=len(items),
                       plan=plan, defaults=defaults, date_order=order)


def _parse_walked(path: Path, kind: str | None, defaults: Defaults, options: ImportOptions, source_given: bool,
                  document: object, encoding: str) -> ParsedInput:
    """A JSON file read through ``--items PATH``: items are named by their
    number (their lines are not tracked), and the first key a ``*`` matched
    is the product unless a column gives one."""
    found = walk_items(document, options.items or "")
    if not found:
        raise FileProblem(str(path), f"--items {options.items}: no item at that path")
    items = [_with_keys(keys, item) for keys, item in found]
    headers = sorted({key for item in items if isinstance(item, dict) for key in item})
    plan, order = _plan(path, kind, headers, defaults, options, source_given, items)
    if plan.kind == "reviews" and "product" not in plan.columns and "@1" in headers:
        plan.columns["product"] = "@1"
    plan.ignored = [h for h in plan.ignored if not h.startswith("@") or h in plan.columns.values()]
    plan.ignored = [h for h in plan.ignored if h not in plan.columns.values()]

    def rows():
        for number, item in enumerate(items, start=1):
            yield _convert(plan, defaults, 0, item, json.dumps(item, ensure_ascii=False), number)

    return ParsedInput(str(path), plan.kind, f"json, {encoding}", rows(), estimated_rows=len(items),
                       plan=plan, defaults=defaults, date_order=order)


def parse_jsonl(path: Path, kind: str | None, defaults: Defaults, options: ImportOptions | None = None,
                source_given: bool = False) -> ParsedInput:
    options = options or ImportOptions()
    handle, encoding = open_text(path)
    # The header equivalent: the keys of every readable object (a field that
    # first appears on line 5,000 is still a column).
    keys: dict[str, None] = {}
    dated: list[object] = []
    for text_line in handle:
        try:
            item = json.loads(text_line)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(item, dict):
            keys.update(dict.fromkeys(item))
            if len(dated) < 100_000:
                dated.append(item)
    if not keys:
        handle.close()
        raise FileProblem(str(path), "no line holds a JSON object: not a JSON Lines file")
    def every_item() -> Iterator[object]:  # the scale check's second reading (CSAT or CES files only)
        handle.seek(0)
        for text_line in handle:
            try:
                yield json.loads(text_line)
            except (json.JSONDecodeError, RecursionError):
                continue

    try:
        plan, order = _plan(path, kind, sorted(keys), defaults, options, source_given, dated, every_item())
    except (FileProblem, UsageProblem):
        handle.close()
        raise
    del dated
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
                except RecursionError:
                    yield Reject(number, "JSON nested too deeply", raw[:1000])
                    continue
                yield _convert(plan, defaults, number, item, raw)

    return ParsedInput(str(path), plan.kind, f"jsonl, {encoding}", rows(), estimated_rows=count_lines(path),
                       plan=plan, defaults=defaults, date_order=order)
