"""Orders import and the retention query at scale, each beside a baseline of the same run.

    python benchmarks/bench_retention.py --lines 1000000

Generates an invoice export of N lines (about 20 lines per invoice, 5,000
customers over two years, one line in 200 without a customer, one invoice in
50 cancelled), then measures:

- ``import lines/s``: ``feedback-tui import --kind orders``'s path (read,
  validate, sum per order, upsert, customers) against a baseline of plain
  ``csv.reader`` + ``executemany`` of the same lines into a bare table;
- ``retention --by month``: the whole card without feedback (periods, window,
  clv) against a plain ``GROUP BY month, customer`` over the same orders.

:func:`bench` returns the figures so that ``bench.py`` can call it.
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feedback_tui.importers.orders import open_orders  # noqa: E402
from feedback_tui.retention import retention_card  # noqa: E402
from feedback_tui.store import Store  # noqa: E402
from feedback_tui.store.orders import write_orders  # noqa: E402

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]


def generate(lines: int, path: Path, seed: int = 2026, per_order: int = 20) -> Path:
    """``lines`` invoice lines, ``per_order`` per invoice on average (1: each line an invoice)."""
    rng = random.Random(seed)
    countries = ["United Kingdom"] * 8 + ["France", "Germany"]
    written = 0
    invoice = 500000
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while written < lines:
            invoice += 1
            size = min(rng.randint(1, 2 * per_order - 1), lines - written)
            customer = f"{rng.randint(12000, 16999)}.0" if rng.random() > 0.005 else ""
            day = rng.randint(0, 729)
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1262304000 + day * 86400 + rng.randint(0, 86399)))
            cancelled = rng.random() < 0.02
            name = f"C{invoice}" if cancelled else str(invoice)
            country = countries[int(customer[:5]) % len(countries)] if customer else "United Kingdom"
            for _ in range(size):
                quantity = rng.randint(1, 24) * (-1 if cancelled else 1)
                writer.writerow([name, f"2{rng.randint(1000, 9999)}", "ITEM", quantity, stamp,
                                 f"{rng.randint(10, 2000) / 100:.2f}", customer, country])
            written += size
    return path


def baseline_import(path: Path, db: Path) -> float:
    """Plain csv.reader + executemany of every line into a table with no index."""
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE lines (invoice TEXT, quantity TEXT, created TEXT, price TEXT, customer TEXT)")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        conn.executemany("INSERT INTO lines VALUES (?, ?, ?, ?, ?)",
                         ((r[0], r[3], r[4], r[5], r[6]) for r in reader))
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def bench(lines: int = 1_000_000, folder: Path | None = None, per_order: int = 20) -> dict[str, Any]:
    work = Path(folder or tempfile.mkdtemp(prefix="bench-retention-"))
    for old in ("baseline.db", "retention.db", "retention.db-wal", "retention.db-shm"):
        (work / old).unlink(missing_ok=True)
    path = generate(lines, work / "invoices.csv", per_order=per_order)
    base_seconds = baseline_import(path, work / "baseline.db")
    store = Store.open(work / "retention.db")
    start = time.perf_counter()
    parsed = open_orders(path, source=None)
    orders, rejects, count = parsed.read()
    write_orders(store, parsed.origin, parsed.format, orders, rejects)
    import_seconds = time.perf_counter() - start
    query = []
    for _ in range(3):
        start = time.perf_counter()
        card = retention_card(store, "month", feedback=False)
        query.append(time.perf_counter() - start)
    plain = []
    for _ in range(3):
        start = time.perf_counter()
        store.conn.execute("SELECT substr(created_at, 1, 7), customer, count(*), sum(amount) FROM orders "
                           "WHERE purchase = 1 GROUP BY 1, 2").fetchall()
        plain.append(time.perf_counter() - start)
    store.close()
    return {
        "lines": count, "orders": len(orders), "rejected": len(rejects), "periods": len(card["periods"]),
        "import_s": round(import_seconds, 2), "import_lines_per_s": round(count / import_seconds),
        "baseline_import_s": round(base_seconds, 2), "baseline_lines_per_s": round(count / base_seconds),
        "retention_month_s": round(min(query), 3), "baseline_group_by_s": round(min(plain), 3),
    }


# -- as one of bench.py's EXTRA_BENCHES --------------------------------------------------
ROWS = [
    ("orders import lines/s (ours / csv.reader + executemany)", "retention_import_lines_s",
     "retention_baseline_lines_s", None, "≥ 50,000"),
    ("retention --by month (s) / one plain GROUP BY (s)", "retention_month_s", "retention_group_by_s", None, "≤ 0.5 at 1M"),
]


def run(figures: dict[str, Any], folder: Path, log: Any) -> dict[str, Any]:
    """As many invoice lines as the run has reviews (20 per order), in the run's folder."""
    lines = int(figures.get("n") or 100_000)
    work = folder / "retention"
    work.mkdir(exist_ok=True)
    result = bench(lines, work)
    log(f"retention: {result['lines']:,} lines, {result['orders']:,} orders, {result['periods']} months")
    return {"retention_import_lines_s": result["import_lines_per_s"],
            "retention_baseline_lines_s": result["baseline_lines_per_s"],
            "retention_month_s": result["retention_month_s"], "retention_group_by_s": result["baseline_group_by_s"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--per-order", type=int, default=20, help="lines per invoice on average (1: 1M orders)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep its files")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    result = bench(args.lines, args.keep, args.per_order)
    print(f"{'figure':<28}{'ours':>14}{'baseline':>14}")
    print(f"{'import (lines/s)':<28}{result['import_lines_per_s']:>14,}{result['baseline_lines_per_s']:>14,}"
          "   baseline: csv.reader + executemany, no validation")
    print(f"{'import (s)':<28}{result['import_s']:>14}{result['baseline_import_s']:>14}")
    print(f"{'retention --by month (s)':<28}{result['retention_month_s']:>14}{result['baseline_group_by_s']:>14}"
          "   baseline: one GROUP BY month, customer")
    print(f"{result['lines']:,} lines, {result['orders']:,} orders, {result['rejected']:,} rejected lines, "
          f"{result['periods']} months")


if __name__ == "__main__":
    main()
