"""An independent computation of the monthly retention figures of a line-item file.

Plain ``csv`` and sets, none of feedback-tui's code: it reads an invoice
export (``InvoiceNo, Quantity, InvoiceDate, UnitPrice, CustomerID``; ISO
``YYYY-MM-DD HH:MM:SS`` dates, as the OnlineRetail sample of REAL_DATA.md
6a) and prints, per month, S, E, N, retained, orders, revenue, crr, churn and
aov. Given the JSON of ``feedback-tui retention --by month --json``, it
compares the two and exits 1 on any difference.

    python benchmarks/check_retention.py /tmp/realdata/OnlineRetail.csv [retention.json]

The rules are the README's, written again from the definitions: a line with
no CustomerID counts nowhere; ``12923.0`` is customer 12923; an invoice's
lines are summed; an invoice whose total is <= 0 is no purchase.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict


def monthly(path: str) -> dict[str, dict[str, float | int | None]]:
    invoices: dict[str, list] = {}  # invoice -> [customer, first date, total]
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            customer = row["CustomerID"].strip()
            if not customer:
                continue
            if customer.endswith(".0"):
                customer = customer[:-2]
            amount = float(row["Quantity"]) * float(row["UnitPrice"])
            known = invoices.get(row["InvoiceNo"])
            if known is None:
                invoices[row["InvoiceNo"]] = [customer, row["InvoiceDate"], amount]
            else:
                known[1] = min(known[1], row["InvoiceDate"])
                known[2] += amount
    active: dict[str, set[str]] = defaultdict(set)
    revenue: dict[str, float] = defaultdict(float)
    orders: dict[str, int] = defaultdict(int)
    first: dict[str, str] = {}
    for customer, date, total in invoices.values():
        if total <= 0:
            continue
        month = date[:7]
        active[month].add(customer)
        revenue[month] += total
        orders[month] += 1
        first[customer] = min(first.get(customer, month), month)
    result = {}
    months = sorted(active)
    for i, month in enumerate(months):
        e = len(active[month])
        n = sum(1 for m in first.values() if m == month)
        previous = active[months[i - 1]] if i else None  # the sample has no empty month
        s = len(previous) if previous is not None else None
        retained = len(previous & active[month]) if previous is not None else None
        result[month] = {
            "customers_start": s, "customers": e, "new": n, "retained": retained, "orders": orders[month],
            "revenue": round(revenue[month], 2),
            "crr": round((e - n) / s * 100, 2) if s else None,
            "churn": round((s - retained) / s * 100, 2) if s else None,
            "aov": round(revenue[month] / orders[month], 2),
        }
    return result


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    figures = monthly(argv[0])
    for month, row in figures.items():
        print(month, " ".join(f"{k}={v}" for k, v in row.items()))
    if len(argv) > 1:
        with open(argv[1], encoding="utf-8") as handle:
            ours = {p["period"]: p for p in json.load(handle)["periods"]}
        differences = [(m, k, v, ours.get(m, {}).get(k)) for m, row in figures.items() for k, v in row.items()
                       if ours.get(m, {}).get(k) != v]
        for difference in differences:
            print("DIFFERENT", *difference)
        print(f"{len(figures)} months, {len(differences)} differences")
        return 1 if differences else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
