"""The manager's view: the last 12 periods, cards with honest changes, segments.

The cards show the last *complete* period by default (on the 1st of a month,
last month, not a few hours of this one); the period still running is shown
beside it as "so far", and the window's total (all 12 periods) with its margin.
:func:`cards_for` builds the cards of any period of the trend, so that the
dashboard's cards follow the period selected with ←/→ without another query.

A change between two periods is called significant only when both periods
have at least ``MIN_N`` answers behind the figure and the move is larger than
the 95 % margin of the difference, √(m₁² + m₂²), where m₁ and m₂ are the
margins of the two figures (see :mod:`feedback_tui.margins`). With fewer
answers the verdict is "not enough answers", in a neutral colour.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from feedback_tui.margins import too_few
from feedback_tui.models import Filters
from feedback_tui.scoring import DEFAULT_SLA_HOURS, agents, empty_figures, scorecard
from feedback_tui.store import Store
from feedback_tui.store import aggregates, grouping, queries

PERIOD_KINDS = ("week", "month", "quarter")
DEFAULT_PERIODS = 12
MIN_N = 30


@dataclass(frozen=True)
class Period:
    label: str
    since: str  # inclusive, stored form
    until: str  # exclusive

    def filters(self, base: Filters) -> Filters:
        return Filters(source=base.source, product=base.product, language=base.language, since=self.since,
                       until=self.until)


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _start_of(kind: str, day: date) -> date:
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    raise ValueError(f"unknown period {kind!r}")


def _next(kind: str, start: date) -> date:
    if kind == "week":
        return start + timedelta(days=7)
    months = 1 if kind == "month" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1)


def _label(kind: str, start: date) -> str:
    if kind == "week":
        return start.isoformat()  # the Monday, as in grouping.PERIODS
    if kind == "month":
        return start.strftime("%Y-%m")
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def last_periods(kind: str, today: date, count: int = DEFAULT_PERIODS) -> list[Period]:
    """The ``count`` periods ending with the one that contains ``today``, oldest first."""
    start = _start_of(kind, today)
    starts = [start]
    for _ in range(count - 1):
        previous = _start_of(kind, starts[0] - timedelta(days=1))
        starts.insert(0, previous)
    return [Period(_label(kind, s), _stamp(s), _stamp(_next(kind, s))) for s in starts]


def change(current: float | None, previous: float | None, margin_now: float | None,
           margin_before: float | None, n_now: int | None = None, n_before: int | None = None,
           too_few: bool = False) -> dict[str, Any]:
    """The move between two figures and whether it exceeds the noise.

    ``reason`` says why there is no verdict: ``no current figure``, ``no previous
    figure``, ``not enough answers`` (either period under ``MIN_N``; only checked
    when the n are given, or ``too_few``: a figure of too few answers for a margin,
    ``margins.MIN_N``) or ``no margin`` (reply times have none).
    """
    if current is None:
        return {"delta": None, "margin": None, "significant": None, "reason": "no current figure"}
    if previous is None:
        return {"delta": None, "margin": None, "significant": None, "reason": "no previous figure"}
    delta = round(current - previous, 3)
    thin = n_now is not None and n_before is not None and min(n_now, n_before) < MIN_N
    if margin_now is None or margin_before is None:
        return {"delta": delta, "margin": None, "significant": None,
                "reason": "not enough answers" if too_few else "no margin"}
    margin = round(math.sqrt(margin_now**2 + margin_before**2), 3)
    if thin:
        return {"delta": delta, "margin": margin, "significant": None, "reason": "not enough answers"}
    return {"delta": delta, "margin": margin, "significant": abs(delta) > margin, "reason": None}


def periods_since(kind: str, since: date, today: date, limit: int = 520) -> int:
    """How many periods of ``kind`` run from the one holding ``since`` to today's."""
    count, start = 1, _start_of(kind, today)
    first = _start_of(kind, since)
    while start > first and count < limit:
        start = _start_of(kind, start - timedelta(days=1))
        count += 1
    return count


# metric -> (path to the value, path to its margin, path to its n)
METRICS: dict[str, tuple[tuple[str, str], tuple[str, str] | None, tuple[str, str]]] = {
    "nps": (("nps", "score"), ("nps", "moe95"), ("nps", "n")),
    "csat": (("csat", "score"), ("margins", "csat"), ("csat", "n")),
    "ces": (("ces", "mean"), ("margins", "ces_mean"), ("ces", "n")),
    "sentiment": (("sentiment", "mean_polarity"), ("margins", "mean_polarity"), ("sentiment", "n")),
    "ratings": (("ratings", "mean"), ("ratings", "moe95"), ("ratings", "n")),
    "response_rate": (("responses", "rate"), ("margins", "response_rate"), ("responses", "reviews")),
    "reply_hours": (("responses", "median_hours_to_reply"), None, ("responses", "replied")),
}


# metric -> path to its 95 % interval ([low, high]), which the text writes instead of a ±
# when the ± would misstate it (feedback_tui.margins.lopsided)
INTERVALS: dict[str, tuple[str, str] | None] = {
    "nps": ("nps", "ci95"), "csat": ("intervals", "csat"), "ces": ("intervals", "ces_mean"),
    "sentiment": ("intervals", "mean_polarity"), "ratings": ("ratings", "ci95"),
    "response_rate": ("intervals", "response_rate"), "reply_hours": None,
}


def _get(figures: dict[str, Any], path: tuple[str, str] | None) -> Any:
    if path is None:
        return None
    return (figures.get(path[0]) or {}).get(path[1])


def metric(figures: dict[str, Any], name: str) -> tuple[Any, Any, int]:
    value_path, margin_path, n_path = METRICS[name]
    return _get(figures, value_path), _get(figures, margin_path), int(_get(figures, n_path) or 0)


def interval_of(figures: dict[str, Any], name: str) -> list[float] | None:
    """The 95 % interval of metric ``name`` in ``figures``, ``[low, high]`` or ``None``."""
    return _get(figures, INTERVALS[name])


def _point(figures: dict[str, Any], name: str) -> dict[str, Any]:
    value, margin, n = metric(figures, name)
    return {"value": value, "margin": margin, "n": n, "interval": interval_of(figures, name)}


def dashboard(store: Store, filters: Filters | None = None, *, period: str = "month", today: date | None = None,
              count: int = DEFAULT_PERIODS, sla_hours: float = DEFAULT_SLA_HOURS,
              selected: int | None = None, rolling: bool = False, with_agents: bool = True,
              follow_data: bool = False) -> dict[str, Any]:
    """Everything the dashboard shows, computed from SQL aggregates.

    The :func:`headline` (cards and charts), the :func:`segments` of the
    breakdown table, the :func:`reply_effect` and the per-agent rows
    (``with_agents=False`` leaves ``agents`` empty: it reads every first reply of
    the window). The app's dashboard computes each piece in a worker of its own,
    so that its cards show first and the tables fill in after them.
    """
    figures = headline(store, filters, period=period, today=today, count=count, sla_hours=sla_hours,
                       selected=selected, rolling=rolling, follow_data=follow_data)
    window = Filters(**figures["window_filters"])
    return {**figures, "segments": segments(store, window),
            "agents": agents(store, window, sla_hours) if with_agents else [],
            "reply_effect": reply_effect(store, window, period, [point["period"] for point in figures["trend"]])}


def headline(store: Store, filters: Filters | None = None, *, period: str = "month", today: date | None = None,
             count: int = DEFAULT_PERIODS, sla_hours: float = DEFAULT_SLA_HOURS,
             selected: int | None = None, rolling: bool = False, follow_data: bool = False) -> dict[str, Any]:
    """The cards and the 12-period trend: what the dashboard shows first.

    One grouped :func:`~feedback_tui.scoring.scorecard` over the window (two more
    with ``rolling``); ``window_filters`` is the window the other pieces
    (:func:`segments`, :func:`reply_effect`, the agents) are computed over.

    ``today`` fixes the clock (tests, reports for a past date). The cards are
    those of the last complete period unless ``selected`` (an index into the
    trend, ``-1`` for the period holding ``today``) says otherwise. With
    ``rolling`` they are the last 30 days (today included) against the 30
    before (``rolling`` holds both windows), whatever the charts' period.

    ``follow_data`` (the app): when the last complete period and the one running
    hold no feedback but older feedback exists (an export of past years, a
    historical file that ends months ago, a source that stopped), the window ends
    with the newest feedback instead of today, and ``data_ends`` says when that
    was: the cards show its last months instead of empty ones.
    """
    base = filters or Filters()
    today = today or datetime.now(UTC).date()
    periods = last_periods(period, today, count)
    window = Filters(source=base.source, product=base.product, language=base.language,
                     since=periods[0].since, until=periods[-1].until)
    # Reply times are shown per period: the window's own median is not computed.
    card = scorecard(store, window, by=period, with_margins=True, overall_reply_times=False,
                     now=now_for(today), sla_hours=sla_hours)
    # The last complete period and the running one hold nothing: only then ask
    # where the feedback ends (a max() that can scan a language's reviews).
    last_two = periods[-2:]
    labels = {p.label for p in last_two}
    if follow_data and not any(p["period"] in labels for p in card["periods"]):
        latest = queries.latest_feedback_at(store, base)
        if latest and latest < last_two[0].since:
            moved = datetime.strptime(latest[:10], "%Y-%m-%d").date() + timedelta(days=1)
            return {**headline(store, filters, period=period, today=moved, count=count, sla_hours=sla_hours,
                               selected=selected, rolling=rolling),
                    "data_ends": latest}
    by_label = {p["period"]: p for p in card["periods"]}
    trend = [{"period": p.label, "since": p.since, "until": p.until,
              **(by_label.get(p.label) or empty_figures(with_margins=True))} for p in periods]
    if selected is None:
        selected = len(trend) - 2 if len(trend) > 1 else 0  # the last complete period
        # ... unless it holds nothing and the running one does (a first import on the
        # 3rd of the month, a source that started this month): its figures "so far"
        # rather than a row of empty cards above data.
        if len(trend) > 1 and trend[-2]["period"] not in by_label and trend[-1]["period"] in by_label:
            selected = len(trend) - 1
    selected = selected % len(trend)
    current = trend[selected]
    previous = trend[selected - 1] if selected > 0 else empty_figures(True)
    cards = cards_for(trend, selected, card)
    rolling_windows = rolling_periods(today) if rolling else None
    if rolling_windows is not None:
        pair = [{"period": p.label, "since": p.since, "until": p.until,
                 **scorecard(store, p.filters(base), with_margins=True, now=now_for(today), sla_hours=sla_hours)}
                for p in rolling_windows]
        cards = cards_for(pair, 1, card)
    return {
        "period": period,
        "today": today.isoformat(),
        "filters": {k: v for k, v in asdict(base).items() if v},
        "current": current,
        "previous": previous,
        "cards": cards,
        "selected": selected,
        "trend": trend,
        "window": card,
        "window_filters": asdict(window),
        "min_n": MIN_N,
        "sla_hours": sla_hours,
        "rolling": None if rolling_windows is None else [asdict(p) for p in rolling_windows],
        "data_ends": None,
    }


def segments(store: Store, window: Filters) -> dict[str, list[dict[str, Any]]]:
    """The breakdown table's rows over the window: one scorecard per source, product, language.

    It shows no reply times: their per-review medians are skipped.
    """
    return {seg: scorecard(store, window, segment=seg, reply_times=False, stars_and_overdue=False)["segments"]
            for seg in grouping.SEGMENTS}


def reply_effect(store: Store, window: Filters, period: str, labels: list[str]) -> dict[str, Any]:
    """How ratings moved on reviews edited after a reply: over the window, and per period of ``labels``."""
    effect_rows = {row["grp"]: row for row in aggregates.reply_effect(store, window, by=period)}
    effect_all = aggregates.reply_effect(store, window)
    return {"overall": _effect(effect_all[0] if effect_all else None),
            "periods": [{"period": label, **_effect(effect_rows.get(label))} for label in labels]}


ROLLING_DAYS = 30


def rolling_periods(today: date, days: int = ROLLING_DAYS) -> list[Period]:
    """The ``days`` days before (the previous window) and the ``days`` ending with today."""
    end = today + timedelta(days=1)
    middle, start = end - timedelta(days=days), end - timedelta(days=2 * days)
    return [Period(f"{start.isoformat()}…{(middle - timedelta(days=1)).isoformat()}", _stamp(start), _stamp(middle)),
            Period(f"last {days} days", _stamp(middle), _stamp(end))]


def last_complete_day(kind: str, today: date) -> date:
    """The last day of the last complete period of ``kind`` before ``today``'s."""
    return _start_of(kind, today) - timedelta(days=1)


def now_for(today: date) -> datetime:
    """The clock of the ``overdue`` count: now, or the end of ``today`` when the
    dashboard or the report is computed as of a past day."""
    real = datetime.now(UTC)
    if today >= real.date():
        return real
    return datetime.combine(today + timedelta(days=1), time(0, 0), tzinfo=UTC)


def cards_for(trend: list[dict[str, Any]], index: int, window: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The cards of period ``index`` of the trend, against the period before it.

    Each card also carries the period still running (``so_far``, when ``index``
    is not it) and the window's total with its margin (``window``).
    """
    index = max(0, min(index, len(trend) - 1))
    current = trend[index]
    previous = trend[index - 1] if index > 0 else empty_figures(True)
    running = index == len(trend) - 1
    cards = {}
    for name in METRICS:
        value, margin, n = metric(current, name)
        before, margin_before, n_before = metric(previous, name)
        so_far = None if running else _point(trend[-1], name)
        total = _point(window, name)
        cards[name] = {"period": current["period"], "running": running, "value": value, "margin": margin, "n": n,
                       "interval": interval_of(current, name),
                       "previous": before, "previous_n": n_before, "previous_period": previous.get("period"),
                       "thin": n < MIN_N, "so_far": so_far, "window": total,
                       "change": change(value, before, margin, margin_before, n, n_before,
                                        too_few(name, n) or too_few(name, n_before))}
    # the star bars beside the ratings card: that period's count per star
    cards["ratings"]["distribution"] = (current.get("ratings") or {}).get("distribution") or {}
    return cards


def _effect(row: dict[str, Any] | None) -> dict[str, Any]:
    if not row or not row.get("n"):
        return {"n": 0, "mean_rating_change": None, "raised": 0, "lowered": 0}
    return {"n": int(row["n"]), "mean_rating_change": round(float(row["mean_change"]), 2),
            "raised": int(row["raised"] or 0), "lowered": int(row["lowered"] or 0)}
