"""The analyzer's scores on a fixed corpus, pinned exactly (issue 19: speed work moves no score).

The corpus and how to rewrite the pins after a deliberate lexicon or rule change are in
``sentiment_pins.py``.
"""

from __future__ import annotations

import json

from sentiment_pins import PINS, scores


def test_scores_match_the_pins() -> None:
    pinned = json.loads(PINS.read_text(encoding="utf-8"))
    now = scores()
    assert len(now) == len(pinned)
    moved = [(old, new) for old, new in zip(pinned, now, strict=True) if old != new]
    assert not moved, f"{len(moved)} of {len(now)} scores moved, first: {moved[:3]}"


def test_the_process_pool_scores_as_one_process() -> None:
    """Workers forked from the warmed fork server send plain tuples back: same Sentiments."""
    from feedback_tui.sentiment import _analyze_chunk
    from feedback_tui.sentiment_pool import POOL_THRESHOLD, Pool
    from sentiment_pins import corpus

    texts = corpus()
    items = [(row_id, *texts[row_id % len(texts)]) for row_id in range(POOL_THRESHOLD + 500)]
    with Pool(2) as pool:
        assert pool.analyze_many(items) == _analyze_chunk(items)
