"""Customer scores from counts: NPS, CSAT, CES, sentiment mix, response rates.

The pure functions here take counts and return figures, so they are checked
against values computed by hand. :func:`scorecard` asks the store for the SQL
aggregates and assembles the shape printed by ``score --json``:

``{"nps": {"score", "n", "promoters", "passives", "detractors", "moe95"},
"csat": {"score", "n", "satisfied"}, "ces": {"mean", "normalized", "n"},
"sentiment": {"n", "positive", "neutral", "negative", "mean_polarity"},
"responses": {"reviews", "replied", "rate", "positive_rate", "negative_rate",
"median_hours_to_reply"}}``

Scores and rates are rounded to one decimal, mean polarity to three. A figure
with no data behind it (n = 0) is ``None`` (JSON ``null``), never 0.
"""

from __future__ import annotations

import math
from typing import Any

from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store import aggregates, grouping, rollups

Z95 = 1.96
CES_OPTIONS = 7
DEFAULT_SLA_HOURS = 24.0


def round1(value: float | None) -> float | None:
    return None if value is None else round(value + 0.0, 1)


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def nps(n: int, promoters: int, detractors: int) -> dict[str, Any]:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6).

    The 95 % margin of error, in points, is 1.96·√((p + d − (p − d)²)/n) with
    p and d the promoter and detractor shares: the standard error of a
    difference of two shares of one multinomial sample.
    """
    if n == 0:
        return {"score": None, "n": 0, "promoters": 0, "passives": 0, "detractors": 0, "moe95": None}
    p, d = promoters / n, detractors / n
    moe = Z95 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n) * 100.0
    return {
        "score": round1((p - d) * 100.0),
        "n": n,
        "promoters": promoters,
        "passives": n - promoters - detractors,
        "detractors": detractors,
        "moe95": round1(moe),
    }


def csat(n: int, satisfied: int) -> dict[str, Any]:
    """CSAT: % of answers 4 or 5 on a 1-5 scale."""
    return {"score": round1(percent(satisfied, n)), "n": n, "satisfied": satisfied}


def share_margin(n: int, part: int) -> float | None:
    """95 % margin of error, in points, of a share such as CSAT or a response rate."""
    if n == 0:
        return None
    share = part / n
    return round1(Z95 * math.sqrt(share * (1 - share) / n) * 100.0)


def ces(n: int, total: int, options: int = CES_OPTIONS) -> dict[str, Any]:
    """CES: the mean on 1-7 and the normalised ((sum / n) / options) × 100."""
    if n == 0:
        return {"mean": None, "normalized": None, "n": 0}
    mean = total / n
    return {"mean": round1(mean), "normalized": round1(mean / options * 100.0), "n": n}


def mean_margin(n: int, total: float, squares: float) -> float | None:
    """95 % margin of a mean (CES, polarity) from n, Σx and Σx²."""
    if n < 2:
        return None
    variance = max((squares - total * total / n) / (n - 1), 0.0)
    return Z95 * math.sqrt(variance / n)


def sentiment_mix(n: int, positive: int, neutral: int, negative: int, mean_polarity: float | None) -> dict[str, Any]:
    """Counts of positive / neutral / negative texts and their mean polarity."""
    return {
        "n": n,
        "positive": positive,
        "neutral": neutral,
        "negative": negative,
        "mean_polarity": None if n == 0 or mean_polarity is None else round(mean_polarity, 3),
    }


def responses(counts: dict[str, Any] | None, hours: dict[str, float] | None,
              sla_hours: float = DEFAULT_SLA_HOURS) -> dict[str, Any]:
    """Response rate overall and for positive and negative reviews, reply times, SLA."""
    c = counts or {}
    h = hours or {}
    n, replied = int(c.get("n") or 0), int(c.get("replied") or 0)
    positive, negative = int(c.get("positive") or 0), int(c.get("negative") or 0)
    return {
        "reviews": n,
        "replied": replied,
        "rate": round1(percent(replied, n)),
        "positive_rate": round1(percent(int(c.get("positive_replied") or 0), positive)),
        "negative_rate": round1(percent(int(c.get("negative_replied") or 0), negative)),
        "median_hours_to_reply": round1(h.get("median")),
        "p90_hours_to_reply": round1(h.get("p90")),
        "sla_hours": sla_hours,
        "within_sla_rate": round1(percent(int(h.get("within_sla") or 0), n)),
    }


def _by_group(rows: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {row["grp"]: row for row in rows}


def _figures(group: Any, surveys: dict[tuple[Any, str], dict[str, Any]], sentiment: dict[Any, dict[str, Any]],
             replies: dict[Any, dict[str, Any]], hours: dict[Any, dict[str, float]], with_margins: bool = False,
             sla_hours: float = DEFAULT_SLA_HOURS) -> dict[str, Any]:
    def survey(kind: str) -> dict[str, Any]:
        return surveys.get((group, kind)) or {}

    n_nps, n_csat, n_ces = (int(survey(k).get("n") or 0) for k in ("nps", "csat", "ces"))
    s = sentiment.get(group) or {}
    figures = {
        "nps": nps(n_nps, int(survey("nps").get("top") or 0), int(survey("nps").get("low") or 0)),
        "csat": csat(n_csat, int(survey("csat").get("satisfied") or 0)),
        "ces": ces(n_ces, int(survey("ces").get("total") or 0)),
        "sentiment": sentiment_mix(int(s.get("n") or 0), int(s.get("positive") or 0), int(s.get("neutral") or 0),
                                   int(s.get("negative") or 0), s.get("mean_polarity")),
        "responses": responses(replies.get(group), hours.get(group), sla_hours),
    }
    if with_margins:
        r = replies.get(group) or {}
        ces_margin = mean_margin(n_ces, float(survey("ces").get("total") or 0), float(survey("ces").get("total_squares") or 0))
        polarity_margin = mean_margin(int(s.get("n") or 0), float(s.get("polarity_total") or 0),
                                      float(s.get("polarity_squares") or 0))
        figures["margins"] = {
            "csat": share_margin(n_csat, int(survey("csat").get("satisfied") or 0)),
            "ces_mean": round(ces_margin, 2) if ces_margin is not None else None,
            "mean_polarity": round(polarity_margin, 3) if polarity_margin is not None else None,
            "response_rate": share_margin(int(r.get("n") or 0), int(r.get("replied") or 0)),
        }
    return figures


def _grouped(store: Store, filters: Filters, by: str | None, with_margins: bool = False,
             sla_hours: float = DEFAULT_SLA_HOURS, reply_times: bool = True) -> dict[Any, dict[str, Any]]:
    fast = rollups.refresh_for(store, filters)
    surveys = {(row["grp"], row["kind"]): row for row in aggregates.survey_counts(store, filters, by, rollup=fast)}
    sentiment = _by_group(aggregates.sentiment_counts(store, filters, by, rollup=fast))
    replies = _by_group(aggregates.response_counts(store, filters, by, rollup=fast))
    # Medians add up daily histograms and then read a few replied reviews: still
    # skipped when the caller does not show them, such as the dashboard's breakdown table.
    hours = aggregates.reply_hours(store, filters, by, sla_hours, rollup=fast) if reply_times else {}
    groups = {g for g, _ in surveys} | set(sentiment) | set(replies)
    return {g: _figures(g, surveys, sentiment, replies, hours, with_margins, sla_hours) for g in groups}


def empty_figures(with_margins: bool = False) -> dict[str, Any]:
    """The figures of a group with no data at all (every score ``None``)."""
    return _figures(None, {}, {}, {}, {}, with_margins)


def agent_responses(row: dict[str, Any], sla_hours: float) -> dict[str, Any]:
    """One agent's first replies: how many, how fast, how many within the SLA."""
    replied = int(row.get("replied") or 0)
    return {
        "replied": replied,
        "median_hours_to_reply": round1(row.get("median")),
        "p90_hours_to_reply": round1(row.get("p90")),
        "sla_hours": sla_hours,
        "within_sla_rate": round1(percent(int(row.get("within_sla") or 0), replied)),
    }


def scorecard(store: Store, filters: Filters | None = None, *, by: str | None = None,
              segment: str | None = None, with_margins: bool = False,
              sla_hours: float = DEFAULT_SLA_HOURS, reply_times: bool = True,
              overall_reply_times: bool = True) -> dict[str, Any]:
    """Every score overall; ``by`` adds ``periods``, ``segment`` adds ``segments``.

    ``with_margins`` adds a ``margins`` object to each group (the dashboard's
    significance tests); ``score --json`` leaves it out. ``segment="agent"``
    gives, per agent who answered first, only the ``responses`` figures
    (its ``within_sla_rate`` is a share of that agent's replies). Without
    ``reply_times``, median, p90 and SLA figures are left ``None`` (cheaper);
    without ``overall_reply_times``, only the overall ones are (the dashboard
    shows reply times per period, and over a whole year the exact median is the
    costliest figure to read).
    """
    filters = filters or Filters()
    overall = _grouped(store, filters, None, with_margins, sla_hours, reply_times and overall_reply_times).get(None) \
        or empty_figures(with_margins)
    result: dict[str, Any] = dict(overall)
    if by:
        if by not in grouping.PERIODS:
            raise ValueError(f"unknown period {by!r}")
        grouped = _grouped(store, filters, by, with_margins, sla_hours, reply_times)
        result["periods"] = [{"period": key, **grouped[key]} for key in sorted(k for k in grouped if k is not None)]
    if segment == "agent":
        result["segments"] = [{"segment": row["agent"], "responses": agent_responses(row, sla_hours)}
                              for row in aggregates.responses_by_agent(store, filters, sla_hours)]
    elif segment:
        if segment not in grouping.SEGMENTS:
            raise ValueError(f"unknown segment {segment!r}")
        grouped = _grouped(store, filters, segment, with_margins, sla_hours, reply_times)
        result["segments"] = [{"segment": key, **grouped[key]} for key in sorted(k for k in grouped if k is not None)]
    return result
