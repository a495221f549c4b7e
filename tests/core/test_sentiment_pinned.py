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
