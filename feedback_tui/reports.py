"""Reports for a mail or a wiki: the dashboard's figures as Markdown, CSV or JSON.

The Markdown report has the cards (this period against the previous one,
with the significance rule of the dashboard), a trend table, a text sparkline
per metric, the reply effect and the breakdown by source.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from feedback_tui.text import markdown_cell
from feedback_tui.trends import METRICS, metric

SPARKS = "▁▂▃▄▅▆▇█"
TITLES = {"nps": "NPS", "csat": "CSAT %", "ces": "CES mean (1-7)", "sentiment": "Mean polarity",
          "response_rate": "Response rate %", "reply_hours": "Median hours to reply"}


def sparkline(values: list[float | None]) -> str:
    """▁▂▃▄▅▆▇█ scaled between the smallest and largest value; a gap is a space."""
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = high - low
    chars = []
    for value in values:
        if value is None:
            chars.append(" ")
        else:
            index = 0 if span == 0 else round((value - low) / span * (len(SPARKS) - 1))
            chars.append(SPARKS[index])
    return "".join(chars)


def _fmt(value: Any, digits: int = 1, sign: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _digits(name: str) -> int:
    return 2 if name in ("sentiment", "ces") else 1


def _change(card: dict[str, Any], name: str) -> str:
    move = card["change"]
    if move["delta"] is None:
        return "—"
    delta = _fmt(move["delta"], _digits(name), sign=True)
    if move["significant"] is None:
        return f"{delta} (no margin)"
    return f"{delta} ({'significant' if move['significant'] else 'not significant'})"


def render_markdown(figures: dict[str, Any]) -> str:
    trend = figures["trend"]
    current, previous = trend[-1]["period"], trend[-2]["period"] if len(trend) > 1 else "—"
    scope = ", ".join(f"{k}: {markdown_cell(v)}" for k, v in figures["filters"].items()) or "all feedback"
    lines = [
        f"# Customer feedback report, per {figures['period']}: {trend[0]['period']} to {current}",
        "",
        f"Scope: {scope}. Generated for {figures['today']}. A change is *significant* when it is larger than "
        f"the 95 % margin of the difference; a figure from fewer than {figures['min_n']} answers is marked *thin*.",
        "",
        f"## {current} against {previous}",
        "",
        f"| Figure | {current} | n | ±95 % | {previous} | Change |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in METRICS:
        card = figures["cards"][name]
        digits = _digits(name)
        thin = " *thin*" if card["thin"] else ""
        sign = name in ("nps", "sentiment")
        lines.append(f"| {TITLES[name]} | {_fmt(card['value'], digits, sign)}{thin} | {card['n']} | "
                     f"{_fmt(card['margin'], digits)} | {_fmt(card['previous'], digits, sign)} | {_change(card, name)} |")
    lines += ["", "## Trend", "",
              "| Period | NPS | ±95 % | n | CSAT % | CES | Polarity | Reviews | Replied % | Median reply (h) |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for point in trend:
        lines.append(
            f"| {point['period']} | {_fmt(point['nps']['score'], 1, True)} | {_fmt(point['nps']['moe95'])} | {point['nps']['n']} "
            f"| {_fmt(point['csat']['score'])} | {_fmt(point['ces']['mean'], 2)} "
            f"| {_fmt(point['sentiment']['mean_polarity'], 2)} | {point['responses']['reviews']} "
            f"| {_fmt(point['responses']['rate'])} | {_fmt(point['responses']['median_hours_to_reply'])} |")
    lines += ["", "## Sparklines", "", "```"]
    for name in METRICS:
        values = [metric(point, name)[0] for point in trend]
        known = [v for v in values if v is not None]
        ends = f"{_fmt(known[0], _digits(name))} → {_fmt(known[-1], _digits(name))}" if known else "no data"
        lines.append(f"{TITLES[name]:<22} {sparkline(values)}  {ends}")
    lines += ["```", "", "## Reply effect", ""]
    effect = figures["reply_effect"]["overall"]
    if effect["n"]:
        lines.append(f"{effect['n']} reviews were edited by their author after a reply: mean rating change "
                     f"{effect['mean_rating_change']:+.2f}★ ({effect['raised']} raised, {effect['lowered']} lowered).")
    else:
        lines.append("No review was edited by its author after a reply in this window.")
    lines += ["", "## By source", "", "| Source | NPS | n | CSAT % | CES | Polarity | Reviews | Replied % |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in figures["segments"]["source"]:
        lines.append(f"| {markdown_cell(row['segment'])} | {_fmt(row['nps']['score'], 1, True)} | {row['nps']['n']} "
                     f"| {_fmt(row['csat']['score'])} | {_fmt(row['ces']['mean'], 2)} "
                     f"| {_fmt(row['sentiment']['mean_polarity'], 2)} | {row['responses']['reviews']} "
                     f"| {_fmt(row['responses']['rate'])} |")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = [
    ("period", None), ("nps", ("nps", "score")), ("nps_moe95", ("nps", "moe95")), ("nps_n", ("nps", "n")),
    ("promoters", ("nps", "promoters")), ("passives", ("nps", "passives")), ("detractors", ("nps", "detractors")),
    ("csat", ("csat", "score")), ("csat_n", ("csat", "n")), ("ces_mean", ("ces", "mean")),
    ("ces_normalized", ("ces", "normalized")), ("ces_n", ("ces", "n")), ("sentiment_n", ("sentiment", "n")),
    ("positive", ("sentiment", "positive")), ("neutral", ("sentiment", "neutral")),
    ("negative", ("sentiment", "negative")), ("mean_polarity", ("sentiment", "mean_polarity")),
    ("reviews", ("responses", "reviews")), ("replied", ("responses", "replied")),
    ("response_rate", ("responses", "rate")), ("positive_rate", ("responses", "positive_rate")),
    ("negative_rate", ("responses", "negative_rate")), ("median_hours_to_reply", ("responses", "median_hours_to_reply")),
]


def render_csv(card: dict[str, Any]) -> str:
    """One row per period (the shape of ``score --json --by``), flattened."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for point in card.get("periods", []):
        writer.writerow([point["period"] if path is None else point[path[0]][path[1]] for _, path in CSV_COLUMNS])
    return buffer.getvalue()
