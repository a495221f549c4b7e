"""The texts the themes are computed from (issue 17, item 4): one period's reviews with a verdict.

The store's side of :mod:`feedback_tui.themes`. A review's verdict is its
author's stars when it has some (1-2 negative, 4-5 positive, 3 left out, as
the learned model counts them) and the stored sentiment label otherwise (a
source without stars). Spam is left out, as in every figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store.grouping import where_clause


@dataclass(frozen=True, slots=True)
class LabelledText:
    id: int
    language: str
    text: str
    negative: bool


_SQL = """
    SELECT id, language,
           CASE WHEN title IS NOT NULL AND title != '' THEN title || '. ' || body ELSE body END,
           CASE WHEN rating IS NOT NULL THEN rating <= 2 ELSE sentiment = 'negative' END
    FROM reviews
    WHERE {where} AND status != 'spam' AND language IS NOT NULL
          AND (CASE WHEN rating IS NOT NULL THEN rating != 3 ELSE sentiment IN ('negative', 'positive') END)
    ORDER BY id
"""


def labelled_reviews(store: Store, filters: Filters) -> list[LabelledText]:
    """The reviews ``filters`` select that have a negative or positive verdict."""
    where, params = where_clause(filters)
    return [LabelledText(int(i), str(language), str(text or ""), bool(negative))
            for i, language, text, negative in store.conn.execute(_SQL.format(where=where), params)]
