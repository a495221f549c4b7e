"""The report's retention section: the figures of the report's window, and feedback beside them.

Its own module so that :mod:`feedback_tui.reports` only appends the lines
(the report's other sections are built there). Empty when no order is stored:
a report of a team without orders says nothing of retention.
"""

from __future__ import annotations

from typing import Any

from feedback_tui.text import markdown_cell
from feedback_tui.margins import margin_text
from feedback_tui.retention import orders_outside, partial_note, retention_card, window_words
from feedback_tui.retention_clv import clv_sentence
from feedback_tui.store import Store


def _cell(value: Any, suffix: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}{suffix}" if isinstance(value, float) else f"{value}{suffix}"


def retention_section(store: Store, period: str, *, since: str | None, until: str | None,
                      config_costs: dict[str, float] | None = None,
                      lifespan_years: float | None = None) -> list[str]:
    """Markdown lines: a table per period, the window's clv with its inputs, the feedback groups."""
    by = period if period in ("month", "quarter") else "month"  # retention has no weeks
    outside = orders_outside(store, since=since, until=until)
    if outside:  # orders stored, none in the window: say where they are rather than a table of zeros
        return ["", f"## Retention (per {by})", "",
                f"No orders {window_words(since, until)}; the stored orders run from {outside[0]} to {outside[1]}."]
    card = retention_card(store, by, since=since, until=until, config_costs=config_costs,
                          lifespan_years=lifespan_years)
    if not card["periods"]:
        return []
    lines = ["", f"## Retention (per {by})", "",
             "| Period | S | E | N | Retained | crr | Retention | Churn | Orders | Revenue | AOV | RPR | Revenue churn |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for p in card["periods"]:
        label = f"{p['period']} (partial)" if p.get("partial") else p["period"]
        lines.append(f"| {label} | {_cell(p['customers_start'])} | {p['customers']} | {p['new']} | "
                     f"{_cell(p['retained'])} | {_cell(p['crr'], ' %')} | {_cell(p['retention'], ' %')} | "
                     f"{_cell(p['churn'], ' %')} | {p['orders']} | {_cell(p['revenue'])} | {_cell(p['aov'])} | "
                     f"{_cell(p['repeat_purchase_rate'], ' %')} | {_cell(p['revenue_churn'], ' %')} |")
    w = card["window"]
    if note := partial_note(card):
        lines += ["", f"{note}."]
    lines += ["", f"Customer lifetime value: {clv_sentence(w)}. Over the window its {w['customers']} customers "
                  f"spent {_cell(w['revenue_per_customer'])} each."]
    groups = [g for g in card["feedback"]["groups"] if g["n"]]
    if groups:
        lines += ["", "| Feedback | Group | n | Retention | Repeat purchase |", "| --- | --- | ---: | ---: | ---: |"]
        for g in groups:
            if g["note"]:
                lines.append(f"| {markdown_cell(g['question'])} | {markdown_cell(g['group'])} | {g['n']} | "
                             f"{g['note']} | — |")
            else:
                lines.append(f"| {markdown_cell(g['question'])} | {markdown_cell(g['group'])} | {g['n']} | "
                             f"{g['retention']:.1f} % {margin_text('retention', g['retention_margin'])} | "
                             f"{g['repeat_purchase_rate']:.1f} % {margin_text('retention', g['repeat_margin'])} |")
    return lines
