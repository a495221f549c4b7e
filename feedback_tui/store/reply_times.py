"""Reply-time medians, 90th percentiles and SLA counts from daily histograms.

The raw query (:func:`feedback_tui.store.aggregates.reply_hours`) sorts every
replied review of every group: at a million reviews (a third of them answered)
half a second or more per call. Here the figures are the same to the last bit,
but far less is read:

1. ``reply_daily`` (kept fresh with the other rollups) says how many replied
   reviews each group has in each bucket of hours (``schema.REPLY_HOUR_BOUNDS``);
2. the nearest ranks the raw query averages or picks are found in those counts:
   rank ``r`` is the ``k``-th smallest value of one bucket;
3. one query reads that value from the ``reviews_reply_hours`` index, restricted
   to the bucket, the group and the days it spans (``ORDER BY reply_hours LIMIT 1
   OFFSET k - 1``), a few hundred or thousand index entries.

With ``by="agent"`` the groups are the agents who gave the first reply:
``agent_reply_daily`` and the ``reviews_agent_reply_hours`` index (m018), the
dashboard's per-agent table.

The SLA count adds the buckets entirely within the SLA and counts exactly in the
one bucket that straddles it (none when the SLA is a bucket bound, as 24 h is).
The raw query compares unclamped hours with the SLA; for an SLA of 0 or more that
is the same as comparing the clamped ``reply_hours`` (a reply before its review
counts as within either way). A negative SLA goes to the raw query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from feedback_tui.models import Filters
from feedback_tui.store import Store, rollups
from feedback_tui.store.grouping import PERIODS, group_expression, where_clause
from feedback_tui.store.schema_facts import REPLY_HOUR_BOUNDS

AGENT = "agent"  # by=AGENT: per agent who gave the first reply (m018's histograms and index)
LOOKUPS_PER_STATEMENT = 200  # SQLite allows 500 terms in a compound SELECT
UNREADABLE = -1  # the bucket of replies whose hours are NULL (an unreadable date)


@dataclass
class _Bucket:
    bucket: int
    n: int
    first_day: str
    last_day: str


@dataclass
class _Group:
    """One group's histogram, buckets in order of hours (the unreadable first, as
    NULL sorts first in the raw query's ranking)."""

    key: Any
    buckets: list[_Bucket] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(b.n for b in self.buckets)

    def locate(self, rank: int) -> tuple[int, int]:
        """Which bucket (its position in ``buckets``) holds the ``rank``-th smallest
        value (1-based), and that value's rank inside the bucket."""
        before = 0
        for position, bucket in enumerate(self.buckets):
            if rank <= before + bucket.n:
                return position, rank - before
            before += bucket.n
        raise ValueError(f"rank {rank} beyond the {before} values of group {self.key!r}")


def _histograms(store: Store, filters: Filters, by: str | None) -> list[_Group]:
    clause, params = rollups.where(filters)
    table, group = ("agent_reply_daily", "agent") if by == AGENT else ("reply_daily", group_expression(by, rollup=True))
    if by is None or by in PERIODS:
        # A period is a function of the day: the rows of one (day, bucket) are added up
        # as m024's index hands them over, in its order, and only those sums (a few
        # thousand at 1M, not the 50,000 rows) are sorted into groups.
        sql = f"""SELECT grp, bucket, sum(n) AS n, min(day) AS first_day, max(day) AS last_day
                  FROM (SELECT {group} AS grp, day, bucket, sum(n) AS n
                        FROM reply_daily INDEXED BY reply_daily_day_bucket WHERE {clause} GROUP BY day, bucket)
                  GROUP BY grp, bucket HAVING sum(n) > 0 ORDER BY grp, bucket"""
    else:
        sql = f"""SELECT {group} AS grp, bucket, sum(n) AS n,
                         min(day) AS first_day, max(day) AS last_day
                  FROM {table} WHERE {clause} GROUP BY grp, bucket HAVING sum(n) > 0 ORDER BY grp, bucket"""
    groups: dict[Any, _Group] = {}
    for row in store.query(sql, params):
        group = groups.setdefault(row["grp"], _Group(row["grp"]))
        group.buckets.append(_Bucket(int(row["bucket"]), int(row["n"]), row["first_day"], row["last_day"]))
    return list(groups.values())


class _Reader:
    """The queries that read inside one bucket of one group, on the covering index."""

    def __init__(self, store: Store, filters: Filters, by: str | None) -> None:
        self.store = store
        # Without the window's dates: each lookup's own day range (inside the window: it comes
        # from the window's histograms) is then the one the index seeks on. With both pairs,
        # SQLite ranged on the window's and read a whole year of the bucket at 1M.
        self.where, self.params = where_clause(replace(filters, since=None, until=None))
        self.period = by in PERIODS
        self.everything = by is None  # one group, NULL: nothing to check
        if by == AGENT:  # the agent leads its index: one agent's bucket is a range of it
            self.group, self.index = "first_reply_agent", "reviews_agent_reply_hours"
        else:
            self.group, self.index = group_expression(by), "reviews_reply_hours"

    def _scope(self, bucket: _Bucket, suffix: str = "") -> str:
        """The rows of one bucket of one group; its parameters end in ``suffix``
        (several lookups share one statement)."""
        # The day range lets the index seek (bucket, created_at) even when the group
        # is a period, whose expression the index cannot use. A period is a run of
        # whole days, so between two well-formed days of one period every row is of
        # that period: its expression is then not checked (5 ms of a scorecard by
        # month at 1M). Otherwise it is, so a group is exactly what the raw query calls it.
        check = not (self.everything or (self.period and rollups.is_day(bucket.first_day)
                                         and rollups.is_day(bucket.last_day)))
        return f"""FROM reviews INDEXED BY {self.index}
            WHERE {self.where} AND first_reply_at IS NOT NULL AND status != 'spam'
              AND reply_bucket = :b{suffix} AND created_at >= :lo{suffix} AND created_at < :hi{suffix}
              {f"AND ({self.group}) IS :grp{suffix}" if check else ""}"""

    @staticmethod
    def _bind(group: _Group, bucket: _Bucket, suffix: str = "") -> dict[str, Any]:
        return {f"b{suffix}": bucket.bucket, f"lo{suffix}": bucket.first_day,
                f"hi{suffix}": rollups.day_end(bucket.last_day), f"grp{suffix}": group.key}

    def values_many(self, lookups: list[_Lookup]) -> list[list[Any]]:
        """For each lookup, its ``count`` smallest hours from the ``first``-th (1-based)
        in its bucket: one statement for up to ``LOOKUPS_PER_STATEMENT`` of them.

        A dashboard asks for three ranks in each of a dozen periods: one statement
        instead of thirty-odd, each of which would wait for the GIL while the UI
        thread draws the screen.
        """
        found: list[list[Any]] = [[] for _ in lookups]
        for start in range(0, len(lookups), LOOKUPS_PER_STATEMENT):
            chunk = lookups[start:start + LOOKUPS_PER_STATEMENT]
            parts, params = [], dict(self.params)
            for i, lookup in enumerate(chunk):
                bucket = lookup.group.buckets[lookup.position]
                # SQLite keeps LIMIT + OFFSET rows in its sorter: a rank in the upper half of
                # its bucket is read from the top (rank 36,000 of a bucket of 37,600 values
                # at 1M: 23 -> 8 ms). The values at a rank are the same from either end, ties
                # included.
                after = bucket.n - (lookup.first + lookup.count - 1)
                descending = after < lookup.first - 1
                parts.append(f"SELECT {i} AS q, h FROM (SELECT reply_hours AS h {self._scope(bucket, f'_{i}')} "
                             f"ORDER BY reply_hours{' DESC' if descending else ''} "
                             f"LIMIT :limit_{i} OFFSET :offset_{i})")
                params.update(self._bind(lookup.group, bucket, f"_{i}"))
                params[f"limit_{i}"], params[f"offset_{i}"] = lookup.count, after if descending else lookup.first - 1
            for row in self.store.query(" UNION ALL ".join(parts), params):
                # Hours are REAL, but SQLite keeps a whole number of hours as an integer in
                # its sorter: float() gives back 2.0, as the raw query returns it.
                found[start + row[0]].append(None if row[1] is None else float(row[1]))
        # Each lookup's rows come in hours order; sorted again here rather than relying
        # on a compound SELECT keeping its members' order (NULL hours sort first).
        return [sorted(values, key=lambda v: (v is not None, v or 0.0)) for values in found]

    def within(self, group: _Group, bucket: _Bucket, sla_hours: float) -> int:
        sql = f"SELECT count(*) {self._scope(bucket)} AND reply_hours <= :sla"
        return int(self.store.scalar(sql, {**self.params, **self._bind(group, bucket), "sla": sla_hours}) or 0)


@dataclass
class _Lookup:
    """``count`` neighbouring values from the ``first``-th (1-based) of one bucket."""

    group: _Group
    position: int
    first: int
    count: int
    ranks: list[tuple[int, int]]  # (rank inside the bucket, rank in the group)


def _lookups(group: _Group, ranks: set[int]) -> list[_Lookup]:
    """The reads that find each rank; neighbouring ranks in one bucket (the two
    middle ranks of an even count, usually) share one."""
    wanted: dict[int, list[tuple[int, int]]] = defaultdict(list)  # bucket position -> [(k, rank)]
    for rank in ranks:
        position, k = group.locate(rank)
        wanted[position].append((k, rank))
    lookups: list[_Lookup] = []
    for position, pairs in wanted.items():
        runs: list[list[tuple[int, int]]] = []
        for pair in sorted(pairs):
            if runs and pair[0] - runs[-1][-1][0] <= 1:
                runs[-1].append(pair)
            else:
                runs.append([pair])
        lookups += [_Lookup(group, position, run[0][0], run[-1][0] - run[0][0] + 1, run) for run in runs]
    return lookups


def _averages(store: Store, groups: list[list[Any]]) -> list[Any]:
    """``avg`` of each list as the raw query takes it (NULLs ignored), by SQLite
    itself so the arithmetic is the same to the last bit; one statement for all."""
    rows = [(index, value) for index, values in enumerate(groups) for value in values]
    if not rows:
        return [None] * len(groups)
    placeholders = ", ".join("(?, ?)" for _ in rows)
    found = dict(store.query(f"SELECT column1, avg(column2) FROM (VALUES {placeholders}) GROUP BY column1",
                             tuple(v for row in rows for v in row)))
    return [found.get(index) for index in range(len(groups))]


def _within_sla(reader: _Reader, group: _Group, sla_hours: float) -> int | None:
    if all(bucket.bucket == UNREADABLE for bucket in group.buckets):
        return None  # the raw sum of nothing but NULL comparisons
    within = 0
    for bucket in group.buckets:
        if bucket.bucket == UNREADABLE:
            continue  # NULL hours are never within (the raw sum skips them)
        upper = REPLY_HOUR_BOUNDS[bucket.bucket] if bucket.bucket < len(REPLY_HOUR_BOUNDS) else None
        lower = REPLY_HOUR_BOUNDS[bucket.bucket - 1] if bucket.bucket > 0 else None
        if upper is not None and upper <= sla_hours:
            within += bucket.n  # every value in the bucket is <= upper
        elif lower is None or lower < sla_hours:
            within += reader.within(group, bucket, sla_hours)  # the bucket straddles the SLA
        # else every value is > lower >= the SLA: none within
    return within


def usable(sla_hours: float) -> bool:
    """Whether the histograms can answer: the SLA comparison on clamped hours
    equals the raw one only for an SLA of 0 or more (NaN is not)."""
    return sla_hours >= 0


def reply_hours(store: Store, filters: Filters, by: str | None,
                sla_hours: float) -> dict[Any, dict[str, Any]] | None:
    """What :func:`feedback_tui.store.aggregates.reply_hours` returns, from the rollups;
    ``None`` when they are not fresh, and the caller must ask the raw query.

    The caller checks that the rollups may answer (:func:`rollups.refresh_for`, which
    refreshes them) and :func:`usable` for the SLA. The histograms and the index
    are then read in one transaction: a write by another process in between would
    otherwise leave a histogram that does not match the rows, and a rank that is
    not there.
    """
    with _snapshot(store) as fresh:
        return _from_histograms(store, filters, by, sla_hours) if fresh else None


def reply_hours_and_overall(store: Store, filters: Filters, by: str,
                            sla_hours: float) -> tuple[dict[Any, dict[str, Any]], dict[str, Any] | None] | None:
    """Per period ``by`` and over the whole window, what two calls of :func:`reply_hours`
    (``by`` and ``None``) return, reading the histograms once: every day falls in one
    period, so the window's histogram is the periods' added up (a scorecard by month
    read ``reply_daily`` twice, 11 ms each at 1M). The overall figures are ``None``
    when nothing was replied; the whole result is ``None`` when the rollups are stale.
    """
    if by not in PERIODS:
        raise ValueError(f"not a period: {by!r}")
    with _snapshot(store) as fresh:
        if not fresh:
            return None
        groups = _histograms(store, filters, by)
        overall = _added_up(groups)
        per_period = _figures(store, filters, by, sla_hours, groups)
        whole = _figures(store, filters, None, sla_hours, [overall]).get(None) if overall.buckets else None
        return per_period, whole


@contextmanager
def _snapshot(store: Store) -> Iterator[bool]:
    """One read transaction (unless the caller holds one) for the histograms and the
    index reads; yields whether the rollups are fresh."""
    own = not store.conn.in_transaction
    if own:
        store.conn.execute("BEGIN")
    try:
        yield store.scalar("SELECT 1 FROM rollup_dirty LIMIT 1") is None
    finally:
        if own:
            store.conn.execute("COMMIT")


def _added_up(groups: list[_Group]) -> _Group:
    """One group (key ``None``) whose buckets add up those of ``groups``, as
    :func:`_histograms` reads them without grouping: counts summed, day ranges widened."""
    merged: dict[int, _Bucket] = {}
    for group in groups:
        for bucket in group.buckets:
            seen = merged.get(bucket.bucket)
            if seen is None:
                merged[bucket.bucket] = replace(bucket)
            else:
                seen.n += bucket.n
                seen.first_day = min(seen.first_day, bucket.first_day)
                seen.last_day = max(seen.last_day, bucket.last_day)
    return _Group(None, [merged[b] for b in sorted(merged)])


def _from_histograms(store: Store, filters: Filters, by: str | None, sla_hours: float) -> dict[Any, dict[str, Any]]:
    return _figures(store, filters, by, sla_hours, _histograms(store, filters, by))


def _figures(store: Store, filters: Filters, by: str | None, sla_hours: float,
             groups: list[_Group]) -> dict[Any, dict[str, Any]]:
    """The figures of each of ``groups`` (their histograms read), by a few index reads."""
    reader = _Reader(store, filters, by)
    plans: list[tuple[_Group, list[int], int, list[_Lookup]]] = []
    for group in groups:
        c = group.count
        # The nearest ranks of the raw query, 1-based, with its integer division.
        middle = sorted({(c + 1) // 2, (c + 2) // 2})
        p90_rank = (9 * c + 9) // 10
        plans.append((group, middle, p90_rank, _lookups(group, {*middle, p90_rank})))
    lookups = [lookup for *_, group_lookups in plans for lookup in group_lookups]
    values: dict[tuple[int, int], Any] = {}  # (group index, rank) -> hours
    index_of = {id(group): index for index, group in enumerate(groups)}
    for lookup, found in zip(lookups, reader.values_many(lookups), strict=True):
        index = index_of[id(lookup.group)]
        for k, rank in lookup.ranks:
            values[(index, rank)] = found[k - lookup.first]
    medians = _averages(store, [[values[(i, r)] for r in middle] for i, (_, middle, _, _) in enumerate(plans)])
    return {
        group.key: {"median": median, "p90": values[(i, p90_rank)], "within_sla": _within_sla(reader, group, sla_hours),
                    **({"n": group.count} if by == AGENT else {})}  # the per-agent table shows the count too
        for i, ((group, _, p90_rank, _), median) in enumerate(zip(plans, medians, strict=True))
    }
