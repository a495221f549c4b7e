"""Reports for a mail or a wiki: the dashboard's figures as Markdown, CSV or JSON.

The Markdown report has the cards (this period against the previous one,
with the significance rule of the dashboard), a trend table, a text sparkline
per metric, the reply effect and the breakdown by source.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from feedback_tui.margins import MIN_N, figure_digits, margin_figure, margin_text, n_text, too_few
from feedback_tui.text import markdown_cell
from feedback_tui.themes import LanguageThemes
from feedback_tui.trends import METRICS, interval_of, metric

SPARKS = "▁▂▃▄▅▆▇█"
TITLES = {"nps": "NPS", "csat": "CSAT %", "ces": "CES mean (1-7)", "sentiment": "Mean polarity",
          "ratings": "Stars mean (1-5)",
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


def _change(card: dict[str, Any], name: str) -> str:
    move = card["change"]
    if move["delta"] is None:
        return "—"
    delta = _fmt(move["delta"], figure_digits(name), sign=True)
    if move["significant"] is None:
        return f"{delta} ({move.get('reason') or 'no margin'})"
    return f"{delta} ({'significant' if move['significant'] else 'not significant'})"


def _figure(point: dict[str, Any], name: str) -> dict[str, Any]:
    value, margin, n = metric(point, name)
    return {"value": value, "margin": margin, "n": n, "interval": interval_of(point, name)}


def _margin_cell(name: str, figure: dict[str, Any]) -> str:
    """The ±95 % cell of a figure (``value``, ``margin``, ``interval``, ``n``): ``0.4``, ``<0.1``,
    the interval when a ± would misstate it, ``too few`` below the figure's minimum n, ``—``."""
    if figure.get("value") is not None and too_few(name, figure.get("n") or 0):
        return "too few"
    return margin_figure(figure.get("margin"), figure_digits(name), value=figure.get("value"),
                         interval=figure.get("interval"))


def render_markdown(figures: dict[str, Any], extra: list[str] | None = None) -> str:
    """The report; ``extra`` lines (the retention section, built in retention_report) go last."""
    trend = figures["trend"]
    first_card = next(iter(figures["cards"].values()))
    current, previous = first_card["period"], first_card["previous_period"] or "—"
    last = trend[-1]["period"]
    scope = ", ".join(f"{k}: {markdown_cell(v)}" for k, v in figures["filters"].items()) or "all feedback"
    lines = [
        f"# Customer feedback report, per {figures['period']}: {trend[0]['period']} to {last}",
        "",
        f"Scope: {scope}. Generated for {figures['today']}. A change is *significant* when both periods have at "
        f"least {figures['min_n']} answers and the change is larger than the 95 % margin of the difference; "
        f"a figure from fewer than {figures['min_n']} answers is marked *thin*. An NPS or a mean from fewer than "
        f"{MIN_N} answers has no margin (*too few*); a margin that a ± would misstate (at an edge of the scale, "
        "at small n) is written as its 95 % interval, [low, high].",
        "",
        f"## {current} against {previous}",
        "",
    ]
    # The cards are the window's last period (complete by default, or the one holding
    # --today): no period runs after it inside the window, so there is no "so far" column.
    lines += [f"| Figure | {current} | n | ±95 % | {previous} | Change | {len(trend)} {figures['period']}s ±95 % |",
              "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    for name in METRICS:
        card = figures["cards"][name]
        digits = figure_digits(name)
        thin = " *thin*" if card["thin"] and card["value"] is not None else ""  # no figure: nothing is thin
        sign = name in ("nps", "sentiment")
        total = card.get("window") or {}
        total_text = "—" if total.get("value") is None else _fmt(total["value"], digits, sign)
        if total.get("value") is not None and total.get("margin") is not None:
            total_text += f" {margin_text(name, total['margin'], value=total['value'], interval=total.get('interval'))}"
        elif total.get("value") is not None and too_few(name, total.get("n") or 0):
            total_text += f" ({n_text(name, total['n'])})"
        lines.append(f"| {TITLES[name]} | {_fmt(card['value'], digits, sign)}{thin} | {card['n']} | "
                     f"{_margin_cell(name, card)} | {_fmt(card['previous'], digits, sign)} | {_change(card, name)} "
                     f"| {total_text} |")
    lines += ["", "## Trend", "",
              "| Period | NPS | ±95 % | n | CSAT % | CES | Stars | Polarity | Reviews | Replied % | Median reply (h) "
              "| Within SLA % | Overdue |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for point in trend:
        lines.append(
            f"| {point['period']} | {_fmt(point['nps']['score'], 1, True)} | {_margin_cell('nps', _figure(point, 'nps'))} "
            f"| {point['nps']['n']} "
            f"| {_fmt(point['csat']['score'])} | {_fmt(point['ces']['mean'], 2)} | {_fmt(point['ratings']['mean'], 2)} "
            f"| {_fmt(point['sentiment']['mean_polarity'], 2)} | {point['responses']['reviews']} "
            f"| {_fmt(point['responses']['rate'])} | {_fmt(point['responses']['median_hours_to_reply'])} "
            f"| {_fmt(point['responses']['within_sla_rate'])} | {_fmt(point['responses']['overdue'], 0)} |")
    lines += ["", "## Sparklines", "", "```"]
    for name in METRICS:
        values = [metric(point, name)[0] for point in trend]
        known = [v for v in values if v is not None]
        ends = f"{_fmt(known[0], figure_digits(name))} → {_fmt(known[-1], figure_digits(name))}" if known else "no data"
        lines.append(f"{TITLES[name]:<22} {sparkline(values)}  {ends}")
    lines += ["```", "", "## Star ratings", ""]
    lines += _ratings_section(figures["window"]["ratings"], f"{len(trend)} {figures['period']}s")
    lines += ["", "## Replies per agent", ""]
    lines += _agents_section(figures.get("agents") or [])
    lines += ["", "## Reply effect", ""]
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
    if figures.get("themes") is not None:
        lines += ["", *themes_section(figures["themes"])]
    lines += extra or []
    return "\n".join(lines) + "\n"


def themes_section(block: dict[str, Any]) -> list[str]:
    """What negative reviews talk about (:mod:`feedback_tui.themes`): ``block`` holds the
    ``period``, the ``previous`` period's label (or None) and ``languages``: language -> LanguageThemes."""
    period, previous = block["period"], block.get("previous")
    lines = [f"## What negative reviews talk about, {period}", "",
             "The words and phrases most typical of the negative reviews (1-2★, or negative sentiment without "
             "stars) against the positive ones, ranked by log-odds with an informative prior. *% of negative*: "
             "of the period's negative reviews that contain it"
             + (f"; *change* in points against {previous}." if previous else "."), ""]
    languages: dict[str, LanguageThemes] = block["languages"]
    if not languages:
        return lines + ["No review with stars or sentiment in this period."]
    for language, result in languages.items():
        lines.append(f"### {markdown_cell(language)}: {result.n_negative} negative, {result.n_positive} positive "
                     f"reviews" + (f" ({result.previous_negative} negative in {previous})"
                                   if result.previous_negative is not None else ""))
        lines.append("")
        if result.read_negative is not None:
            lines += [f"A big period: ranked on a sample of {result.read_negative} negative reviews (and as many "
                      "positive ones at most), chosen by a fixed hash of their id; the counts marked ≈ are the "
                      "sample's shares of the whole period.", ""]
        if not result.enough:
            lines += ["Too few negative reviews for themes.", ""]
            continue
        if not result.themes:
            lines += ["No word or phrase stands out in the negative reviews.", ""]
            continue
        lines += [f"| Theme | Negative reviews | % of negative | {previous or 'Before'} | Change | Positive reviews |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for theme in result.themes:
            change = "—" if theme.change is None else f"{theme.change:+.0f} pts"
            before = "—" if theme.previous_negative is None else str(theme.previous_negative)
            about = "≈" if theme.estimated else ""
            lines.append(f"| {markdown_cell(theme.phrase)} | {about}{theme.negative} | {theme.share:.0f} % "
                         f"| {about if theme.previous_negative is not None else ''}{before} "
                         f"| {change} | {about}{theme.positive} |")
        lines.append("")
    return lines[:-1] if lines[-1] == "" else lines


def _ratings_section(ratings: dict[str, Any], scope: str) -> list[str]:
    """The star distribution of the window; half stars are counted in the star below."""
    if not ratings["n"]:
        return ["No review with a star rating in this window."]
    margin = "" if ratings["moe95"] is None else \
        f" {margin_text('ratings', ratings['moe95'], value=ratings['mean'], interval=ratings.get('ci95'))}"
    if too_few("ratings", ratings["n"]):
        margin = f" ({n_text('ratings', ratings['n'])})"
    lines = [f"{ratings['n']} rated reviews over the last {scope}: mean {ratings['mean']:.2f}★{margin} "
             f"(a half star is counted in the star below, 0.5 as 1).", "",
             "| Stars | Reviews | Share |", "| --- | ---: | ---: |"]
    for star in ("5", "4", "3", "2", "1"):
        count = ratings["distribution"][star]
        lines.append(f"| {star}★ | {count} | {100.0 * count / ratings['n']:.1f} % |")
    return lines


def _agents_section(agents: list[dict[str, Any]]) -> list[str]:
    """First replies per agent; ``platform`` stands for replies imported with an export."""
    if not agents:
        return ["No first reply in this window."]
    lines = ["| Agent | First replies | Median (h) | p90 (h) | Within SLA % | Open assigned |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in agents:
        r = row["responses"]
        lines.append(f"| {markdown_cell(str(row['segment']))} | {r['replied']} | {_fmt(r['median_hours_to_reply'])} "
                     f"| {_fmt(r['p90_hours_to_reply'])} | {_fmt(r['within_sla_rate'])} | {r['open_assigned']} |")
    return lines


CSV_COLUMNS: list[tuple[str, tuple[str, ...] | None]] = [
    ("period", None), ("nps", ("nps", "score")), ("nps_moe95", ("nps", "moe95")), ("nps_n", ("nps", "n")),
    ("promoters", ("nps", "promoters")), ("passives", ("nps", "passives")), ("detractors", ("nps", "detractors")),
    ("csat", ("csat", "score")), ("csat_n", ("csat", "n")), ("ces_mean", ("ces", "mean")),
    ("ces_normalized", ("ces", "normalized")), ("ces_n", ("ces", "n")), ("sentiment_n", ("sentiment", "n")),
    ("positive", ("sentiment", "positive")), ("neutral", ("sentiment", "neutral")),
    ("negative", ("sentiment", "negative")), ("mean_polarity", ("sentiment", "mean_polarity")),
    ("reviews", ("responses", "reviews")), ("replied", ("responses", "replied")),
    ("response_rate", ("responses", "rate")), ("positive_rate", ("responses", "positive_rate")),
    ("negative_rate", ("responses", "negative_rate")), ("median_hours_to_reply", ("responses", "median_hours_to_reply")),
    ("p90_hours_to_reply", ("responses", "p90_hours_to_reply")), ("within_sla_rate", ("responses", "within_sla_rate")),
    ("overdue", ("responses", "overdue")), ("ratings_n", ("ratings", "n")), ("ratings_mean", ("ratings", "mean")),
    ("ratings_moe95", ("ratings", "moe95")),
    *((f"stars_{star}", ("ratings", "distribution", star)) for star in ("1", "2", "3", "4", "5")),
]


def _cell(point: dict[str, Any], path: tuple[str, ...] | None) -> Any:
    if path is None:
        return point["period"]
    value: Any = point
    for key in path:
        value = value[key]
    return value


def render_csv(card: dict[str, Any]) -> str:
    """One row per period (the shape of ``score --json --by``), flattened."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for point in card.get("periods", []):
        writer.writerow([_cell(point, path) for _, path in CSV_COLUMNS])
    return buffer.getvalue()
