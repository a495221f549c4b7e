"""SQL aggregates behind every score: counts per group, computed in SQLite.

Each function returns plain rows keyed by group (``None`` for the overall
figure, else a period label such as ``2026-03`` or a segment value). The
arithmetic that turns counts into scores lives in :mod:`feedback_tui.scoring`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from feedback_tui.models import Filters
from feedback_tui.store import Store, reply_times, rollups
from feedback_tui.store.grouping import NEGATIVE, PERIODS, POSITIVE, group_expression, where_clause
from feedback_tui.store.schema_facts import STAR_BUCKETS

def survey_counts(store: Store, filters: Filters, by: str | None = None, *,
                  rollup: bool = False) -> list[dict[str, Any]]:
    if rollup:
        return rollups.survey_counts(store, filters, group_expression(by, surveys=True, rollup=True))
    where, params = where_clause(filters, surveys=True)
    sql = f"""
        SELECT {group_expression(by, surveys=True)} AS grp, kind, count(*) AS n,
               sum(score >= 9) AS top, sum(score <= 6) AS low, sum(score >= 4) AS satisfied,
               sum({rollups.SURVEY_POINTS}) AS total,
               sum(({rollups.SURVEY_POINTS}) * ({rollups.SURVEY_POINTS})) AS total_squares
        FROM survey_responses WHERE {where} GROUP BY grp, kind"""
    return [dict(row) for row in store.query(sql, params)]


_LABELLED = "sentiment IN ('positive', 'neutral', 'negative')"


def sentiment_counts(store: Store, filters: Filters, by: str | None = None, *,
                     rollup: bool = False) -> list[dict[str, Any]]:
    """Reviews and survey comments together: both are customers' words."""
    if rollup:
        return rollups.sentiment_counts(store, filters, group_expression(by, rollup=True),
                                        group_expression(by, surveys=True, rollup=True))
    review_where, params = where_clause(filters)
    survey_where, survey_params = where_clause(filters, surveys=True)
    params.update(survey_params)
    sql = f"""
        SELECT grp, count(*) AS n, sum(sentiment = 'positive') AS positive,
               sum(sentiment = 'neutral') AS neutral, sum(sentiment = 'negative') AS negative,
               avg(polarity) AS mean_polarity, sum(polarity * polarity) AS polarity_squares,
               sum(polarity) AS polarity_total
        FROM (SELECT {group_expression(by)} AS grp, sentiment, polarity FROM reviews
              WHERE {review_where} AND {_LABELLED} AND status != 'spam'
              UNION ALL
              SELECT {group_expression(by, surveys=True)}, sentiment, polarity FROM survey_responses
              WHERE {survey_where} AND {_LABELLED})
        GROUP BY grp"""
    return [dict(row) for row in store.query(sql, params)]


def response_counts(store: Store, filters: Filters, by: str | None = None, *,
                    rollup: bool = False) -> list[dict[str, Any]]:
    """Reviews, replied reviews, and the same for positive and negative ones.

    Spam is left out: nobody is expected to answer it.
    """
    if rollup:
        return rollups.response_counts(store, filters, group_expression(by, rollup=True))
    where, params = where_clause(filters)
    sql = f"""
        SELECT {group_expression(by)} AS grp, count(*) AS n, sum(has_reply) AS replied,
               sum({POSITIVE}) AS positive, sum(({POSITIVE}) AND has_reply) AS positive_replied,
               sum({NEGATIVE}) AS negative, sum(({NEGATIVE}) AND has_reply) AS negative_replied
        FROM reviews WHERE {where} AND status != 'spam' GROUP BY grp"""
    return [dict(row) for row in store.query(sql, params)]


def reply_hours(store: Store, filters: Filters, by: str | None = None,
                sla_hours: float = 24.0, *, rollup: bool = False) -> dict[Any, dict[str, Any]]:
    """Median and 90th percentile (nearest rank) of hours to the first reply, and how
    many first replies came within ``sla_hours``, per group, from the replied reviews.

    With ``rollup`` (fresh rollups, see :mod:`feedback_tui.store.reply_times`) the
    same figures come from the daily histograms and a few index reads; the query
    below sorts every replied review of every group.
    """
    if rollup and reply_times.usable(sla_hours):
        found = reply_times.reply_hours(store, filters, by, sla_hours)
        if found is not None:
            return found
    where, params = where_clause(filters)
    params["sla"] = sla_hours
    sql = f"""
        WITH h AS (
            SELECT {group_expression(by)} AS grp,
                   (julianday(first_reply_at) - julianday(created_at)) * 24.0 AS raw_hours
            FROM reviews WHERE {where} AND first_reply_at IS NOT NULL AND status != 'spam'),
        ranked AS (
            SELECT grp, max(0.0, raw_hours) AS hours, raw_hours,
                   row_number() OVER (PARTITION BY grp ORDER BY max(0.0, raw_hours)) AS rn,
                   count(*) OVER (PARTITION BY grp) AS c FROM h)
        SELECT grp,
               avg(CASE WHEN rn IN ((c + 1) / 2, (c + 2) / 2) THEN hours END) AS median,
               max(CASE WHEN rn = (9 * c + 9) / 10 THEN hours END) AS p90,
               sum(raw_hours <= :sla) AS within_sla
        FROM ranked GROUP BY grp"""
    return {row["grp"]: {"median": row["median"], "p90": row["p90"], "within_sla": row["within_sla"]}
            for row in store.query(sql, params)}


def reply_hours_and_overall(store: Store, filters: Filters, by: str, sla_hours: float = 24.0, *,
                            rollup: bool = False) -> tuple[dict[Any, dict[str, Any]], dict[Any, dict[str, Any]]]:
    """:func:`reply_hours` by the period ``by`` and over the whole window (the second
    dict's key is ``None``), as a scorecard by period shows them; from fresh rollups,
    one read of the histograms serves both."""
    if rollup and reply_times.usable(sla_hours):
        found = reply_times.reply_hours_and_overall(store, filters, by, sla_hours)
        if found is not None:
            per_period, whole = found
            return per_period, ({None: whole} if whole is not None else {})
    return reply_hours(store, filters, by, sla_hours), reply_hours(store, filters, None, sla_hours)


def responses_by_agent(store: Store, filters: Filters, sla_hours: float, *,
                       rollup: bool = True) -> list[dict[str, Any]]:
    """Per agent who gave the first reply: reviews answered, within the SLA, and hours.

    A reply that came with a platform's export (origin ``import``) was written by
    someone outside this tool: it is counted under ``platform``, not as an agent.

    With ``rollup`` (when the rollups are fresh and the window falls on whole
    days) the figures come from the per-agent histograms (m018,
    :mod:`feedback_tui.store.reply_times`): the same numbers, without finding
    and sorting every first reply of the window (1.9 s at a million reviews).
    """
    if rollup and reply_times.usable(sla_hours) and rollups.refresh_for(store, filters):
        found = reply_times.reply_hours(store, filters, reply_times.AGENT, sla_hours)
        if found is not None:
            rows = [{"agent": agent, "replied": figures["n"], "within_sla": figures["within_sla"],
                     "median": figures["median"], "p90": figures["p90"]} for agent, figures in found.items()]
            # ORDER BY replied DESC, agent: NULL first, then by code point (SQLite's BINARY order of UTF-8)
            rows.sort(key=lambda row: (-row["replied"], row["agent"] is not None, row["agent"] or ""))
            return rows
    where, params = where_clause(filters, table_alias="r")
    params["sla"] = sla_hours
    sql = f"""
        WITH firsts AS (
            SELECT r.id, max(0.0, (julianday(r.first_reply_at) - julianday(r.created_at)) * 24.0) AS hours,
                   (SELECT CASE WHEN p.origin = 'import' THEN 'platform' ELSE p.agent END
                    FROM replies p WHERE p.review_id = r.id AND p.withdrawn_at IS NULL
                    ORDER BY p.created_at, p.id LIMIT 1) AS agent
            FROM reviews r WHERE {where} AND r.first_reply_at IS NOT NULL AND r.status != 'spam'),
        ranked AS (
            SELECT agent, hours, row_number() OVER (PARTITION BY agent ORDER BY hours) AS rn,
                   count(*) OVER (PARTITION BY agent) AS c FROM firsts)
        SELECT agent, count(*) AS replied, sum(hours <= :sla) AS within_sla,
               avg(CASE WHEN rn IN ((c + 1) / 2, (c + 2) / 2) THEN hours END) AS median,
               max(CASE WHEN rn = (9 * c + 9) / 10 THEN hours END) AS p90
        FROM ranked GROUP BY agent ORDER BY replied DESC, agent"""
    return [dict(row) for row in store.query(sql, params)]


def reply_effect(store: Store, filters: Filters, by: str | None = None) -> list[dict[str, Any]]:
    """How ratings moved when authors edited their review after a reply.

    Compares the current rating with the earliest rating kept in
    ``review_history`` (what the author first gave), for reviews updated after
    their first reply. Grouped by the period of the update.

    Only edited reviews have a history, and few reviews are edited: the query
    starts from the history (``CROSS JOIN`` keeps that order) and looks each
    review up by id, instead of visiting every replied review of the window
    to probe the history (a third of a second per call at a million reviews).
    """
    where, params = where_clause(filters, table_alias="r")
    group = group_expression(by).replace("created_at", "r.updated_at") if by in PERIODS else group_expression(by)
    sql = f"""
        WITH firsts AS (SELECT review_id, min(id) AS history_id FROM review_history GROUP BY review_id)
        SELECT {group} AS grp, count(*) AS n, avg(r.rating - h.rating) AS mean_change,
               sum(r.rating > h.rating) AS raised, sum(r.rating < h.rating) AS lowered
        FROM firsts f
        CROSS JOIN reviews r ON r.id = f.review_id
        CROSS JOIN review_history h ON h.id = f.history_id
        WHERE {where} AND r.first_reply_at IS NOT NULL AND r.updated_at > r.first_reply_at
              AND r.rating IS NOT NULL AND h.rating IS NOT NULL
        GROUP BY grp"""
    return [dict(row) for row in store.query(sql, params)]


def rating_counts(store: Store, filters: Filters, by: str | None = None, *,
                  rollup: bool = False) -> list[dict[str, Any]]:
    """Star ratings per group: n, Σ, Σ² and the count per whole star.

    Ratings may be decimal (half stars): the mean uses the exact value, the
    distribution counts a half star in the star below (4.5 counts as 4) and
    0.5, which has no star below, as 1 (``STAR_BUCKETS``). Spam is left out,
    as for every review figure. With ``rollup``, the daily rollups answer.
    """
    if rollup:
        return rollups.rating_counts(store, filters, group_expression(by, rollup=True))
    where, params = where_clause(filters)
    sql = f"""
        SELECT {group_expression(by)} AS grp, count(*) AS n, total(rating) AS total,
               total(rating * rating) AS squares,
               {", ".join(f"sum({bucket}) AS s{i}" for i, bucket in enumerate(STAR_BUCKETS, 1))}
        FROM reviews WHERE {where} AND rating IS NOT NULL AND status != 'spam' GROUP BY grp"""
    return [dict(row) for row in store.query(sql, params)]


def overdue_counts(store: Store, filters: Filters, by: str | None, older_than: str, *,
                   rollup: bool = False) -> dict[Any, int]:
    """Reviews waiting for a reply (``rollups.WAITING``) created before ``older_than``
    (now minus the SLA, stored form): the ones past their SLA. Younger ones are
    not late yet and are counted nowhere.

    With ``rollup``, the whole days before ``older_than``'s day come from the
    rollups' ``unanswered`` counts and only that one day is read from the
    reviews (a range of the ``created_at`` index): bounded by a day's reviews,
    however many wait. A stored date starts with its day, so a review is
    before ``older_than`` exactly when its day is earlier, or it is that day
    and earlier in it.
    """
    where, params = where_clause(filters)
    params["older_than"] = older_than
    if not rollup:
        sql = f"""SELECT {group_expression(by)} AS grp, count(*) AS n FROM reviews
                  WHERE {where} AND {rollups.WAITING} AND created_at < :older_than GROUP BY grp"""
        return {row["grp"]: int(row["n"]) for row in store.query(sql, params)}
    day = older_than[:10]
    counts = rollups.unanswered_counts(store, filters, group_expression(by, rollup=True), day)
    # One pair of bounds on created_at: given the window's and the day's, SQLite ranged the
    # index on the window's (a year of reviews, 0.1 s at 1M) and filtered the day after.
    since = max(filters.since or day, day)
    until = min(filters.until or older_than, older_than)
    if since >= until:
        return counts
    where, params = where_clause(replace(filters, since=since, until=until))
    sql = f"""SELECT {group_expression(by)} AS grp, count(*) AS n FROM reviews
              WHERE {where} AND {rollups.WAITING} GROUP BY grp"""
    for row in store.query(sql, params):
        counts[row["grp"]] = counts.get(row["grp"], 0) + int(row["n"])
    return counts


def open_assigned(store: Store, filters: Filters) -> dict[str, int]:
    """Per assignee, the reviews assigned to them still waiting for a reply.

    Few reviews are assigned: the partial index of the assigned ones is read,
    not every review of the window (which the date filter would otherwise pick)."""
    where, params = where_clause(filters)
    sql = f"""SELECT assignee, count(*) AS n FROM reviews INDEXED BY reviews_assignee_created
              WHERE {where} AND assignee IS NOT NULL AND {rollups.WAITING}
              GROUP BY assignee"""
    return {row["assignee"]: int(row["n"]) for row in store.query(sql, params)}
