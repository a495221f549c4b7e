"""Writing orders, customers, review links and retention costs.

An orders file is read whole (its lines summed per order by
:mod:`feedback_tui.importers.orders`) and written in one ``BEGIN IMMEDIATE``
transaction: the orders upserted by (source, order_id), the customers they
touch recomputed from the stored orders, the rejects kept with their line and
field. One transaction because an order's lines may sit anywhere in the file:
committing half of them would store a wrong amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from feedback_tui.models import ImportResult, Reject
from feedback_tui.store import Store, utc_now
from feedback_tui.store.imports import finish_run, start_run

_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS stage_orders (
    source TEXT, order_id TEXT, customer TEXT, created_at TEXT, amount REAL, purchase INTEGER,
    currency TEXT, status TEXT, country TEXT, lines INTEGER, PRIMARY KEY (source, order_id)
) WITHOUT ROWID"""
_FIELDS = ("source", "order_id", "customer", "created_at", "amount", "purchase", "currency", "status", "country",
           "lines")
_CHANGED = ("o.customer IS NOT s.customer OR o.created_at IS NOT s.created_at OR o.amount IS NOT s.amount "
            "OR o.purchase IS NOT s.purchase OR o.currency IS NOT s.currency OR o.status IS NOT s.status "
            "OR o.country IS NOT s.country OR o.lines IS NOT s.lines")
_UPDATE = f"""
UPDATE orders AS o SET customer = s.customer, created_at = s.created_at, amount = s.amount, purchase = s.purchase,
    currency = s.currency, status = s.status, country = s.country, lines = s.lines, import_run_id = :run
FROM stage_orders s WHERE o.source = s.source AND o.order_id = s.order_id AND ({_CHANGED})"""
_INSERT = """
INSERT INTO orders (source, order_id, customer, created_at, amount, purchase, currency, status, country, lines,
                    import_run_id)
SELECT s.source, s.order_id, s.customer, s.created_at, s.amount, s.purchase, s.currency, s.status, s.country,
       s.lines, :run
FROM stage_orders s WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.source = s.source AND o.order_id = s.order_id)"""
# The customers of the file (and those an order moved away from), recomputed from every stored order.
_CUSTOMERS = """
INSERT INTO customers (customer, first_purchase_at, last_purchase_at, purchases, country)
SELECT o.customer, min(CASE WHEN o.purchase = 1 THEN o.created_at END),
       max(CASE WHEN o.purchase = 1 THEN o.created_at END), sum(o.purchase),
       (SELECT country FROM orders WHERE customer = o.customer AND country IS NOT NULL
        ORDER BY created_at DESC LIMIT 1)
FROM orders o WHERE o.customer IN (SELECT customer FROM touched_customers) GROUP BY o.customer
ON CONFLICT (customer) DO UPDATE SET first_purchase_at = excluded.first_purchase_at,
    last_purchase_at = excluded.last_purchase_at, purchases = excluded.purchases, country = excluded.country"""


BULK_MIN_ORDERS = 100_000
_SECONDARY = (  # as m014 creates them
    ("orders_purchases", "CREATE INDEX orders_purchases ON orders(created_at, customer, amount) WHERE purchase = 1"),
    ("orders_customer", "CREATE INDEX orders_customer ON orders(customer, created_at)"),
)


def _reject_rows(result: ImportResult, rejects: Iterable[Reject]) -> list[tuple[Any, ...]]:
    return [(result.run_id, result.path, r.line, r.field, r.reason, r.raw) for r in rejects]


def write_orders(store: Store, origin: str, fmt: str, orders: list[Any], rejects: list[Reject]) -> ImportResult:
    """Upsert ``orders`` (:class:`importers.orders.Order`) and keep ``rejects``, in one transaction."""
    result = ImportResult(run_id=start_run(store, origin, "orders", fmt), path=origin, kind="orders")
    try:
        with store.write() as conn:
            conn.execute(_STAGE)
            conn.execute("DELETE FROM stage_orders")
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched_customers (customer TEXT)")
            conn.execute("DELETE FROM touched_customers")
            conn.executemany(
                f"INSERT INTO stage_orders ({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})",
                [(o.source, o.order_id, o.customer, o.created_at, o.amount, int(o.purchase), o.currency, o.status,
                  o.country, o.lines) for o in orders],
            )
            params = {"run": result.run_id}
            conn.execute("INSERT INTO touched_customers SELECT customer FROM stage_orders")
            conn.execute("INSERT INTO touched_customers SELECT o.customer FROM orders o JOIN stage_orders s "
                         "ON o.source = s.source AND o.order_id = s.order_id WHERE o.customer IS NOT s.customer")
            result.updated = conn.execute(_UPDATE, params).rowcount
            stored = int(conn.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0])
            # A first large load: the two secondary indexes are rebuilt after it (one sort each)
            # instead of updated row by row in random order, which took 20 s at a million orders.
            rebuild = _SECONDARY if len(orders) >= BULK_MIN_ORDERS and len(orders) >= stored else ()
            for name, _ in rebuild:
                conn.execute(f"DROP INDEX {name}")
            result.inserted = conn.execute(_INSERT, params).rowcount
            for _, sql in rebuild:
                conn.execute(sql)
            result.unchanged = len(orders) - result.inserted - result.updated
            conn.execute(_CUSTOMERS)
            if rejects:
                conn.executemany("INSERT INTO rejects (import_run_id, origin, line, field, reason, raw) "
                                 "VALUES (?, ?, ?, ?, ?, ?)", _reject_rows(result, rejects))
            result.rejects.extend(rejects)
            conn.execute("UPDATE import_runs SET inserted = ?, updated = ?, unchanged = ?, rejected = ? WHERE id = ?",
                         (result.inserted, result.updated, result.unchanged, len(rejects), result.run_id))
    except BaseException as error:
        finish_run(store, result, error=str(error) or type(error).__name__)
        raise
    finish_run(store, result)
    return result


def write_costs(store: Store, origin: str, costs: list[tuple[str, float, int]], rejects: list[Reject]) -> ImportResult:
    """Retention spend per period (``2011-01``, ``2011-Q1``, ``2011``): a period given again is replaced."""
    result = ImportResult(run_id=start_run(store, origin, "costs", "csv"), path=origin, kind="costs")
    with store.write() as conn:
        for period, amount, _line in costs:
            before = conn.execute("SELECT amount FROM retention_costs WHERE period = ?", (period,)).fetchone()
            if before is None:
                result.inserted += 1
            elif before[0] != amount:
                result.updated += 1
            else:
                result.unchanged += 1
            conn.execute("INSERT INTO retention_costs (period, amount, import_run_id) VALUES (?, ?, ?) "
                         "ON CONFLICT (period) DO UPDATE SET amount = excluded.amount, "
                         "import_run_id = excluded.import_run_id", (period, amount, result.run_id))
        if rejects:
            conn.executemany("INSERT INTO rejects (import_run_id, origin, line, field, reason, raw) "
                             "VALUES (?, ?, ?, ?, ?, ?)", _reject_rows(result, rejects))
        result.rejects.extend(rejects)
    finish_run(store, result)
    return result


def link_reviews(store: Store, links: list[tuple[str | None, str | None, str | None, str, int]],
                 origin: str, linked_by: str = "link-customers") -> tuple[int, list[Reject]]:
    """Link reviews to customers: (source, review external id, author, customer, line) each.

    A link names a review by its id (within ``source`` when given) or an author
    exactly as stored (every review of that author, within ``source`` when
    given): what the user wrote, never a fuzzy match. A link that finds no
    review is a reject naming its line.
    """
    linked = 0
    rejects: list[Reject] = []
    with store.write() as conn:
        for source, external_id, author, customer, line in links:
            if external_id:
                where, args = "external_id = ?", [external_id]
            else:
                where, args = "author = ?", [author]
            if source:
                where += " AND source = ?"
                args.append(source)
            ids = [row[0] for row in conn.execute(f"SELECT id FROM reviews WHERE {where}", args)]
            if not ids:
                what = f"review id {external_id!r}" if external_id else f"author {author!r}"
                rejects.append(Reject(line, f"no stored review with {what}" + (f" in {source!r}" if source else ""),
                                      "", "review_id" if external_id else "author"))
                continue
            conn.executemany("INSERT INTO review_customers (review_id, customer, linked_by) VALUES (?, ?, ?) "
                             "ON CONFLICT (review_id) DO UPDATE SET customer = excluded.customer, "
                             "linked_by = excluded.linked_by", [(i, customer, linked_by) for i in ids])
            linked += len(ids)
    return linked, rejects


def link_imported_reviews(store: Store, links: list[tuple[str, str, str]]) -> int:
    """(source, external id, customer) of reviews an import read with a ``customer`` column."""
    if not links:
        return 0
    with store.write() as conn:
        before = conn.total_changes
        conn.executemany(
            "INSERT INTO review_customers (review_id, customer, linked_by) "
            "SELECT id, ?, 'import' FROM reviews WHERE source = ? AND external_id = ? AND true "
            "ON CONFLICT (review_id) DO UPDATE SET customer = excluded.customer",
            [(customer, source, external_id) for source, external_id, customer in links])
        return conn.total_changes - before


__all__ = ["write_orders", "write_costs", "link_reviews", "link_imported_reviews", "utc_now"]
