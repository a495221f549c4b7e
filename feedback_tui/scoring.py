"""Customer scores from counts: NPS, CSAT, CES, sentiment mix, response rates.

The pure functions here take counts and return figures, so they are checked
against values computed by hand. :func:`scorecard` asks the store for the SQL
aggregates and assembles the shape printed by ``score --json``:

``{"nps": {"score", "n", "promoters", "passives", "detractors", "moe95", "ci95"},
"csat": {"score", "n", "satisfied"}, "ces": {"mean", "normalized", "n"},
"sentiment": {"n", "positive", "neutral", "negative", "mean_polarity"},
"responses": {"reviews", "replied", "rate", "positive_rate", "negative_rate",
"median_hours_to_reply"}}``

Scores and rates are rounded to one decimal, the CES and star means to two, mean polarity to three. A figure
with no data behind it (n = 0) is ``None`` (JSON ``null``), never 0.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from feedback_tui import margins
from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store import aggregates, grouping, rollups

Z95 = margins.Z95
CES_OPTIONS = 7
# The normalised CES, ((sum / n) / options) × 100, is the product's definition: it runs from
# 100 / 7 = 14.3 (every answer 1), not from 0, to 100 (every answer 7). Its labels say so.
CES_NORMALIZED_LOW = round(100 / CES_OPTIONS)
STARS = ("1", "2", "3", "4", "5")
DEFAULT_SLA_HOURS = 24.0


def round1(value: float | None) -> float | None:
    return None if value is None else round(value + 0.0, 1)


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def nps(n: int, promoters: int, detractors: int) -> dict[str, Any]:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6).

    ``moe95`` is the half-width of Rocks' adjusted Wald interval
    (:func:`feedback_tui.margins.nps_margin`): never 0, never wider than the scale;
    ``ci95`` the interval, clipped to ±100. Both ``None`` below ``margins.MIN_N`` answers.
    """
    if n == 0:
        return {"score": None, "n": 0, "promoters": 0, "passives": 0, "detractors": 0, "moe95": None,
                "ci95": None}
    interval = margins.nps_interval(n, promoters, detractors)
    p, d = promoters / n, detractors / n
    return {
        "score": round1((p - d) * 100.0),
        "n": n,
        "promoters": promoters,
        "passives": n - promoters - detractors,
        "detractors": detractors,
        "moe95": margins.nps_margin(n, promoters, detractors),
        "ci95": None if interval is None else interval.rounded(1),
    }


def csat(n: int, satisfied: int) -> dict[str, Any]:
    """CSAT: % of answers 4 or 5 on a 1-5 scale."""
    return {"score": round1(percent(satisfied, n)), "n": n, "satisfied": satisfied}


def share_margin(n: int, part: int) -> float | None:
    """95 % margin, in points, of a share such as CSAT or a response rate (Wilson)."""
    return margins.share_margin(n, part)


def ces(n: int, total: float, options: int = CES_OPTIONS) -> dict[str, Any]:
    """CES: the mean on 1-7 (two decimals, as the star mean: the dashboard writes two) and the
    normalised ((sum / n) / options) × 100, which runs from 100 / options (14.3 on 1-7) to 100.

    ``total`` is a float: an answer asked on another scale counts in
    proportion (``store.rollups.SURVEY_POINTS``), and ``int()`` would drop
    its fraction."""
    if n == 0:
        return {"mean": None, "normalized": None, "n": 0}
    mean = total / n
    return {"mean": round(mean, 2), "normalized": round1(mean / options * 100.0), "n": n}


def mean_margin(n: int, total: float, squares: float, low: float | None = None,
                high: float | None = None) -> float | None:
    """95 % margin of a mean (CES, stars, polarity) from n, Σx and Σx²."""
    return margins.mean_margin(n, total, squares, low, high)


def ratings(row: dict[str, Any] | None) -> dict[str, Any]:
    """Star ratings: how many, their mean (1-5) with its margin (``moe95``, and the
    interval ``ci95``, clipped to 1-5; none below ``margins.MIN_N``), and the count per star.

    Half stars (4.5) are in the mean as they are and in the distribution rounded
    down (4.5 counts as a 4).
    """
    r = row or {}
    n = int(r.get("n") or 0)
    distribution = {star: int(r.get(f"s{star}") or 0) for star in STARS}
    if n == 0:
        return {"n": 0, "mean": None, "moe95": None, "ci95": None, "distribution": distribution}
    total, squares = float(r.get("total") or 0), float(r.get("squares") or 0)
    margin = margins.mean_margin(n, total, squares, 1.0, 5.0)
    interval = margins.mean_interval(n, total, squares, 1.0, 5.0)
    return {"n": n, "mean": round(total / n, 2), "moe95": None if margin is None else round(margin, 2),
            "ci95": None if interval is None else interval.rounded(2), "distribution": distribution}


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
              sla_hours: float = DEFAULT_SLA_HOURS, overdue: int | None = None) -> dict[str, Any]:
    """Response rate overall and for positive and negative reviews, reply times, SLA.

    ``within_sla_rate`` is first replies within the SLA ÷ reviews that got a first
    reply (the same definition per period and per agent). Unanswered reviews are
    not in it: those older than the SLA are the separate ``overdue`` count, and
    younger ones are counted nowhere (they are not late yet).
    """
    c = counts or {}
    h = hours or {}
    n, replied = int(c.get("n") or 0), int(c.get("replied") or 0)
    positive, negative = int(c.get("positive") or 0), int(c.get("negative") or 0)
    within = h.get("within_sla")
    return {
        "reviews": n,
        "replied": replied,
        "rate": round1(percent(replied, n)),
        "positive_rate": round1(percent(int(c.get("positive_replied") or 0), positive)),
        "negative_rate": round1(percent(int(c.get("negative_replied") or 0), negative)),
        "median_hours_to_reply": round1(h.get("median")),
        "p90_hours_to_reply": round1(h.get("p90")),
        "sla_hours": sla_hours,
        "within_sla_rate": None if within is None else round1(percent(int(within), replied)),
        "overdue": overdue,
    }


def _by_group(rows: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {row["grp"]: row for row in rows}


def _figures(group: Any, surveys: dict[tuple[Any, str], dict[str, Any]], sentiment: dict[Any, dict[str, Any]],
             replies: dict[Any, dict[str, Any]], hours: dict[Any, dict[str, float]], with_margins: bool = False,
             sla_hours: float = DEFAULT_SLA_HOURS, stars: dict[Any, dict[str, Any]] | None = None,
             overdue: dict[Any, int] | None = None) -> dict[str, Any]:
    def survey(kind: str) -> dict[str, Any]:
        return surveys.get((group, kind)) or {}

    n_nps, n_csat, n_ces = (int(survey(k).get("n") or 0) for k in ("nps", "csat", "ces"))
    s = sentiment.get(group) or {}
    figures = {
        "nps": nps(n_nps, int(survey("nps").get("top") or 0), int(survey("nps").get("low") or 0)),
        "csat": csat(n_csat, int(survey("csat").get("satisfied") or 0)),
        "ces": ces(n_ces, float(survey("ces").get("total") or 0)),
        "sentiment": sentiment_mix(int(s.get("n") or 0), int(s.get("positive") or 0), int(s.get("neutral") or 0),
                                   int(s.get("negative") or 0), s.get("mean_polarity")),
        "ratings": ratings((stars or {}).get(group)),
        "responses": responses(replies.get(group), hours.get(group), sla_hours,
                               None if overdue is None else overdue.get(group, 0)),
    }
    if with_margins:
        r = replies.get(group) or {}
        satisfied, replied, n_reviews = int(survey("csat").get("satisfied") or 0), int(r.get("replied") or 0), \
            int(r.get("n") or 0)
        ces_sums = (float(survey("ces").get("total") or 0), float(survey("ces").get("total_squares") or 0))
        polarity_sums = (float(s.get("polarity_total") or 0), float(s.get("polarity_squares") or 0))
        ces_margin = mean_margin(n_ces, *ces_sums, 1.0, float(CES_OPTIONS))
        polarity_margin = mean_margin(int(s.get("n") or 0), *polarity_sums)
        figures["margins"] = {
            "csat": share_margin(n_csat, satisfied),
            "ces_mean": round(ces_margin, 2) if ces_margin is not None else None,
            "mean_polarity": round(polarity_margin, 3) if polarity_margin is not None else None,
            "response_rate": share_margin(n_reviews, replied),
        }
        # the intervals the text writes when a ± would misstate them (margins.lopsided)
        intervals = {
            "csat": margins.wilson(n_csat, satisfied),
            "ces_mean": margins.mean_interval(n_ces, *ces_sums, 1.0, float(CES_OPTIONS)),
            "mean_polarity": margins.mean_interval(int(s.get("n") or 0), *polarity_sums, -1.0, 1.0, pseudo=False),
            "response_rate": margins.wilson(n_reviews, replied),
        }
        # in the figure's own decimals, so that the text writes them without rounding twice
        digits = {"csat": 1, "ces_mean": 2, "mean_polarity": 3, "response_rate": 1}
        figures["intervals"] = {key: None if value is None else value.rounded(digits[key])
                                for key, value in intervals.items()}
    return figures


def _grouped(store: Store, filters: Filters, by: str | None, with_margins: bool = False,
             sla_hours: float = DEFAULT_SLA_HOURS, reply_times: bool = True,
             overdue_before: str | None = None, stars: bool = True,
             hours: dict[Any, dict[str, Any]] | None = None) -> dict[Any, dict[str, Any]]:
    """Every figure of each group of ``by``; ``hours`` the reply times when the caller
    has read them already (see :func:`scorecard`)."""
    fast = rollups.refresh_for(store, filters)
    surveys = {(row["grp"], row["kind"]): row for row in aggregates.survey_counts(store, filters, by, rollup=fast)}
    sentiment = _by_group(aggregates.sentiment_counts(store, filters, by, rollup=fast))
    replies = _by_group(aggregates.response_counts(store, filters, by, rollup=fast))
    # Medians add up daily histograms and then read a few replied reviews: still
    # skipped when the caller does not show them, such as the dashboard's breakdown table.
    if hours is None:
        hours = aggregates.reply_hours(store, filters, by, sla_hours, rollup=fast) if reply_times else {}
    stars = {row["grp"]: row for row in aggregates.rating_counts(store, filters, by, rollup=fast)} \
        if stars and (by is None or by in grouping.PERIODS or by in grouping.SEGMENTS) else {}
    overdue = aggregates.overdue_counts(store, filters, by, overdue_before, rollup=fast) \
        if overdue_before else None
    groups = {g for g, _ in surveys} | set(sentiment) | set(replies) | set(stars)
    return {g: _figures(g, surveys, sentiment, replies, hours, with_margins, sla_hours, stars, overdue)
            for g in groups}


def empty_figures(with_margins: bool = False) -> dict[str, Any]:
    """The figures of a group with no data at all (every score ``None``)."""
    return _figures(None, {}, {}, {}, {}, with_margins, overdue={})


def agent_responses(row: dict[str, Any], sla_hours: float, open_assigned: int = 0) -> dict[str, Any]:
    """One agent's first replies: how many, how fast, the share within the SLA
    (÷ that agent's first replies, as everywhere), and what is still assigned to them."""
    replied = int(row.get("replied") or 0)
    return {
        "replied": replied,
        "median_hours_to_reply": round1(row.get("median")),
        "p90_hours_to_reply": round1(row.get("p90")),
        "sla_hours": sla_hours,
        "within_sla_rate": round1(percent(int(row.get("within_sla") or 0), replied)),
        "open_assigned": open_assigned,
    }


def agents(store: Store, filters: Filters, sla_hours: float = DEFAULT_SLA_HOURS) -> list[dict[str, Any]]:
    """Per agent (``platform`` for replies that came with an export): first replies,
    their median and p90 hours, SLA share, and the reviews still assigned to them."""
    assigned = aggregates.open_assigned(store, filters)
    rows = [{"segment": row["agent"], "responses": agent_responses(row, sla_hours, assigned.pop(row["agent"], 0))}
            for row in aggregates.responses_by_agent(store, filters, sla_hours)]
    rows += [{"segment": name, "responses": agent_responses({}, sla_hours, n)} for name, n in sorted(assigned.items())]
    return rows


def overdue_cutoff(now: datetime | None, sla_hours: float) -> str:
    """The stored form of ``now − SLA``: reviews created before it and unanswered are overdue."""
    moment = (now or datetime.now(UTC)) - timedelta(hours=sla_hours)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scorecard(store: Store, filters: Filters | None = None, *, by: str | None = None,
              segment: str | None = None, with_margins: bool = False,
              sla_hours: float = DEFAULT_SLA_HOURS, reply_times: bool = True,
              overall_reply_times: bool = True, now: datetime | None = None,
              periods: list[str] | None = None, stars_and_overdue: bool = True) -> dict[str, Any]:
    """Every score overall; ``by`` adds ``periods``, ``segment`` adds ``segments``.

    ``with_margins`` adds a ``margins`` object to each group (the dashboard's
    significance tests); ``score --json`` leaves it out. ``segment="agent"``
    gives, per agent who answered first, only the ``responses`` figures (see
    :func:`agents`). Without ``reply_times``, median, p90 and SLA figures are
    left ``None`` (cheaper); without ``overall_reply_times``, only the overall
    ones are (the dashboard shows reply times per period, and over a whole year
    the exact median is the costliest figure to read). ``now`` fixes the clock of
    the ``overdue`` count; without ``stars_and_overdue`` neither the star ratings
    nor the overdue count are read (from fresh rollups both cost a few thousand
    rollup rows and one day of reviews; from the raw tables, a scan).
    ``periods`` lists the period labels to show even when
    empty (with ``null`` figures), so that every report format has the same rows.
    """
    filters = filters or Filters()
    cutoff = overdue_cutoff(now, sla_hours) if stars_and_overdue else None
    stars = stars_and_overdue
    if by and by not in grouping.PERIODS:
        raise ValueError(f"unknown period {by!r}")
    period_hours = overall_hours = None
    if by and reply_times and overall_reply_times:
        # Both from one read of the reply histograms (80 % of a scorecard by month).
        period_hours, overall_hours = aggregates.reply_hours_and_overall(
            store, filters, by, sla_hours, rollup=rollups.refresh_for(store, filters))
    overall = _grouped(store, filters, None, with_margins, sla_hours, reply_times and overall_reply_times,
                       cutoff, stars, hours=overall_hours).get(None) or empty_figures(with_margins)
    result: dict[str, Any] = dict(overall)
    if by:
        grouped = _grouped(store, filters, by, with_margins, sla_hours, reply_times, cutoff, stars,
                           hours=period_hours)
        keys = sorted(k for k in grouped if k is not None)
        if periods is not None:
            keys = list(periods)
        result["periods"] = [{"period": key, **(grouped.get(key) or empty_figures(with_margins))} for key in keys]
    if segment == "agent":
        result["segments"] = agents(store, filters, sla_hours)
    elif segment:
        if segment not in grouping.SEGMENTS:
            raise ValueError(f"unknown segment {segment!r}")
        grouped = _grouped(store, filters, segment, with_margins, sla_hours, reply_times, cutoff, stars)
        result["segments"] = [{"segment": key, **grouped[key]} for key in sorted(k for k in grouped if k is not None)]
    return result
