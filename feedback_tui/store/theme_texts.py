"""The texts the themes are computed from (issue 17, item 4): one period's reviews with a verdict.

The store's side of :mod:`feedback_tui.themes`. A review's verdict is its
author's stars when it has some (1-2 negative, 4-5 positive, 3 left out, as
the learned model counts them) and the stored sentiment label otherwise (a
source without stars). Spam is left out, as in every figure.

A period of a big workspace holds tens of thousands of reviews per language (65,000 a
month at one million): counting every 1-3-word phrase of all of them took 21 s and
300 MB. :func:`labelled_sample` reads at most ``per_class`` texts per language and
verdict, chosen by a fixed hash of the id (the same rows on every run, spread over the
whole period), and the full count of each class beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store.grouping import fixed_sample_order, where_clause


@dataclass(frozen=True, slots=True)
class LabelledText:
    id: int
    language: str
    text: str
    negative: bool


@dataclass(slots=True)
class LabelledSample:
    rows: list[LabelledText]
    totals: dict[tuple[str, bool], int] = field(default_factory=dict)  # (language, negative) -> all such reviews

    def sampled(self, language: str, negative: bool) -> bool:
        """Whether the class holds more reviews than were read."""
        read = sum(1 for row in self.rows if row.language == language and row.negative == negative)
        return self.totals.get((language, negative), 0) > read


_VERDICT = "CASE WHEN rating IS NOT NULL THEN rating <= 2 ELSE sentiment = 'negative' END"
_LABELLED = """status != 'spam' AND language IS NOT NULL
    AND (CASE WHEN rating IS NOT NULL THEN rating != 3 ELSE sentiment IN ('negative', 'positive') END)"""
_CLASSES_SQL = f"""
    SELECT language, {_VERDICT} AS negative, count(*) FROM reviews
    WHERE {{where}} AND {_LABELLED} {{only}}
    GROUP BY 1, 2
"""
_PICK_SQL = f"""
    SELECT r.id, r.language,
           CASE WHEN r.title IS NOT NULL AND r.title != '' THEN r.title || '. ' || r.body ELSE r.body END
    FROM (SELECT id FROM reviews
          WHERE {{where}} AND {_LABELLED} AND language = :language AND ({_VERDICT}) = :negative
          ORDER BY {fixed_sample_order("id")} LIMIT :per_class) AS picked
    JOIN reviews AS r ON r.id = picked.id
"""


def labelled_sample(store: Store, filters: Filters, per_class: int, *, negative_only: bool = False) -> LabelledSample:
    """At most ``per_class`` reviews per language and verdict that ``filters`` select, and the class totals
    (``negative_only``: the negative reviews alone, all a previous period is compared on), in id order.

    Each class is counted, then its sample read by its own ``ORDER BY ... LIMIT``, which SQLite
    keeps to ``per_class`` rows as it goes: one statement numbering every row of the period
    (``row_number() OVER (PARTITION BY ...)``) held all of them, 8.6 MB of the app's peak memory
    at 1M reviews (issue 19) for the same rows.
    """
    where, params = where_clause(filters)
    sample = LabelledSample([])
    only = f"AND ({_VERDICT})" if negative_only else ""
    classes = store.conn.execute(_CLASSES_SQL.format(where=where, only=only), params).fetchall()
    for language, negative, total in classes:
        sample.totals[(str(language), bool(negative))] = int(total)
        picked = store.conn.execute(_PICK_SQL.format(where=where),
                                    {**params, "language": language, "negative": negative, "per_class": per_class})
        sample.rows.extend(LabelledText(int(i), str(lang), str(text or ""), bool(negative)) for i, lang, text in picked)
    sample.rows.sort(key=lambda row: row.id)
    return sample
