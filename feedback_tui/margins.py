"""95 % margins that stay honest at small n and at the ends of a scale.

Why not the textbook Wald margin, 1.96·√(p(1−p)/n)? At 0 % or 100 % it is 0,
so any change looks significant, and at n = 2 an NPS margin reaches ±138,
wider than the scale. Here:

- **Shares** (CSAT, response rate, SLA share) use the Wilson score interval
  (E. B. Wilson, "Probable inference, the law of succession, and statistical
  inference", JASA 22, 1927; recommended by Brown, Cai & DasGupta, "Interval
  Estimation for a Binomial Proportion", Statistical Science 16, 2001). It is
  never 0 for n ≥ 1 and stays inside 0-100 %.
- **NPS** uses the adjusted Wald interval of B. Rocks, "Interval Estimation for
  the Net Promoter Score", The American Statistician 70(4), 2016: three
  pseudo-answers are added (¾ promoter, ¾ detractor, 1½ passive) before the
  variance of the −1/0/+1 scores is taken. Its half-width is never 0 and never
  more than 98 points; the interval is clipped to −100…+100.
- **Means** (stars 1-5, CES 1-7) use the normal margin of the mean, with one
  pseudo-answer at each end of the scale added to the variance when n is small
  or every answer is the same (so 5 five-star reviews do not give ±0).

Every function returns ``None`` at n = 0: no data, no margin.

How a margin is *written* is decided here too (:func:`margin_text`), once for the
dashboard, ``report`` and ``score``: a margin that rounds to nothing reads ``±<0.1``,
never ``±0.0``, since a figure with an answer is never exact. Numbers in JSON and CSV
stay numbers; only the text renderings say ``<0.1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.96


@dataclass(frozen=True)
class Interval:
    """A 95 % interval around an observed figure, in the figure's own units."""

    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0


def wilson(n: int, part: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval of ``part / n``, in percent."""
    if n <= 0:
        return None
    p = part / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    spread = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Interval(max(0.0, centre - spread) * 100.0, min(1.0, centre + spread) * 100.0)


def share_margin(n: int, part: int) -> float | None:
    """Half the width of the Wilson interval, in points (never 0 for n ≥ 1)."""
    interval = wilson(n, part)
    return None if interval is None else round(interval.half_width, 1)


def nps_interval(n: int, promoters: int, detractors: int, z: float = Z95) -> Interval | None:
    """Rocks' adjusted Wald interval of the NPS, in points, clipped to ±100."""
    if n <= 0:
        return None
    n_adj = n + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    score = p - d
    half = z * math.sqrt((p + d - score * score) / n_adj)
    return Interval(max(-1.0, score - half) * 100.0, min(1.0, score + half) * 100.0)


def nps_margin(n: int, promoters: int, detractors: int) -> float | None:
    """The half-width, in points, of :func:`nps_interval` before clipping: the ± shown
    beside an NPS. Between 0 and 98 points, never 0 for n ≥ 1."""
    if n <= 0:
        return None
    n_adj = n + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    return round(Z95 * math.sqrt((p + d - (p - d) ** 2) / n_adj) * 100.0, 1)


def mean_margin(n: int, total: float, squares: float, low: float | None = None,
                high: float | None = None) -> float | None:
    """95 % margin of a mean from n, Σx and Σx².

    With a scale (``low``, ``high``), a pseudo-answer at each end is added to the
    variance (not to the mean): a margin of a bounded mean is never 0, and never
    more than the scale's half-width. Without a scale (polarity), n < 2 has no margin.
    """
    if n <= 0:
        return None
    if low is None or high is None:
        if n < 2:
            return None
        variance = max((squares - total * total / n) / (n - 1), 0.0)
        return Z95 * math.sqrt(variance / n)
    n2 = n + 2
    total2, squares2 = total + low + high, squares + low * low + high * high
    variance = max((squares2 - total2 * total2 / n2) / (n2 - 1), 0.0)
    return min(Z95 * math.sqrt(variance / n), (high - low) / 2.0)


# The means of short scales (stars 1-5, CES 1-7, polarity -1..+1) move in hundredths;
# NPS points and percents in tenths. A figure and its margin share the figure's decimals.
TWO_DECIMALS = frozenset({"sentiment", "ces", "ratings"})


def figure_digits(name: str) -> int:
    """The decimals of a figure of ``name`` (trends.METRICS' names) and of its margin."""
    return 2 if name in TWO_DECIMALS else 1


def margin_figure(margin: float | None, digits: int = 1) -> str:
    """A margin as a table cell: ``0.4``; ``<0.1`` when it rounds to nothing at ``digits``
    (0 replies of 17,516 is 0.0 % ±0.011, not ±0.0); ``—`` for no margin (no answer)."""
    if margin is None:
        return "—"
    shown = f"{margin:.{digits}f}"
    if float(shown) == 0:
        return f"<{10 ** -digits:.{digits}f}"
    return shown


def margin_text(name: str, margin: float, digits: int | None = None) -> str:
    """``±0.4`` beside a figure of ``name``; ``±<0.1`` for a margin that rounds to nothing:
    a figure without an answer has no margin (None), so a margin of 0 is one the rounding
    took away. ``digits`` defaults to :func:`figure_digits`."""
    return "±" + margin_figure(margin, figure_digits(name) if digits is None else digits)
