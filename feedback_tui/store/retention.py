"""The retention queries: purchases per customer and period, the feedback of
linked customers, and the drill-down from a customer to everything they did.

The arithmetic (and which customers stand behind a figure) is
:mod:`feedback_tui.retention`'s; here is only SQL, which returns typed rows. Periods are calendar periods of the stored UTC dates,
read from the ISO text (``2011-01``, ``2011-Q1``, ``2011``), so a purchase at
``2011-01-31T23:59:59Z`` is January's and one at ``2011-02-01T00:00:00Z``
February's, whatever the machine's zone.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedback_tui.store import Store
from feedback_tui.store.grouping import PERIODS  # the same labels as the review figures: 2011-03, 2011-Q1, 2011

# A survey's customer written as a float by a spreadsheet (12923.0) is customer 12923, as in
# orders (importers.orders.customer_id): digits, a point, zeros.
_T = "rtrim(x.customer, '0')"
_FLOAT_ID_SQL = (f"CASE WHEN {_T} LIKE '%_.' AND rtrim(substr({_T}, 1, length({_T}) - 1), '0123456789') = '' "
                 f"THEN substr({_T}, 1, length({_T}) - 1) ELSE x.customer END")
SEGMENTS = {"source": "source", "country": "coalesce(country, '(none)')"}


@dataclass(frozen=True, slots=True)
class CustomerPeriod:
    """One customer's purchases in one period (of one segment)."""

    segment: str | None
    period: str
    customer: str
    orders: int
    revenue: float


@dataclass(frozen=True, slots=True)
class LinkedFeedback:
    """One piece of feedback from a customer who has orders."""

    customer: str
    what: str  # nps | csat | ces | review
    score: float | None  # the survey score or the review's stars
    created_at: str
    first_reply_at: str | None = None  # reviews: our (or the source's) first reply


@dataclass(frozen=True, slots=True)
class OrderRow:
    source: str
    order_id: str
    created_at: str
    amount: float
    purchase: bool
    status: str | None
    country: str | None
    lines: int


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    """Everything one customer did: orders, reviews, survey answers, and our replies."""

    customer: str
    orders: list[OrderRow]
    reviews: list[tuple[int, str, float | None, str, str]]  # id, created_at, rating, source, body
    answers: list[tuple[str, str, int, str | None]]  # created_at, kind, score, comment
    replies: list[tuple[int, str, str, str]]  # review id, created_at, agent, text


def has_orders(store: Store) -> bool:
    """Whether the database has the orders tables (a read-only file of an older version may not)."""
    return store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'orders'").fetchone() is not None


def _segment(segment: str | None) -> str:
    if segment is None:
        return "NULL"
    if segment not in SEGMENTS:
        raise ValueError(f"unknown segment {segment!r} (expected {', '.join(SEGMENTS)})")
    return SEGMENTS[segment]


def _order_conditions(where: list[str], until: str | None, source: str | None) -> tuple[list[str], dict[str, object]]:
    """``where`` with the orders before ``until`` (exclusive) of ``source``, as named parameters."""
    params: dict[str, object] = {}
    if until:
        where.append("created_at < :until")
        params["until"] = until
    if source:
        where.append("source = :source")
        params["source"] = source
    return where, params


def customer_periods(store: Store, by: str, *, until: str | None = None, segment: str | None = None,
                     source: str | None = None) -> list[CustomerPeriod]:
    """Purchases per (segment, period, customer), from the first purchase on.

    ``until`` (exclusive) cuts the data; no ``since``: the period before the
    window gives its S, and "first purchase ever" needs all the history.
    """
    where, params = _order_conditions(["purchase = 1"], until, source)
    sql = (f"SELECT {_segment(segment)}, {PERIODS[by]} AS period, customer, count(*), sum(amount) "
           f"FROM orders INDEXED BY orders_purchases WHERE {' AND '.join(where)} GROUP BY 1, 2, 3")
    return [CustomerPeriod(*row) for row in store.conn.execute(sql, params)]


def last_order_at(store: Store, *, until: str | None = None, source: str | None = None) -> str | None:
    """When the data ends: the latest order (any, a cancellation too) before ``until``."""
    where, params = _order_conditions(["1 = 1"], until, source)
    row = store.conn.execute(f"SELECT max(created_at) FROM orders WHERE {' AND '.join(where)}", params).fetchone()
    return row[0] if row and row[0] else None


def order_span(store: Store, *, since: str | None = None, until: str | None = None,
               source: str | None = None) -> tuple[str, str] | None:
    """The first and the last order (any, a cancellation too) from ``since`` to before ``until``;
    None when there is none, or no orders table."""
    if not has_orders(store):
        return None
    where, params = _order_conditions(["1 = 1"], until, source)
    if since:
        where.append("created_at >= :since")
        params["since"] = since
    row = store.conn.execute(f"SELECT min(created_at), max(created_at) FROM orders WHERE {' AND '.join(where)}",
                             params).fetchone()
    return (row[0], row[1]) if row and row[0] else None


def costs(store: Store) -> dict[str, float]:
    """Retention spend per period as stored (``2011-01``, ``2011-Q1``, ``2011``)."""
    return {row[0]: float(row[1]) for row in store.conn.execute("SELECT period, amount FROM retention_costs")}


def linked_feedback(store: Store, *, since: str | None = None, until: str | None = None) -> list[LinkedFeedback]:
    """Survey answers (by their ``customer``) and linked reviews of customers who have orders, oldest first."""
    window, params = [], {}
    if since:
        window.append("x.created_at >= :since")
        params["since"] = since
    if until:
        window.append("x.created_at < :until")
        params["until"] = until
    extra = "".join(f" AND {w}" for w in window)
    surveys = store.conn.execute(
        f"SELECT c.customer, x.kind, x.score, x.created_at, NULL FROM survey_responses x "
        f"JOIN customers c ON c.customer = {_FLOAT_ID_SQL} WHERE x.customer IS NOT NULL {extra}", params).fetchall()
    reviews = store.conn.execute(
        f"SELECT rc.customer, 'review', x.rating, x.created_at, x.first_reply_at FROM reviews x "
        f"JOIN review_customers rc ON rc.review_id = x.id JOIN customers c ON c.customer = rc.customer "
        f"WHERE x.status != 'spam' {extra}", params).fetchall()
    rows = [LinkedFeedback(*row) for row in (*surveys, *reviews)]
    rows.sort(key=lambda r: (r.created_at, r.customer))
    return rows


def purchase_dates(store: Store, customers: set[str], *, until: str | None = None) -> dict[str, list[str]]:
    """Each customer's purchase dates, sorted (for "bought again after the feedback")."""
    found: dict[str, list[str]] = {c: [] for c in customers}
    if not customers:
        return found
    store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_customers (customer TEXT PRIMARY KEY)")
    store.conn.execute("DELETE FROM wanted_customers")
    store.conn.executemany("INSERT OR IGNORE INTO wanted_customers VALUES (?)", [(c,) for c in customers])
    sql = ("SELECT o.customer, o.created_at FROM orders o JOIN wanted_customers w ON w.customer = o.customer "
           "WHERE o.purchase = 1" + (" AND o.created_at < ?" if until else "") + " ORDER BY o.customer, o.created_at")
    for customer, created in store.conn.execute(sql, (until,) if until else ()):
        found[customer].append(created)
    return found


def customer_history(store: Store, customer: str) -> CustomerHistory:
    """A customer's orders, linked reviews, survey answers and the replies to those reviews."""
    conn = store.conn
    orders = [OrderRow(r[0], r[1], r[2], float(r[3]), bool(r[4]), r[5], r[6], int(r[7])) for r in conn.execute(
        "SELECT source, order_id, created_at, amount, purchase, status, country, lines FROM orders "
        "WHERE customer = ? ORDER BY created_at, order_id", (customer,))]
    reviews = [tuple(r) for r in conn.execute(
        "SELECT r.id, r.created_at, r.rating, r.source, r.body FROM reviews r JOIN review_customers rc "
        "ON rc.review_id = r.id WHERE rc.customer = ? ORDER BY r.created_at", (customer,))]
    answers = [tuple(r) for r in conn.execute(
        "SELECT created_at, kind, score, comment FROM survey_responses WHERE customer = ? ORDER BY created_at",
        (customer,))]
    replies = [tuple(r) for r in conn.execute(
        "SELECT p.review_id, p.created_at, p.agent, p.text FROM replies p JOIN review_customers rc "
        "ON rc.review_id = p.review_id WHERE rc.customer = ? AND p.withdrawn_at IS NULL ORDER BY p.created_at",
        (customer,))]
    return CustomerHistory(customer, orders, reviews, answers, replies)  # type: ignore[arg-type]
