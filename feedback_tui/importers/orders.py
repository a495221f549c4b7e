"""Orders (and retention costs) from CSV, TSV, JSON and JSONL files.

An orders file is either one row per order (``amount``) or one row per order
line (``quantity`` and ``unit_price``, as a shop's invoice export:
``InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID``).
The lines of one order are summed here, while the file is read, so the store
receives one row per order (a million lines are ~25k orders at the real file's
ratio, and writing those is cheap where staging every line was not).

Why lines are validated one by one, like reviews: a line with no customer,
no date or a price that is not a number is a :class:`Reject` naming its line
and field, and the rest of the file still lands. A customer id written as a
float by a spreadsheet (``12923.0``) is the id ``12923``; a masked id
(``s*******``, the Etsy export's ``Buyer User ID``) is refused, since it would
merge every buyer whose name starts with the same letter.

The file-level machinery is the reviews': the encoding (:mod:`textio`), the
delimiter and physical line numbers (:mod:`csv_files`), the per-file date
order (:func:`kinds.decide_date_order`), ``--map FIELD=COLUMN``.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from operator import itemgetter
from datetime import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from feedback_tui.errors import FileProblem, UsageProblem
from feedback_tui.importers.base import ORDER_ALIASES, ImportOptions, map_columns, normalise_header, stable_id
from feedback_tui.importers.csv_files import _raw_text, _rows, sniff_delimiter
from feedback_tui.importers.dates import FIRST_YEAR, LAST_YEAR, NO_ORDER, numeric_fields, parse_date
from feedback_tui.importers.kinds import decide_date_order
from feedback_tui.importers.textio import count_lines, open_text, shown_name
from feedback_tui.models import Reject

COST_ALIASES: dict[str, tuple[str, ...]] = {
    "period": ("period", "month", "periode", "mois", "quarter", "year"),
    "amount": ("amount", "cost", "spend", "cout", "montant"),
}
# Statuses that make an order no purchase whatever its amount
NOT_PURCHASED = frozenset({"cancelled", "canceled", "refunded", "returned", "annulee", "annulée", "rembourse",
                           "remboursée", "failed", "void"})
_FLOAT_ID = re.compile(r"(\d+)\.0+")
_MASKED = re.compile(r"\*{2,}")
_PERIOD = re.compile(r"(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?")


@dataclass(slots=True)
class Order:
    """One order once its lines are summed: the store's row."""

    source: str
    order_id: str
    customer: str
    created_at: str  # the earliest line's date (UTC, stored form)
    amount: float
    purchase: bool  # amount > 0 and not a cancelled status
    currency: str | None = None
    status: str | None = None
    country: str | None = None
    lines: int = 1
    line: int = 0  # the first line of the file that holds it


@dataclass(slots=True)
class OrderPlan:
    """Which column holds each field, for the summary and ``--dry-run``."""

    columns: dict[str, str]
    per_line: bool  # quantity x unit_price lines, summed per order
    ignored: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return ", ".join(f"{name}={column}" for name, column in self.columns.items())


@dataclass
class ParsedOrders:
    """An orders file that can be read: its orders are complete once ``read`` returns."""

    origin: str
    format: str
    plan: OrderPlan
    estimated_rows: int
    date_order: str | None
    _lines: Iterator[tuple[int, dict[str, str | None], Any]] | None = None
    source: str = ""
    render: Any = str  # a line's raw text from what ``_lines`` yields as its third item (only for rejects)

    def read(self, progress: Any = None) -> tuple[list[Order], list[Reject], int]:
        """(orders, rejects, lines read): every line validated, the lines of an order summed."""
        return summarise(self._lines or iter(()), self.source, self.plan.per_line, self.date_order or "dmy",
                         progress, self.render)


def customer_id(text: str) -> str:
    """``'12923.0'`` -> ``'12923'``; a masked id (``s*******``) raises ValueError."""
    match = _FLOAT_ID.fullmatch(text)
    if match:
        return match.group(1)
    if _MASKED.search(text):
        raise ValueError(f"customer id {text!r} is masked: it cannot tell buyers apart")
    return text


def _fast_date(text: str) -> str | None:
    """``2011-10-06 16:20:00`` (no zone: UTC) in the stored form, or None for :func:`parse_date` to read.

    The common case of order exports, checked by :meth:`datetime.fromisoformat`
    at a hundredth of the general parser's cost."""
    if len(text) != 19 or text[4] != "-" or text[10] not in " T":
        return None
    try:
        year = datetime.fromisoformat(text).year
    except ValueError:
        return None
    return f"{text[:10]}T{text[11:]}Z" if FIRST_YEAR <= year <= LAST_YEAR else None


def number(text: str | None, name: str) -> float:
    """``'4.15'``, ``'4,15'`` (decimal comma) or ``'1,234.50'`` as a float."""
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        pass
    else:
        if math.isfinite(value):
            return value
        raise ValueError(f"{name} must be a number, got {text!r}")
    if not text or not text.strip():
        raise ValueError(f"missing {name}")
    try:
        return float(text.replace(",", ".") if "," in text and "." not in text else text.replace(",", ""))
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text!r}") from None


FIELDS = tuple(ORDER_ALIASES)  # the order of the values tuple a reader yields for each line
_ID, _CUSTOMER, _DATE, _AMOUNT, _QUANTITY, _PRICE, _CURRENCY, _STATUS, _COUNTRY, _SOURCE = range(len(FIELDS))
Line = tuple[int, tuple[str, ...], Any]  # (line, values in FIELDS order, '' when absent; what ``render`` shows)


def summarise(lines: Iterator[Line], source: str, per_line: bool, order: str, progress: Any = None,
              render: Any = str) -> tuple[list[Order], list[Reject], int]:
    """Validate each line and sum the lines of each order (a dict keyed by order id).

    With ``amount`` per order (``per_line`` false), a second row with the same
    order id is a duplicate when it says the same, and a reject otherwise:
    adding it would count the order twice. Values are tuples, not dicts: at a
    million lines the loop is most of the import's time.
    """
    date = lru_cache(maxsize=65536)(lambda text: _fast_date(text) or parse_date(text, order))
    ids = lru_cache(maxsize=65536)(customer_id)
    orders: dict[tuple[str, str], Order] = {}
    seen_rows: dict[tuple[str, str], tuple[Any, ...]] = {}
    rejects: list[Reject] = []
    count = 0
    for line, values, cells in lines:
        count += 1
        if progress is not None and count % 50000 == 0:
            progress(50000)
        if line < 0:
            rejects.append(Reject(-line, values[0], render(cells), None))
            if values[1]:
                break
            continue
        current = "customer"
        try:
            customer = values[_CUSTOMER].strip()
            if not customer:
                raise ValueError("missing customer (an order without a customer cannot count in retention)")
            customer = ids(customer)
            current = "created_at"
            when = values[_DATE].strip()
            if not when:
                raise ValueError("missing date")
            created = date(when)
            if per_line:
                current = "quantity"
                quantity = number(values[_QUANTITY], "quantity")
                current = "unit_price"
                amount = quantity * number(values[_PRICE], "unit price")
            else:
                current = "amount"
                amount = number(values[_AMOUNT], "amount")
        except ValueError as error:
            rejects.append(Reject(line, str(error), render(cells), current))
            continue
        row_source = values[_SOURCE].strip() or source
        order_id = values[_ID].strip() or stable_id(customer, when, values[_AMOUNT], str(line))
        key = (row_source, order_id)
        known = orders.get(key)
        currency = values[_CURRENCY].strip() or None
        if known is None:
            status = values[_STATUS].strip() or None
            orders[key] = Order(row_source, order_id, customer, created, amount, True, currency,
                                status, values[_COUNTRY].strip() or None, 1, line)
            if not per_line:
                seen_rows[key] = (customer, created, amount, status)
            continue
        if known.customer != customer:
            rejects.append(Reject(line, f"order {order_id!r} belongs to customer {known.customer!r} on line "
                                        f"{known.line}; this line says {customer!r}", render(cells), "customer"))
            continue
        if known.currency != currency:
            rejects.append(Reject(line, f"order {order_id!r} is in {known.currency!r} on line {known.line}",
                                  render(cells), "currency"))
            continue
        if not per_line:
            if seen_rows[key] != (customer, created, amount, values[_STATUS].strip() or None):
                rejects.append(Reject(line, f"order {order_id!r} already read on line {known.line} with other "
                                            "values; only the first was kept", render(cells), "order_id"))
            continue
        known.amount += amount
        known.lines += 1
        if created < known.created_at:
            known.created_at = created
    result = list(orders.values())
    for item in result:
        item.amount = round(item.amount, 6)
        item.purchase = item.amount > 0 and (item.status or "").strip().lower() not in NOT_PURCHASED
    return result, rejects, count


def plan_orders(headers: list[str], mapping: Mapping[str, str], path: str) -> OrderPlan:
    """The column of each order field: ``--map`` wins over the aliases."""
    columns = map_columns(headers, ORDER_ALIASES)
    for name, column in mapping.items():
        if name not in ORDER_ALIASES:
            raise UsageProblem(f"--map {name}={column}: unknown order field {name!r} "
                               f"(fields: {', '.join(ORDER_ALIASES)})")
        found = column if column in headers else next(
            (h for h in headers if normalise_header(h) == normalise_header(column)), None)
        if found is None:
            raise FileProblem(path, f"--map {name}={column}: no column {column!r} (columns: {', '.join(headers)})")
        columns = {k: v for k, v in columns.items() if v != found}
        columns[name] = found
    per_line = "quantity" in columns and "unit_price" in columns
    if "amount" in columns and "amount" in mapping:
        per_line = False
    if per_line:
        columns.pop("amount", None)
    missing = [n for n in ("customer", "created_at") if n not in columns]
    if not per_line and "amount" not in columns:
        missing.append("amount (or quantity and unit_price)")
    if missing:
        raise FileProblem(path, f"no {' and no '.join(missing)} column for orders; name it with --map FIELD=COLUMN "
                                f"(columns: {', '.join(headers)})")
    ordered = {n: columns[n] for n in ORDER_ALIASES if n in columns}
    used = set(ordered.values())
    return OrderPlan(ordered, per_line, [h for h in headers if h not in used and h.strip()])


def _csv_lines(path: Path, positions: list[int], delimiter: str) -> Iterator[Line]:
    """(physical line, the FIELDS values, cells) of each record; ``positions`` holds
    each field's column (-1: absent). A record spread over several physical
    lines (an unclosed quote swallowing the next rows) comes back with a
    negative line, for :func:`summarise` to reject it naming the lines."""
    handle, _ = open_text(path)
    with handle:
        reader = csv.reader(handle, delimiter=delimiter)
        width = 0
        end = 0
        get = itemgetter(*positions)
        try:
            for cells in reader:
                start, end = end + 1, reader.line_num
                if not cells:
                    continue
                if not width:  # the header
                    width = len(cells) + 1
                    continue
                cells.append("")
                if len(cells) != width:
                    if len(cells) > width and any(c.strip() for c in cells[width - 1:]):
                        yield -start, (f"{len(cells) - 1} cells for {width - 1} columns (a missing quote?)", ""), cells
                        continue
                    if all(not c.strip() for c in cells):
                        continue
                    cells = (cells[:-1] + [""] * width)[:width - 1] + [""]
                if end > start:
                    yield -start, (f"one record spans lines {start}-{end} (an unclosed quote?); close the quote "
                                   "and import again", ""), cells
                    continue
                yield start, get(cells), cells
        except csv.Error as error:
            yield -(end + 1), (f"unreadable CSV from here on ({error})", "stop"), []


def _json_items(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """(line, object) of a JSON array or a JSONL file."""
    handle, encoding = open_text(path)
    with handle:
        text = handle.read()
    if not text.strip():
        raise FileProblem(str(path), "the file is empty")
    items: list[tuple[int, dict[str, Any]]] = []
    if text.lstrip().startswith("["):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise FileProblem(str(path), f"invalid JSON at line {error.lineno}, column {error.colno}: "
                                         f"{error.msg}") from None
        for number_, item in enumerate(document, start=1):
            if not isinstance(item, dict):
                raise FileProblem(str(path), f"item {number_}: expected a JSON object for each order")
            items.append((number_, item))
        return items, f"json, {encoding}"
    for line, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        try:
            item = json.loads(row)
        except json.JSONDecodeError as error:
            raise FileProblem(str(path), f"line {line}: invalid JSON ({error.msg})") from None
        if isinstance(item, dict):
            items.append((line, item))
    return items, f"jsonl, {encoding}"


def _cell(value: object) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def open_orders(path: str | Path, *, source: str | None, options: ImportOptions | None = None) -> ParsedOrders:
    """Check an orders file as a whole (readable, a header, the required columns,
    one date order) and return it ready to read."""
    file_path = Path(path)
    options = options or ImportOptions()
    name = shown_name(str(file_path))
    try:
        open_text(file_path)[0].close()
    except FileProblem as error:
        error.args = tuple(shown_name(a) if isinstance(a, str) else a for a in error.args)
        raise
    default_source = source or shown_name(file_path.stem)
    if file_path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        items, fmt = _json_items(file_path)
        if not items:
            raise FileProblem(name, "no order in the file")
        headers = sorted({k for _, item in items for k in item})
        plan = plan_orders(headers, options.mapping, name)
        order = _date_order(((plan.columns["created_at"], _cell(item.get(plan.columns["created_at"])))
                             for _, item in items), name, options)
        lines = ((line, tuple(_cell(item.get(plan.columns[n])) if n in plan.columns else "" for n in FIELDS), item)
                 for line, item in items)
        return ParsedOrders(name, fmt, plan, len(items), order, lines, default_source,
                            lambda item: json.dumps(item, ensure_ascii=False))
    handle, encoding = open_text(file_path)
    with handle:
        first = handle.readline()
        while first and not first.strip():
            first = handle.readline()
        if not first.strip():
            raise FileProblem(name, "the file has no header line")
        delimiter = sniff_delimiter(first)
        handle.seek(0)
        records = _rows(handle, delimiter)
        _, headers = next(records)
        if next(records, None) is None:
            raise FileProblem(name, "the file has a header line but no data rows")
    plan = plan_orders(headers, options.mapping, name)
    positions = [headers.index(plan.columns[n]) if n in plan.columns else -1 for n in FIELDS]
    sample = [values[_DATE] for line, values, _ in itertools.islice(_csv_lines(file_path, positions, delimiter), 1000)
              if line > 0]
    if options.date_order or any(numeric_fields(v) is not None for v in sample if v):
        # The whole file's dates decide (as for reviews): a second reading of its date cells.
        order = _date_order(((plan.columns["created_at"], values[_DATE])
                             for line, values, _ in _csv_lines(file_path, positions, delimiter) if line > 0),
                            name, options)
    else:
        order = NO_ORDER  # ISO dates: a numeric one further down is rejected, never guessed
    fmt = {",": "csv", ";": "csv (semicolon)", "\t": "tsv"}[delimiter]
    return ParsedOrders(name, f"{fmt}, {encoding}", plan, count_lines(file_path), order,
                        _csv_lines(file_path, positions, delimiter), default_source,
                        lambda cells: _raw_text(cells[:-1] if cells and cells[-1] == "" else cells, delimiter))


def _date_order(cells: Iterator[tuple[str, str]], name: str, options: ImportOptions) -> str | None:
    """The file's numeric date order, decided by all its date cells (as for reviews)."""
    order = decide_date_order(((c, v) for c, v in cells if v), path=name, option=options.date_order,
                              config_order=options.config_date_order, hint=None)
    return order


# -- costs ---------------------------------------------------------------------

def period_key(text: str) -> str:
    """``2011-01``, ``2011-Q1`` or ``2011`` as written; anything else raises ValueError."""
    value = text.strip().upper()
    if not _PERIOD.fullmatch(value):
        raise ValueError(f"period must be YYYY-MM, YYYY-Qn or YYYY, got {text.strip()!r}")
    return value


def read_costs(path: str | Path, options: ImportOptions | None = None) -> tuple[list[tuple[str, float, int]],
                                                                                list[Reject]]:
    """(period, spend, line) of a costs CSV, and its rejects."""
    file_path = Path(path)
    name = shown_name(str(file_path))
    handle, _ = open_text(file_path)
    with handle:
        first = handle.readline()
        delimiter = sniff_delimiter(first)
        handle.seek(0)
        records = _rows(handle, delimiter)
        header = next(records, None)
        if header is None:
            raise FileProblem(name, "the file has no header line")
        headers = header[1]
        columns = map_columns(headers, COST_ALIASES)
        for key, column in (options.mapping if options else {}).items():
            if key not in COST_ALIASES or column not in headers:
                raise FileProblem(name, f"--map {key}={column}: expected period or amount and a column of the file")
            columns[key] = column
        if "period" not in columns or "amount" not in columns:
            raise FileProblem(name, "a costs file needs a period column (YYYY-MM, YYYY-Qn or YYYY) and an amount "
                                    f"column (columns: {', '.join(headers)})")
        p, a = headers.index(columns["period"]), headers.index(columns["amount"])
        costs: list[tuple[str, float, int]] = []
        rejects: list[Reject] = []
        for line, cells in records:
            raw = _raw_text(cells, delimiter)
            try:
                key = period_key(cells[p] if p < len(cells) else "")
            except ValueError as error:
                rejects.append(Reject(line, str(error), raw, "period"))
                continue
            try:
                costs.append((key, number(cells[a] if a < len(cells) else None, "amount"), line))
            except ValueError as error:
                rejects.append(Reject(line, str(error), raw, "amount"))
    return costs, rejects
