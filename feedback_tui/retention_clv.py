"""The customer lifetime value (valeur vie client) and the sentence that shows it.

clv = aov × purchases per customer per year × lifespan in years, the seed's formula, with every
input over one *year*, whatever the periods a report is shown in: Y = the 12 months (4 quarters,
1 year) ending with the window's last period, Y−1 the year before it.

- aov = revenue ÷ purchases in Y; purchases per customer per year = purchases ÷ customers of Y;
- yearly churn = customers of Y−1 who bought nothing in Y ÷ customers of Y−1;
- lifespan = 1 ÷ yearly churn (or ``[retention] lifespan_years``);

so clv = revenue per customer of Y ÷ yearly churn: never less than a year of an active
customer's purchases (the churn is at most 100 %).

Why a year: the lifespan used to be a period ÷ the mean churn of the window's periods. A month
without a purchase is not a lost customer: on the UCI Online Retail sample 62-67 % of a month's
customers buy nothing the next month, which gave a lifespan of 0.13 years, and the purchases per
year (over the whole window) counted the same gaps a second time: the clv was 12 % of what the
window's customers had already spent. A customer who buys every quarter is still one a year later;
the yearly churn counts only those who are not.

No clv (``clv_note`` says why) without a year of purchases before Y (no one to lose), or when no
one was lost (1 ÷ 0 is no lifespan: ``lifespan_years`` gives one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from feedback_tui.store.retention import CustomerPeriod


def clv_figures(rows: Iterable[CustomerPeriod], year: list[str], before: set[str],
                lifespan_years: float | None = None) -> dict[str, Any]:
    """The clv and its inputs over the year Y (``year``: its periods, oldest first) and the
    year before it (``before``), from every purchase up to Y's end (``rows``).

    ``clv_note`` says why there is no clv: no purchase in Y, nobody to lose in Y−1, or
    nobody lost (a lifespan of 1 ÷ 0 is no figure: set ``lifespan_years``).
    """
    empty = {"clv_year": None, "clv_aov": None, "purchases_per_customer_per_year": None,
             "year_customers_start": None, "year_lost": None, "year_churn": None,
             "lifespan_years": lifespan_years, "lifespan_from": "config" if lifespan_years else None,
             "clv": None, "clv_note": "no purchase"}
    if not year:
        return empty
    in_year = set(year)
    orders = revenue = 0.0
    active: set[str] = set()
    previous: set[str] = set()
    first_period = None
    for row in rows:
        first_period = row.period if first_period is None or row.period < first_period else first_period
        if row.period in in_year:
            orders += row.orders
            revenue += row.revenue
            active.add(row.customer)
        elif row.period in before:
            previous.add(row.customer)
    figures = {**empty, "clv_year": [year[0], year[-1]], "clv_note": None,
               "year_customers_start": len(previous), "year_lost": len(previous - active)}
    if not orders:
        return {**figures, "clv_note": f"no purchase in {year[0]} to {year[-1]}"}
    figures["clv_aov"] = round(revenue / orders, 2)
    figures["purchases_per_customer_per_year"] = round(orders / len(active), 4)
    if previous:
        figures["year_churn"] = round(len(previous - active) / len(previous) * 100.0, 2)
    if not lifespan_years:
        if first_period is None or first_period > year[0] or not previous:
            return {**figures, "clv_note": f"a yearly churn needs orders before {year[0]}"}
        if not previous - active:
            return {**figures, "clv_note": "no customer lost over a year: the lifespan is unknown"}
        lifespan_years = len(previous) / len(previous - active)
        figures["lifespan_from"] = "year_churn"
    elif first_period is not None and first_period > year[0]:
        return {**figures, "clv_note": f"less than a year of orders: they start after {year[0]}"}
    figures["lifespan_years"] = round(lifespan_years, 4)
    figures["clv"] = round(revenue / orders * orders / len(active) * lifespan_years, 2)
    return figures


def clv_sentence(window: dict[str, Any], times: str = "×", short: bool = False) -> str:
    """The clv with every input, as the CLI, the report and (``short``: one line of a
    screen's title) the Retention screen write it."""
    def cell(value: Any, suffix: str = "") -> str:
        return "—" if value is None else (f"{value:,.2f}{suffix}" if isinstance(value, float) else f"{value}{suffix}")

    if window.get("clv") is None:
        return f"clv — ({window.get('clv_note') or 'no purchase'})"
    if short:
        return (f"clv {cell(window['clv'])} = aov {cell(window['clv_aov'])} {times} "
                f"{cell(window['purchases_per_customer_per_year'])}/year {times} {cell(window['lifespan_years'])} years")
    first, last = window["clv_year"]
    span = first if first == last else f"{first} to {last}"
    lifespan = (f"{cell(window['lifespan_years'])} years ([retention] lifespan_years)"
                if window["lifespan_from"] == "config" else
                f"{cell(window['lifespan_years'])} years (1 / yearly churn {cell(window['year_churn'], ' %')}: "
                f"{window['year_lost']} of the year before's {window['year_customers_start']} customers lost)")
    return (f"clv {cell(window['clv'])} = aov {cell(window['clv_aov'])} {times} "
            f"{cell(window['purchases_per_customer_per_year'])} purchases per customer in {span} {times} "
            f"lifespan {lifespan}")
