"""The ``import`` command's options, profiles, summary and ``--dry-run``.

Split from :mod:`feedback_tui.cli` to keep it small: this module turns
``--map``, ``--profile``, ``--date-order``, ``--rating-scale``, ``--csat-scale``,
``--ces-scale`` and ``--skip-identical`` into :class:`ImportOptions`, and says what an import
understood of a file (the kind it recognised, the mapping it used, the columns
it ignored) so that a user can check it before trusting the figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from feedback_tui.config import Config
from feedback_tui.console import echo
from feedback_tui.errors import UsageProblem
from feedback_tui.importers.base import ImportOptions, ParsedInput
from feedback_tui.importers.kinds import parse_map_options
from feedback_tui.importers.survey_scales import SCALES, parse_scale
from feedback_tui.models import SURVEY_RANGES, ImportResult, Reject

DRY_RUN_ROWS = 5
_PROFILE_KEYS = {"fields", "kind", "source", "survey_kind", "date_order", "rating_scale", "skip_identical", "items",
                 "csat_scale", "ces_scale"}


@dataclass(slots=True)
class ImportRequest:
    """Everything ``import`` was asked, once options and a profile are merged."""

    kind: str | None = None
    source: str | None = None
    survey_kind: str | None = None
    options: ImportOptions = field(default_factory=ImportOptions)


def _profile(config: Config, name: str) -> Mapping[str, Any]:
    """The ``[imports.NAME]`` table, checked: a typo is an error, not a silent default."""
    if name not in config.imports:
        known = ", ".join(sorted(config.imports)) or "none in the config file"
        raise UsageProblem(f"--profile {name}: no [imports.{name}] table (profiles: {known})")
    table = config.imports[name]
    unknown = sorted(set(table) - _PROFILE_KEYS)
    if unknown:
        raise UsageProblem(f"[imports.{name}]: unknown key {unknown[0]!r} (keys: {', '.join(sorted(_PROFILE_KEYS))})")
    fields = table.get("fields", {})
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise UsageProblem(f"[imports.{name}]: fields must be a table of FIELD = \"COLUMN\"")
    return table


def build_request(config: Config, *, profile: str | None, kind: str | None, source: str | None,
                  survey_kind: str | None, maps: tuple[str, ...], date_order: str | None,
                  rating_scale: int | None, skip_identical: bool, items: str | None = None,
                  survey_scales: Mapping[str, str | None] | None = None) -> ImportRequest:
    """Command-line options win over the profile, which wins over the config's defaults."""
    table = _profile(config, profile) if profile else {}
    mapping = {str(k): str(v) for k, v in dict(table.get("fields", {})).items()}
    mapping.update(parse_map_options(maps))
    order = date_order or table.get("date_order")
    if order not in (None, "dmy", "mdy"):
        raise UsageProblem(f"[imports.{profile}]: date_order must be \"dmy\" or \"mdy\", got {order!r}")
    scale = rating_scale or table.get("rating_scale") or 5
    if scale not in (5, 10, 100) or isinstance(scale, bool):
        raise UsageProblem(f"[imports.{profile}]: rating_scale must be 5, 10 or 100, got {scale!r}")
    ranges = {}
    for survey, choices in SCALES.items():
        given = (survey_scales or {}).get(survey) or table.get(f"{survey}_scale")
        if given is None:
            continue
        if given not in choices:
            raise UsageProblem(f"[imports.{profile}]: {survey}_scale must be one of {', '.join(choices)}, "
                               f"got {given!r}")
        if given != choices[0]:
            ranges[survey] = parse_scale(given)
    options = ImportOptions(mapping=mapping, date_order=order, config_date_order=config.date_order,
                            survey_ranges=ranges,
                            rating_scale=int(scale), skip_identical=skip_identical or table.get("skip_identical") is True,
                            items=items or (str(table["items"]) if table.get("items") else None))
    return ImportRequest(kind=kind or table.get("kind"), source=source or table.get("source"),
                         survey_kind=survey_kind or table.get("survey_kind"), options=options)


def _literal(text: str) -> str:
    """Column and source names from the file, with controls (ESC, bidi) shown
    escaped: a header is data and must not reach the terminal raw."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def plan_lines(parsed: ParsedInput) -> list[str]:
    """What the import understood of the file, before its counts are known."""
    return [_literal(line) for line in _plan_lines(parsed)]


def _plan_lines(parsed: ParsedInput) -> list[str]:
    plan = parsed.plan
    if plan is None:
        return [f"kind: {parsed.format.split(',')[0]} (fixed columns)"]
    lines = []
    recognised = f"recognised: {plan.export_kind}" if plan.export_kind else f"kind: {plan.kind}"
    if parsed.defaults is not None:
        # the default source is only for rows whose source cell is empty: with a source
        # column, "source 2c" named a source no row of a nested App Store file had
        column = plan.columns.get("source")
        recognised += (f", source from column {column!r} (else {parsed.defaults.source})" if column
                       else f", source {parsed.defaults.source}")
    if parsed.date_order:
        recognised += f", dates {'day' if parsed.date_order == 'dmy' else 'month'} first ({parsed.date_order})"
    if parsed.defaults is not None and plan.kind == "surveys":
        for survey, (low, high) in sorted(parsed.defaults.survey_ranges.items()):
            recognised += (f", {survey.upper()} asked on {low}-{high} (stored on our scale, the answer kept)"
                           if (low, high) != SURVEY_RANGES[survey] else "")
    lines.append(recognised)
    lines.append("mapping: " + ", ".join(f"{name}={column}" for name, column in plan.columns.items()))
    if plan.ignored:
        lines.append(f"ignored: {', '.join(plan.ignored)}; map one with --map FIELD=COLUMN")
    return lines


def count_lines(parsed: ParsedInput, duplicates: int, imported_at: str, result: ImportResult | None = None) -> list[str]:
    """What the rows turned out to be, once read: identical, duplicate and undated rows
    (with the import's ``result``, the undated rows it dated and those whose stored date it kept)."""
    lines = []
    defaults = parsed.defaults
    if defaults is not None and defaults.identical:
        if defaults.skip_identical:
            lines.append(f"{defaults.identical} rows identical to an earlier row: dropped (--skip-identical)")
        else:
            lines.append(f"{defaults.identical} rows identical to an earlier row: kept, no id or date tells them "
                         "apart; --skip-identical drops them")
    if duplicates:
        lines.append(f"{duplicates} rows repeat an earlier row's id and content: counted once")
    if result is not None:
        carried = min(defaults.undated_carried if defaults is not None else 0, result.undated)
        if result.undated > carried:
            lines.append(f"{_rows(result.undated - carried)} no date: dated by this import ({imported_at[:10]}); "
                         "the inbox shows them as (no date)")
        if carried:
            lines.append(f"{carried:,} {'row' if carried == 1 else 'rows'} of a feedback-tui export had no date in "
                         f"{'its' if carried == 1 else 'their'} first file: the date of that import is kept; "
                         "the inbox shows them as (no date)")
        if result.undated_kept:
            lines.append(f"{_rows(result.undated_kept)} no date and were already stored: their date is kept")
    elif defaults is not None and defaults.undated:
        lines.append(f"{_rows(defaults.undated)} no date: would be dated by the import ({imported_at[:10]})")
    return lines


def _rows(n: int) -> str:
    return f"{n:,} {'row' if n == 1 else 'rows'} had"


def _preview(row: object) -> str:
    if isinstance(row, Reject):
        return f"rejected: {row.describe()}"
    names = ("external_id", "created_at", "rating", "kind", "score", "author", "customer", "product", "title",
             "body", "comment", "reply", "reply_at", "source")
    parts = []
    for name in names:
        value = getattr(row, name, None)
        if value is None or value == "":
            continue
        text = str(value).replace("\n", "\\n")
        parts.append(f"{name}={text[:60] + '…' if len(text) > 60 else text!r}" if isinstance(value, str)
                     else f"{name}={value}")
    return ", ".join(parts)


def dry_run(parsed: ParsedInput, name: str) -> None:
    """Print how ``name`` would be read (and its first rows) without writing anything."""
    fmt, _, encoding = parsed.format.partition(", ")
    echo(f"{name}: {parsed.kind}, format {fmt}, encoding {encoding or '?'}, "
         f"about {parsed.estimated_rows} rows (dry run: nothing written)")
    for line in plan_lines(parsed):
        echo(f"  {line}")
    rows = iter(parsed.rows)
    read = rejected = 0
    for row in rows:
        read += 1
        rejected += isinstance(row, Reject)
        if read <= DRY_RUN_ROWS:
            echo(f"  row {read}: {_preview(row)}")
    # the whole file is read (nothing written), so that the counts are the import's own:
    # rows that would be rejected, identical, or dated by the import
    echo(f"  {read:,} {'row' if read == 1 else 'rows'} read: {read - rejected:,} would be imported, "
         f"{rejected:,} rejected")
    defaults = parsed.defaults
    for line in count_lines(parsed, 0, defaults.imported_at if defaults is not None else "", None):
        echo(f"  {line}")
