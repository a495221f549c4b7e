"""Retention figures, as the seed documents define them, and feedback beside them.

For a calendar period P (month, quarter or year, UTC) and its predecessor P-1:

- active(P): customers with a purchase in P (an order of amount > 0 that is
  not cancelled: returns and cancellations are stored, never counted here);
- S = |active(P-1)| (``customers_start``), E = |active(P)| (``customers``),
  N = customers whose first purchase ever is in P (``new``),
  retained = |active(P-1) ∩ active(P)|;
- ``crr`` (taux de fidélisation) = (E - N) / S × 100. E - N also counts
  customers coming back after a gap, so it can exceed the strict
  ``retention`` = retained / S × 100, shown beside it;
- ``churn`` (taux d'attrition) = (S - retained) / S × 100;
- ``revenue_churn`` = revenue in P-1 of the customers of active(P-1) who
  bought nothing in P ÷ revenue in P-1 × 100;
- ``aov`` (valeur moyenne de commande) = revenue / orders;
  ``purchase_frequency`` = orders / E (the seed prints the ratio upside down;
  its text says orders ÷ customers, which is what this is);
  ``repeat_purchase_rate`` = customers with ≥ 2 purchases in P / E × 100;
  ``customer_value`` = aov × purchase_frequency;
- ``retention_cost_per_customer`` (coût de fidélisation) = spend of P ÷ E;
- ``clv`` (valeur vie client) = aov × purchases per customer per year ×
  lifespan, every input over the last *year* of the window (see
  :mod:`feedback_tui.retention_clv`, which says why not the periods' churn).

The first period of the data has no P-1: its S, crr, retention and churn are
null, never 0 or 100. A period whose P-1 had no customer (S = 0) has S = 0 and
null rates: a ratio of nothing is not a figure.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from feedback_tui.margins import share_margin
from feedback_tui.retention_clv import clv_figures
from feedback_tui.store import Store
from feedback_tui.store import retention as queries
from feedback_tui.store.retention import CustomerPeriod, LinkedFeedback

PERIODS = ("month", "quarter", "year")
PERIOD_YEARS = {"month": 1 / 12, "quarter": 1 / 4, "year": 1.0}
MIN_CUSTOMERS = 30  # below this a group's rates are not shown ("not enough customers")
FIGURES = ("customers_start", "customers", "new", "retained", "crr", "retention", "churn", "revenue", "orders",
           "aov", "purchase_frequency", "repeat_purchase_rate", "customer_value", "revenue_churn")


# -- periods -------------------------------------------------------------------

def _index(by: str, label: str) -> int:
    """A period label as a number: consecutive periods are consecutive numbers."""
    year = int(label[:4])
    if by == "month":
        return year * 12 + int(label[5:7]) - 1
    if by == "quarter":
        return year * 4 + int(label[6]) - 1
    return year


def _label(by: str, index: int) -> str:
    if by == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if by == "quarter":
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    return f"{index:04d}"


def period_of(by: str, moment: str) -> str:
    """The period holding a stored date (``2011-03-31T23:59:59Z`` -> ``2011-03``)."""
    if by == "month":
        return moment[:7]
    if by == "quarter":
        return f"{moment[:4]}-Q{(int(moment[5:7]) + 2) // 3}"
    return moment[:4]


def previous_period(by: str, label: str) -> str:
    return _label(by, _index(by, label) - 1)


def period_range(by: str, first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive, empty ones too."""
    return [_label(by, i) for i in range(_index(by, first), _index(by, last) + 1)]


def period_start(by: str, label: str) -> str:
    """The first instant of a period, in the stored form."""
    if by == "month":
        return f"{label}-01T00:00:00Z"
    if by == "quarter":
        return f"{label[:4]}-{(int(label[6]) - 1) * 3 + 1:02d}-01T00:00:00Z"
    return f"{label}-01-01T00:00:00Z"


def is_partial(by: str, label: str, data_end: str | None) -> bool:
    """Whether the data stops inside the period, before its last day (the shop's export
    ends on 2011-12-09, or the period is still running): its churn would read as if most
    customers had left. A last order on the period's last day leaves it whole."""
    if not data_end or period_of(by, data_end) != label:
        return False
    following = period_start(by, _label(by, _index(by, label) + 1))
    last_day = (datetime.strptime(following[:10], "%Y-%m-%d") - timedelta(days=1)).strftime("%Y-%m-%d")
    return data_end[:10] < last_day


def partial_note(card: dict[str, Any]) -> str | None:
    """The sentence under a table whose last period the data does not cover to its end
    (the ``retention`` command stars it, the report prints it as it is)."""
    partial = card["window"].get("partial_periods") or []
    if not partial or not card.get("data_end"):
        return None
    return (f"{', '.join(partial)}: partial, the data ends {card['data_end'][:10]}; its churn counts customers "
            "who may still buy before it ends, and it is left out of the mean churn")


def _last_instant(until: str) -> str:
    moment = datetime.strptime(until[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC) - timedelta(seconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- per period ----------------------------------------------------------------

def _pct(part: float, whole: float | None) -> float | None:
    return None if not whole else round(part / whole * 100.0, 2)


def _ratio(part: float, whole: float) -> float | None:
    return None if not whole else round(part / whole, 2)


def spend_of(by: str, label: str, costs: Mapping[str, float]) -> float | None:
    """Retention spend of a period: the entries given for it or for the periods inside it."""
    if by == "month":
        keys = [label]
    elif by == "quarter":
        first = _index("month", period_start("quarter", label)[:7])
        keys = [label, *(_label("month", first + i) for i in range(3))]
    else:
        keys = [label, *(f"{label}-Q{q}" for q in range(1, 5)), *(f"{label}-{m:02d}" for m in range(1, 13))]
    found = [costs[k] for k in keys if k in costs]
    return round(sum(found), 2) if found else None


@dataclass
class _Active:
    """One period's customers: orders and revenue of each."""

    orders: dict[str, int]
    revenue: dict[str, float]


def _by_period(rows: Iterable[CustomerPeriod]) -> tuple[dict[str, _Active], dict[str, str]]:
    """Customers per period, and each customer's first period."""
    periods: dict[str, _Active] = {}
    first: dict[str, str] = {}
    for row in rows:
        active = periods.get(row.period)
        if active is None:
            active = periods[row.period] = _Active({}, {})
        active.orders[row.customer] = row.orders
        active.revenue[row.customer] = row.revenue
        known = first.get(row.customer)
        if known is None or row.period < known:
            first[row.customer] = row.period
    return periods, first


def period_figures(rows: Iterable[CustomerPeriod], by: str, *, window: tuple[str, str] | None = None,
                   costs: Mapping[str, float] | None = None, data_end: str | None = None) -> list[dict[str, Any]]:
    """The figures of every period of ``window`` (first, last labels; default: all the data's).

    ``rows`` hold every purchase up to the window's end, including before it:
    the window's first period still has its S, and "first purchase ever"
    looks at the whole history.
    """
    periods, first = _by_period(rows)
    if not periods:
        return []
    data_first = min(periods)
    start, end = window or (data_first, max(periods))
    new_in: dict[str, int] = defaultdict(int)
    for period in first.values():
        new_in[period] += 1
    empty = _Active({}, {})
    result = []
    for label in period_range(by, start, end):
        now = periods.get(label, empty)
        has_previous = label > data_first
        before = periods.get(previous_period(by, label), empty)
        e, n = len(now.orders), new_in.get(label, 0)
        s = len(before.orders) if has_previous else None
        retained = sum(1 for c in now.orders if c in before.orders) if has_previous else None
        orders = sum(now.orders.values())
        revenue = sum(now.revenue.values())
        lost_revenue = sum(r for c, r in before.revenue.items() if c not in now.orders)
        aov = revenue / orders if orders else None
        frequency = orders / e if e else None
        spend = spend_of(by, label, costs or {})
        result.append({
            "period": label,
            "customers_start": s,
            "customers": e,
            "new": n,
            "retained": retained,
            "crr": _pct(e - n, s) if s else None,
            "retention": _pct(retained or 0, s) if s else None,
            "churn": _pct(s - (retained or 0), s) if s else None,
            "revenue": round(float(revenue), 2),
            "orders": orders,
            "aov": None if aov is None else round(aov, 2),
            "purchase_frequency": None if frequency is None else round(frequency, 4),
            "repeat_purchase_rate": _pct(sum(1 for k in now.orders.values() if k >= 2), e),
            "customer_value": None if aov is None or frequency is None else round(aov * frequency, 2),
            "revenue_churn": _pct(lost_revenue, sum(before.revenue.values())) if has_previous else None,
            "retention_spend": spend,
            "retention_cost_per_customer": None if spend is None or not e else round(spend / e, 2),
            "partial": is_partial(by, label, data_end),
        })
    return result


def window_figures(rows: Iterable[CustomerPeriod], periods: list[dict[str, Any]], by: str,
                   lifespan_years: float | None = None) -> dict[str, Any]:
    """The window's totals and its customer lifetime value, with every input shown."""
    labels = {p["period"] for p in periods}
    orders = revenue = 0.0
    customers: set[str] = set()
    for row in rows:
        if row.period in labels:
            orders += row.orders
            revenue += row.revenue
            customers.add(row.customer)
    years = len(periods) * PERIOD_YEARS[by]
    # exact churn of each whole period (the shown one is rounded); a partial one would inflate it
    churns = [(p["customers_start"] - p["retained"]) / p["customers_start"] * 100.0 for p in periods
              if p["customers_start"] and not p.get("partial")]
    mean_churn = sum(churns) / len(churns) if churns else None
    aov = revenue / orders if orders else None
    return {
        "since": periods[0]["period"] if periods else None,
        "until": periods[-1]["period"] if periods else None,
        "periods": len(periods), "years": round(years, 4),
        "orders": int(orders), "revenue": round(revenue, 2), "customers": len(customers),
        "aov": None if aov is None else round(aov, 2),
        "orders_per_customer": None if not customers else round(orders / len(customers), 4),
        "revenue_per_customer": None if not customers else round(revenue / len(customers), 2),
        "mean_churn": None if mean_churn is None else round(mean_churn, 2),
        "partial_periods": [p["period"] for p in periods if p.get("partial")],
        **clv_figures(rows, *clv_years(by, periods[-1]["period"] if periods else None), lifespan_years),
    }


def clv_years(by: str, last: str | None) -> tuple[list[str], set[str]]:
    """The clv's year Y, the periods of ``by`` ending with ``last`` (12 months, 4 quarters or
    one year), oldest first, and the periods of the year before it."""
    if last is None:
        return [], set()
    per_year, end = round(1 / PERIOD_YEARS[by]), _index(by, last)
    return ([_label(by, i) for i in range(end - per_year + 1, end + 1)],
            {_label(by, i) for i in range(end - 2 * per_year + 1, end - per_year + 1)})


def customers_behind(rows: Iterable[CustomerPeriod], by: str, period: str, figure: str
                     ) -> list[tuple[str, int, float]]:
    """(customer, orders, revenue) behind a figure of ``period``: ``customers``,
    ``new``, ``retained``, ``customers_start`` or ``lost`` (the last two with the
    previous period's orders and revenue), biggest revenue first."""
    periods, first = _by_period(rows)
    empty = _Active({}, {})
    now, before = periods.get(period, empty), periods.get(previous_period(by, period), empty)
    if figure == "customers":
        chosen, source = list(now.orders), now
    elif figure == "new":
        chosen, source = [c for c in now.orders if first.get(c) == period], now
    elif figure == "retained":
        chosen, source = [c for c in now.orders if c in before.orders], now
    elif figure == "customers_start":
        chosen, source = list(before.orders), before
    elif figure == "lost":
        chosen, source = [c for c in before.orders if c not in now.orders], before
    else:
        raise ValueError(f"no customers behind {figure!r} (customers, new, retained, customers_start, lost)")
    found = [(c, source.orders[c], round(source.revenue[c], 2)) for c in chosen]
    return sorted(found, key=lambda item: (-item[2], item[0]))


# -- feedback and retention ------------------------------------------------------

def _nps_group(score: float) -> str:
    return "promoters" if score >= 9 else "passives" if score >= 7 else "detractors"


def _reply_bucket(created: str, replied: str | None) -> str:
    if not replied:
        return "never"
    hours = (datetime.fromisoformat(replied.replace("Z", "+00:00"))
             - datetime.fromisoformat(created.replace("Z", "+00:00"))).total_seconds() / 3600
    return "< 24 h" if hours < 24 else "1-7 days" if hours <= 24 * 7 else "later"


GROUPS: tuple[tuple[str, str], ...] = (
    ("nps", "promoters"), ("nps", "passives"), ("nps", "detractors"),
    ("csat", "satisfied"), ("csat", "unsatisfied"),
    ("stars", "4-5 stars"), ("stars", "1-2 stars"),
    ("negative reviews", "answered"), ("negative reviews", "not answered"),
    ("first reply", "< 24 h"), ("first reply", "1-7 days"), ("first reply", "later"), ("first reply", "never"),
)


def classify(feedback: Iterable[LinkedFeedback]) -> dict[tuple[str, str], dict[str, str]]:
    """Each group's customers, each with the date of the feedback that put them there.

    A customer counts once per question, by their first feedback of that kind
    in the window (their first NPS answer, their first rated review, their
    first review of 1-2 stars); CSAT 3 and 3-star reviews are in no group.
    """
    groups: dict[tuple[str, str], dict[str, str]] = {key: {} for key in GROUPS}
    seen: set[tuple[str, str]] = set()

    def put(question: str, group: str | None, customer: str, when: str) -> None:
        if group is None or (question, customer) in seen:
            return
        seen.add((question, customer))
        groups[(question, group)][customer] = when

    for item in feedback:  # oldest first
        score = item.score
        if score is None:
            continue
        if item.what == "nps":
            put("nps", _nps_group(score), item.customer, item.created_at)
        elif item.what == "csat":
            put("csat", "satisfied" if score >= 4 else "unsatisfied" if score <= 2 else None, item.customer,
                item.created_at)
        elif item.what == "review":
            put("stars", "4-5 stars" if score >= 4 else "1-2 stars" if score <= 2 else None, item.customer,
                item.created_at)
            if score <= 2:
                answered = "answered" if item.first_reply_at else "not answered"
                put("negative reviews", answered, item.customer, item.created_at)
                put("first reply", _reply_bucket(item.created_at, item.first_reply_at), item.customer,
                    item.created_at)
    return groups


def feedback_table(feedback: list[LinkedFeedback], purchases: Mapping[str, list[str]],
                   *, since: str | None = None) -> dict[str, Any]:
    """Retention and repeat purchase rate of each feedback group, with n and a 95 % margin.

    A customer of a group is retained when they bought again after the
    feedback that put them in it; repeat purchase means ≥ 2 purchases in the
    window. Below :data:`MIN_CUSTOMERS` a group shows its n and
    "not enough customers" instead of rates.
    """
    rows = []
    for (question, group), members in classify(feedback).items():
        n = len(members)
        retained = sum(1 for c, when in members.items()
                       if bisect_right(purchases.get(c, []), when) < len(purchases.get(c, [])))
        repeat = sum(1 for c in members if sum(1 for d in purchases.get(c, []) if not since or d >= since) >= 2)
        enough = n >= MIN_CUSTOMERS
        rows.append({
            "question": question, "group": group, "n": n, "retained": retained if enough else None,
            "retention": _pct(retained, n) if enough else None,
            "retention_margin": share_margin(n, retained) if enough else None,
            "repeat": repeat if enough else None,
            "repeat_purchase_rate": _pct(repeat, n) if enough else None,
            "repeat_margin": share_margin(n, repeat) if enough else None,
            "note": None if enough else "not enough customers",
        })
    linked = {item.customer for item in feedback}
    return {"linked_customers": len(linked), "min_customers": MIN_CUSTOMERS, "groups": rows}


# -- everything, for the CLI, the report and the screen ------------------------------

def _window(by: str, since: str | None, until: str | None, first: str, last: str) -> tuple[str, str]:
    """The window's first and last periods: from ``since`` but not before the first
    purchase (months before the shop's data would dilute purchases per year), to
    ``until`` even past the last purchase (months without purchases are real)."""
    start = max(period_of(by, since), first) if since else first
    end = period_of(by, _last_instant(until)) if until else last
    return start, end


def retention_card(store: Store, by: str = "month", *, since: str | None = None, until: str | None = None,
                   segment: str | None = None, source: str | None = None,
                   config_costs: Mapping[str, float] | None = None,
                   lifespan_years: float | None = None, feedback: bool = True) -> dict[str, Any]:
    """The ``retention --json`` document: periods, window (with clv), feedback, and segments when asked."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r} (expected {', '.join(PERIODS)})")
    card: dict[str, Any] = {"by": by, "periods": [], "window": window_figures([], [], by, lifespan_years)}
    if not queries.has_orders(store):
        card["feedback"] = feedback_table([], {})
        return card
    costs = {**(config_costs or {}), **queries.costs(store)}
    rows = queries.customer_periods(store, by, until=until, source=source)
    first, last = data_periods(rows)
    data_end = queries.last_order_at(store, until=until, source=source)
    card["data_end"] = data_end
    if first is not None and last is not None:
        window = _window(by, since, until, first, last)
        periods = period_figures(rows, by, window=window, costs=costs, data_end=data_end)
        card["periods"] = periods
        card["window"] = window_figures(rows, periods, by, lifespan_years)
    if segment:
        card["segment"] = segment
        card["segments"] = {}
        seg_rows = queries.customer_periods(store, by, until=until, segment=segment, source=source)
        grouped: dict[str, list[CustomerPeriod]] = defaultdict(list)
        for row in seg_rows:
            grouped[str(row.segment)].append(row)
        for value, part in sorted(grouped.items()):
            seg_first, seg_last = data_periods(part)
            assert seg_first and seg_last
            window = _window(by, since, until, seg_first, seg_last)
            periods = period_figures(part, by, window=window, data_end=data_end)
            card["segments"][value] = {"periods": periods, "window": window_figures(part, periods, by,
                                                                                     lifespan_years)}
    if feedback:
        linked = queries.linked_feedback(store, since=since, until=until)
        purchases = queries.purchase_dates(store, {item.customer for item in linked}, until=until)
        card["feedback"] = feedback_table(linked, purchases, since=since)
    return card


def orders_outside(store: Store, *, since: str | None, until: str | None,
                   source: str | None = None) -> tuple[str, str] | None:
    """The first and last order days when the window (``since`` to before ``until``) holds no
    order but the database has some: where to look instead. None otherwise."""
    if since is None and until is None:
        return None
    if queries.order_span(store, since=since, until=until, source=source) is not None:
        return None
    span = queries.order_span(store, source=source)
    return None if span is None else (span[0][:10], span[1][:10])


def window_words(since: str | None, until: str | None) -> str:
    """"between 2025-12-01 and 2026-11-30" for a window whose ``until`` is exclusive."""
    if until is not None and not until.endswith("T00:00:00Z"):  # --until with a time of day
        return f"from {since[:10]} to before {until}" if since else f"before {until}"
    last = None if until is None else (datetime.strptime(until[:10], "%Y-%m-%d") - timedelta(days=1)).date()
    if since and last:
        return f"between {since[:10]} and {last.isoformat()}"
    return f"from {since[:10]} on" if since else f"up to {last.isoformat() if last else ''}"


def data_periods(rows: list[CustomerPeriod]) -> tuple[str | None, str | None]:
    if not rows:
        return None, None
    labels = [row.period for row in rows]
    return min(labels), max(labels)
