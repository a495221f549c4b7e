"""95 % margins that stay honest at small n and at the ends of a scale.

Why not the textbook Wald margin, 1.96·√(p(1−p)/n)? At 0 % or 100 % it is 0,
so any change looks significant, and at n = 2 an NPS margin reaches ±138,
wider than the scale. And a margin from a normal approximation at n = 1 means
nothing: "1.00★ ±2.00" for one review claims −1 to 3 stars. Per figure:

- **Shares** (CSAT, response rate, SLA share) use the Wilson score interval
  (E. B. Wilson, "Probable inference, the law of succession, and statistical
  inference", JASA 22, 1927; recommended for small n by Brown, Cai & DasGupta,
  "Interval Estimation for a Binomial Proportion", Statistical Science 16,
  2001). It is built for small n, never 0 for n ≥ 1 and always inside
  0-100 %, so it is shown from n = 1: one satisfied answer is 100 % with an
  interval of [20.7, 100.0].
- **NPS** is the difference of two shares of one sample (promoters −
  detractors): its variance is the standard (p + d − (p − d)²) / n, taken as
  in B. Rocks, "Interval Estimation for the Net Promoter Score", The American
  Statistician 70(4), 2016, after three pseudo-answers (¾ promoter, ¾
  detractor, 1½ passive) so that 100 % promoters is not ±0. The interval is
  clipped to −100…+100. Below ``MIN_N`` (5) answers there is no margin: the
  interval of 4 promoters still runs from +50 to +100 and one of fewer
  answers says less than the figure itself.
- **Means** (stars 1-5, CES 1-7, polarity −1…+1) use Student's t interval,
  mean ± t(0.975, n − 1)·s/√n, clipped to the scale. For a bounded scale, one
  pseudo-answer at each end is added to s (not to the mean), so five 5★
  reviews do not give ±0. Below ``MIN_N`` (5) answers there is no margin:
  t is 12.7 at n = 2 and 4.3 at n = 3, so the interval is the whole scale.

Every function returns ``None`` at n = 0 (no data, no margin) and below a
figure's minimum n; the text then says "n=2, too few for a margin"
(:func:`n_text`).

How a margin is *written* is decided here too, once for the dashboard's
cards and charts, ``report`` and ``score``: ``±0.4`` when the interval is
about symmetric around the figure, the interval itself (``[20.7, 100.0]``)
when it is not (an edge of the scale, a small n): ``100.0 % ±39.6`` would
claim up to 139.6 %. A margin that rounds to nothing reads ``±<0.1``, never
``±0.0``, since a figure with an answer is never exact. Numbers in JSON and
CSV stay numbers (``moe95``, half the interval's width, and ``ci95``, its
ends); only the text renderings say ``<0.1`` or write the interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.96
MIN_N = 5  # NPS and means: fewer answers give no margin (see the module's docstring)
# Student's t, 0.975 quantile, for 1..30 degrees of freedom; beyond, the
# Cornish-Fisher expansion in 1/df (within 0.001 of the table at df = 30).
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042)
# figure -> the fewest answers with a margin (shares: Wilson holds from one answer)
MIN_N_OF = {"nps": MIN_N, "ratings": MIN_N, "ces": MIN_N, "sentiment": MIN_N, "csat": 1, "response_rate": 1}


@dataclass(frozen=True)
class Interval:
    """A 95 % interval around an observed figure, in the figure's own units."""

    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def rounded(self, digits: int) -> list[float]:
        """``[low, high]`` as JSON writes it (``ci95``)."""
        return [round(self.low + 0.0, digits), round(self.high + 0.0, digits)]


def t975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("a t interval needs at least 2 answers")
    if df <= len(T975):
        return T975[df - 1]
    z = Z95
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df)


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


def _nps_half(n: int, promoters: int, detractors: int, z: float = Z95) -> tuple[float, float]:
    """Rocks' adjusted score and half-width, as fractions."""
    n_adj = n + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    return p - d, z * math.sqrt((p + d - (p - d) ** 2) / n_adj)


def nps_interval(n: int, promoters: int, detractors: int, z: float = Z95) -> Interval | None:
    """Rocks' adjusted Wald interval of the NPS, in points, clipped to ±100; ``None``
    below :data:`MIN_N` answers."""
    if n < MIN_N:
        return None
    score, half = _nps_half(n, promoters, detractors, z)
    return Interval(max(-1.0, score - half) * 100.0, min(1.0, score + half) * 100.0)


def nps_margin(n: int, promoters: int, detractors: int) -> float | None:
    """The half-width, in points, of :func:`nps_interval` before clipping: the ± shown
    beside an NPS. Between 0 and 98 points, never 0; ``None`` below :data:`MIN_N`."""
    if n < MIN_N:
        return None
    return round(_nps_half(n, promoters, detractors)[1] * 100.0, 1)


def mean_margin(n: int, total: float, squares: float, low: float | None = None,
                high: float | None = None) -> float | None:
    """95 % margin of a mean from n, Σx and Σx²: Student's t·s/√n, ``None`` below :data:`MIN_N`.

    With a scale (``low``, ``high``), a pseudo-answer at each end is added to the
    variance (not to the mean): a margin of a bounded mean is never 0, and never
    more than the scale's half-width.
    """
    if n < MIN_N:
        return None
    t = t975(n - 1)
    if low is None or high is None:
        variance = max((squares - total * total / n) / (n - 1), 0.0)
        return t * math.sqrt(variance / n)
    n2 = n + 2
    total2, squares2 = total + low + high, squares + low * low + high * high
    variance = max((squares2 - total2 * total2 / n2) / (n2 - 1), 0.0)
    return min(t * math.sqrt(variance / n), (high - low) / 2.0)


def mean_interval(n: int, total: float, squares: float, low: float, high: float,
                  pseudo: bool = True) -> Interval | None:
    """The t interval of a mean on ``low``…``high``, clipped to the scale; ``pseudo``
    adds :func:`mean_margin`'s pseudo-answers to the variance (stars, CES; not polarity)."""
    margin = mean_margin(n, total, squares, low, high) if pseudo else mean_margin(n, total, squares)
    if margin is None:
        return None
    mean = total / n
    # never an interval without its own mean: a CES asked on 1-10 counts 1 as 0.7 points (--ces-scale)
    return Interval(max(min(low, mean), mean - margin), min(max(high, mean), mean + margin))


# The means of short scales (stars 1-5, CES 1-7, polarity -1..+1) move in hundredths;
# NPS points and percents in tenths. A figure and its margin share the figure's decimals.
TWO_DECIMALS = frozenset({"sentiment", "ces", "ratings"})


def figure_digits(name: str) -> int:
    """The decimals of a figure of ``name`` (trends.METRICS' names) and of its margin."""
    return 2 if name in TWO_DECIMALS else 1


def too_few(name: str, n: int) -> bool:
    """Whether a figure of ``name`` from ``n`` answers is shown without a margin."""
    return name in MIN_N_OF and 0 < n < MIN_N_OF[name]


def n_text(name: str, n: int, short: bool = False) -> str:
    """``n=12``, or ``n=2, too few for a margin`` below the figure's minimum n (``short``, for
    a dashboard card a sixth of the screen wide: ``n=2, too few for ±``)."""
    if not too_few(name, n):
        return f"n={n}"
    return f"n={n}, too few for ±" if short else f"n={n}, too few for a margin"


def lopsided(value: float | None, interval: Interval | list[float] | None, digits: int) -> bool:
    """Whether ``value ± half-width`` would misstate the interval: its shorter side is
    under two thirds of the longer (at an edge of the scale, at small n), and the
    difference shows at the figure's decimals (ten units of the last one)."""
    if value is None or interval is None:
        return False
    low, high = (interval.low, interval.high) if isinstance(interval, Interval) else interval
    below, above = value - low, high - value
    longer, shorter = max(below, above), min(below, above)
    return longer >= 10 * 10 ** -digits and shorter < longer * 2 / 3


def margin_figure(margin: float | None, digits: int = 1, *, value: float | None = None,
                  interval: Interval | list[float] | None = None, compact: bool = False) -> str:
    """A margin as a table cell: ``0.4``; ``<0.1`` when it rounds to nothing at ``digits``
    (0 replies of 17,516 is 0.0 % ±0.011, not ±0.0); ``[20.7, 100.0]`` when the interval is
    lopsided around ``value`` (:func:`lopsided`); ``—`` for no margin (no answer, too few).
    ``compact`` (a dashboard card a sixth of the screen wide) writes the ends of a
    one-decimal interval as whole numbers rounded outwards, ``[20, 100]``: never narrower."""
    if margin is None:
        return "—"
    if lopsided(value, interval, digits):
        low, high = (interval.low, interval.high) if isinstance(interval, Interval) else interval  # type: ignore
        if compact and digits == 1:
            return f"[{math.floor(low + 1e-9)}, {math.ceil(high - 1e-9)}]"
        return f"[{low + 0.0:.{digits}f}, {high + 0.0:.{digits}f}]"
    shown = f"{margin:.{digits}f}"
    if float(shown) == 0:
        return f"<{10 ** -digits:.{digits}f}"
    return shown


def margin_text(name: str, margin: float, digits: int | None = None, *, value: float | None = None,
                interval: Interval | list[float] | None = None, compact: bool = False) -> str:
    """``±0.4`` beside a figure of ``name``; ``±<0.1`` for a margin that rounds to nothing:
    a figure without an answer has no margin (None), so a margin of 0 is one the rounding
    took away; the interval ``[20.7, 100.0]`` when it is lopsided around ``value``.
    ``digits`` defaults to :func:`figure_digits`."""
    digits = figure_digits(name) if digits is None else digits
    cell = margin_figure(margin, digits, value=value, interval=interval, compact=compact)
    return cell if cell.startswith("[") else "±" + cell
