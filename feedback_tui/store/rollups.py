"""Daily rollups: the counts behind every score, per day, source, product and language.

Scanning a million wide review rows takes seconds, and every card, chart and
``score`` call would do it several times. Instead, triggers mark the days a
write touches as dirty (an import, a triage action, a sentiment score, a
reply), :func:`refresh` recomputes only those days, and the score queries add
up a few thousand rollup rows. The numbers are the same as from the raw
tables (a test checks both paths agree). Medians cannot be added up: their
rollup, ``reply_daily``, counts replies per bucket of hours (and
``agent_reply_daily`` the same per agent who replied first), and
:mod:`feedback_tui.store.reply_times` reads the exact values from there.

The rollups are used only when they are fresh and the filters fall on whole
days; otherwise (a read-only database with dirty days, a ``--since`` with a
time of day) the raw queries answer, more slowly but exactly.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store.grouping import NEGATIVE, POSITIVE
from feedback_tui.store.schema_facts import REPLY_HOUR_BOUNDS, STAR_BUCKETS

# A review still waiting for a reply: the overdue count's rows. Spam never is (and
# is outside every rollup anyway); nor are archived reviews and those answered
# elsewhere (m015). aggregates.overdue_counts and open_assigned use it on raw rows.
WAITING = "has_reply = 0 AND status NOT IN ('spam', 'archived', 'answered_elsewhere')"

REVIEW_COUNTS = """
    count(*) AS n, sum(has_reply) AS replied,
    sum({positive}) AS positive, sum(({positive}) AND has_reply) AS positive_replied,
    sum({negative}) AS negative, sum(({negative}) AND has_reply) AS negative_replied,
    sum(sentiment IN ('positive', 'neutral', 'negative')) AS s_n,
    sum(sentiment = 'positive') AS s_pos, sum(sentiment = 'neutral') AS s_neu, sum(sentiment = 'negative') AS s_neg,
    total(CASE WHEN sentiment IN ('positive', 'neutral', 'negative') THEN polarity END) AS pol_sum,
    total(CASE WHEN sentiment IN ('positive', 'neutral', 'negative') THEN polarity * polarity END) AS pol_sq,
    count(CASE WHEN sentiment IN ('positive', 'neutral', 'negative') THEN polarity END) AS pol_n,
    count(rating) AS r_n, total(rating) AS r_sum, total(rating * rating) AS r_sq,
    {stars},
    sum(""" + WAITING + """) AS unanswered"""
# Named, not positional: m013 appended the star and unanswered columns to the table.
REVIEW_COLUMNS = ("day, source, product, language, n, replied, positive, positive_replied, negative, "
                  "negative_replied, s_n, s_pos, s_neu, s_neg, pol_sum, pol_sq, pol_n, "
                  "r_n, r_sum, r_sq, r1, r2, r3, r4, r5, unanswered")
STARS_SQL = ", ".join(f"sum(coalesce({bucket}, 0)) AS r{i}" for i, bucket in enumerate(STAR_BUCKETS, 1))
# A CES answer asked on another scale counts in proportion to its scale (x on 1-10 is
# x * 7 / 10 on 1-7), so that the normalised CES, (mean / 7) * 100, is ((sum / n) / options)
# * 100 with its own file's number of options (m026). ``score`` (its linear equivalent,
# for lists and filters) would not give that. Every other answer counts as stored.
SURVEY_POINTS = "CASE WHEN score_scale IS NULL THEN score ELSE score_original * 7.0 / score_scale END"
SURVEY_COUNTS = """
    count(*) AS n, sum(score >= 9) AS top, sum(score <= 6) AS low, sum(score >= 4) AS satisfied,
    sum(""" + SURVEY_POINTS + """) AS total, sum((""" + SURVEY_POINTS + """) * (""" + SURVEY_POINTS + """))
    AS total_squares,
    sum(sentiment IN ('positive', 'neutral', 'negative')) AS s_n,
    sum(sentiment = 'positive') AS s_pos, sum(sentiment = 'neutral') AS s_neu, sum(sentiment = 'negative') AS s_neg,
    total(CASE WHEN sentiment IN ('positive', 'neutral', 'negative') THEN polarity END) AS pol_sum,
    total(CASE WHEN sentiment IN ('positive', 'neutral', 'negative') THEN polarity * polarity END) AS pol_sq,
    count(CASE WHEN sentiment IN ('positive', 'neutral', 'negative') THEN polarity END) AS pol_n"""


def _day_after(day: str) -> str:
    start = date.fromisoformat(day)
    if start == date.max:  # 9999-12-31 has no next day: every later string is on it
        return day + "\uffff"
    return (start + timedelta(days=1)).isoformat()


def day_end(day: str) -> str:
    """The exclusive upper bound of the timestamps whose rollup ``day`` is ``day``
    (``substr(created_at, 1, 10)``): the next day, or for a malformed date,
    anything that starts with those ten characters."""
    return _day_after(day) if is_day(day) else day + "\uffff"


def refresh(store: Store) -> bool:
    """Recompute the dirty days; True when the rollups are fresh afterwards."""
    dirty = [row[0] for row in store.conn.execute("SELECT day FROM rollup_dirty ORDER BY day")]
    if not dirty:
        return True
    if store.readonly:
        return False
    reviews_sql = f"""
        INSERT INTO review_daily ({REVIEW_COLUMNS})
        SELECT substr(created_at, 1, 10), source, product, language,
               {REVIEW_COUNTS.format(positive=POSITIVE, negative=NEGATIVE, stars=STARS_SQL)}
        FROM reviews WHERE created_at >= :lo AND created_at < :hi AND status != 'spam'
        GROUP BY 1, source, product, language"""
    surveys_sql = f"""
        INSERT INTO survey_daily
        SELECT substr(created_at, 1, 10), source, language, kind, {SURVEY_COUNTS}
        FROM survey_responses WHERE created_at >= :lo AND created_at < :hi
        GROUP BY 1, source, language, kind"""
    # The reply-time histograms (see feedback_tui.store.reply_times): what the
    # raw reply-time query counts, replied and not spam, per bucket. Naming every
    # bucket lets SQLite seek (bucket, day) in the covering reviews_reply_hours
    # index: five times faster than visiting the day's replied rows.
    buckets = ", ".join(str(b) for b in range(-1, len(REPLY_HOUR_BOUNDS) + 1))
    replies_sql = f"""
        INSERT INTO reply_daily
        SELECT substr(created_at, 1, 10), source, product, language, reply_bucket, count(*)
        FROM reviews WHERE reply_bucket IN ({buckets}) AND created_at >= :lo AND created_at < :hi
                     AND first_reply_at IS NOT NULL AND status != 'spam'
        GROUP BY 1, source, product, language, reply_bucket"""
    # The same histograms per agent who gave the first reply (m018): the dashboard's per-agent table.
    agents_sql = f"""
        INSERT INTO agent_reply_daily
        SELECT substr(created_at, 1, 10), source, product, language, first_reply_agent, reply_bucket, count(*)
        FROM reviews INDEXED BY reviews_reply_hours
        WHERE reply_bucket IN ({buckets}) AND created_at >= :lo AND created_at < :hi
              AND first_reply_at IS NOT NULL AND status != 'spam'
        GROUP BY 1, source, product, language, first_reply_agent, reply_bucket"""
    with store.write() as conn:
        # Days are read again inside the write lock: another process may have refreshed them.
        dirty = [row[0] for row in conn.execute("SELECT day FROM rollup_dirty ORDER BY day")]
        for day in dirty:
            bounds = {"lo": day, "hi": day_end(day)}
            for table in ("review_daily", "survey_daily", "reply_daily", "agent_reply_daily"):
                conn.execute(f"DELETE FROM {table} WHERE day = ?", (day,))
            conn.execute(reviews_sql, bounds)
            conn.execute(surveys_sql, bounds)
            conn.execute(replies_sql, bounds)
            conn.execute(agents_sql, bounds)
        conn.executemany("DELETE FROM rollup_dirty WHERE day = ?", [(day,) for day in dirty])
    return True


def is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _whole_day(moment: str | None) -> bool:
    return moment is None or moment.endswith("T00:00:00Z")


def refresh_for(store: Store, filters: Filters) -> bool:
    """Refresh the dirty days (when the store may write), then say whether the
    rollups can answer these filters: fresh, and filtering on whole days."""
    return _whole_day(filters.since) and _whole_day(filters.until) and refresh(store)


def where(filters: Filters, *, surveys: bool = False) -> tuple[str, dict[str, Any]]:
    """The rollup equivalent of :func:`feedback_tui.store.grouping.where_clause`."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for name in ("source", "language"):
        value = getattr(filters, name)
        if value:
            parts.append(f"{name} = :f_{name}")
            params[f"f_{name}"] = value
    if filters.product:
        parts.append("0" if surveys else "product = :f_product")
        params["f_product"] = filters.product
    if filters.since:
        parts.append("day >= :f_since")
        params["f_since"] = filters.since[:10]
    if filters.until:
        parts.append("day < :f_until")
        params["f_until"] = filters.until[:10]
    return (" AND ".join(parts) or "1"), params


def survey_counts(store: Store, filters: Filters, group: str) -> list[dict[str, Any]]:
    clause, params = where(filters, surveys=True)
    sql = f"""SELECT {group} AS grp, kind, sum(n) AS n, sum(top) AS top, sum(low) AS low,
                     sum(satisfied) AS satisfied, sum(total) AS total, sum(total_squares) AS total_squares
              FROM survey_daily WHERE {clause} GROUP BY grp, kind"""
    return [dict(row) for row in store.query(sql, params)]


def sentiment_counts(store: Store, filters: Filters, review_group: str, survey_group: str) -> list[dict[str, Any]]:
    review_clause, params = where(filters)
    survey_clause, survey_params = where(filters, surveys=True)
    params.update(survey_params)
    sql = f"""
        SELECT grp, sum(s_n) AS n, sum(s_pos) AS positive, sum(s_neu) AS neutral, sum(s_neg) AS negative,
               CASE WHEN sum(pol_n) > 0 THEN sum(pol_sum) / sum(pol_n) END AS mean_polarity,
               sum(pol_sq) AS polarity_squares, sum(pol_sum) AS polarity_total
        FROM (SELECT {review_group} AS grp, s_n, s_pos, s_neu, s_neg, pol_sum, pol_sq, pol_n
              FROM review_daily WHERE {review_clause}
              UNION ALL
              SELECT {survey_group}, s_n, s_pos, s_neu, s_neg, pol_sum, pol_sq, pol_n
              FROM survey_daily WHERE {survey_clause})
        GROUP BY grp HAVING sum(s_n) > 0"""
    return [dict(row) for row in store.query(sql, params)]


def response_counts(store: Store, filters: Filters, group: str) -> list[dict[str, Any]]:
    clause, params = where(filters)
    sql = f"""SELECT {group} AS grp, sum(n) AS n, sum(replied) AS replied, sum(positive) AS positive,
                     sum(positive_replied) AS positive_replied, sum(negative) AS negative,
                     sum(negative_replied) AS negative_replied
              FROM review_daily WHERE {clause} GROUP BY grp"""
    return [dict(row) for row in store.query(sql, params)]


def rating_counts(store: Store, filters: Filters, group: str) -> list[dict[str, Any]]:
    """The star counts of :func:`feedback_tui.store.aggregates.rating_counts`, per group."""
    clause, params = where(filters)
    sql = f"""SELECT {group} AS grp, sum(r_n) AS n, sum(r_sum) AS total, sum(r_sq) AS squares,
                     sum(r1) AS s1, sum(r2) AS s2, sum(r3) AS s3, sum(r4) AS s4, sum(r5) AS s5
              FROM review_daily WHERE {clause} GROUP BY grp HAVING sum(r_n) > 0"""
    return [dict(row) for row in store.query(sql, params)]


def unanswered_counts(store: Store, filters: Filters, group: str, before_day: str) -> dict[Any, int]:
    """Per group, the reviews waiting for a reply (``WAITING``) of the
    whole days before ``before_day``."""
    clause, params = where(filters)
    params["before_day"] = before_day
    sql = f"""SELECT {group} AS grp, sum(unanswered) AS n FROM review_daily
              WHERE {clause} AND day < :before_day GROUP BY grp HAVING sum(unanswered) > 0"""
    return {row["grp"]: int(row["n"]) for row in store.query(sql, params)}
