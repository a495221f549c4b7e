"""Margins at the edges: n = 1, n = 2, 0 % and 100 %; never 0, never wider than the scale."""

from __future__ import annotations

import math

import pytest

from feedback_tui.margins import mean_margin, nps_interval, nps_margin, share_margin, wilson
from feedback_tui.trends import MIN_N, change


@pytest.mark.parametrize("n,part", [(1, 0), (1, 1), (2, 0), (2, 2), (3, 3), (100, 0), (100, 100)])
def test_wilson_is_never_zero_and_stays_inside_0_100(n: int, part: int) -> None:
    interval = wilson(n, part)
    assert interval is not None
    assert 0.0 <= interval.low <= 100.0 * part / n + 1e-9 and 100.0 * part / n - 1e-9 <= interval.high <= 100.0
    assert share_margin(n, part) > 0


def test_wilson_by_hand() -> None:
    # n=3, 3/3: centre (1 + 1.9208/3)/(1 + 3.8416/3) = 0.7193, spread 0.2808 -> 43.85 .. 100
    interval = wilson(3, 3)
    assert interval is not None and abs(interval.low - 43.85) < 0.01 and abs(interval.high - 100.0) < 1e-9
    assert share_margin(0, 0) is None


@pytest.mark.parametrize("n,promoters,detractors", [(5, 5, 0), (5, 0, 5), (5, 0, 0), (6, 3, 3), (7, 7, 0),
                                                    (8, 0, 8), (1000, 1000, 0)])
def test_nps_margin_is_never_zero_nor_wider_than_the_scale(n: int, promoters: int, detractors: int) -> None:
    margin = nps_margin(n, promoters, detractors)
    assert margin is not None and 0 < margin <= 100
    interval = nps_interval(n, promoters, detractors)
    assert interval is not None and -100 <= interval.low < interval.high <= 100


@pytest.mark.parametrize("n,promoters,detractors", [(1, 1, 0), (1, 0, 1), (2, 1, 1), (4, 4, 0)])
def test_an_nps_of_fewer_than_five_answers_has_no_margin(n: int, promoters: int, detractors: int) -> None:
    assert nps_margin(n, promoters, detractors) is None and nps_interval(n, promoters, detractors) is None


def test_nps_margin_by_hand() -> None:
    # Rocks' adjusted Wald at 5 promoters: n~=8, p~=5.75/8, d~=0.75/8
    p, d = 5.75 / 8, 0.75 / 8
    assert nps_margin(5, 5, 0) == round(1.96 * math.sqrt((p + d - (p - d) ** 2) / 8) * 100, 1) == 45.0
    assert nps_margin(0, 0, 0) is None


@pytest.mark.parametrize("values", [[5.0] * 5, [1.0] * 6, [4.5] * 5, [1.0, 5.0, 1.0, 5.0, 1.0]])
def test_star_mean_margin_is_never_zero_nor_wider_than_the_scale(values: list[float]) -> None:
    margin = mean_margin(len(values), sum(values), sum(v * v for v in values), 1.0, 5.0)
    assert margin is not None and 0 < margin <= 2.0


@pytest.mark.parametrize("values", [[5.0], [5.0, 5.0], [1.0, 1.0, 1.0], [4.5, 4.5, 4.5, 4.5]])
def test_a_mean_of_fewer_than_five_answers_has_no_margin(values: list[float]) -> None:
    assert mean_margin(len(values), sum(values), sum(v * v for v in values), 1.0, 5.0) is None


def test_significance_needs_enough_answers_on_both_sides() -> None:
    thin = change(100.0, 0.0, share_margin(3, 3), share_margin(3, 0), 3, 3)
    assert thin["significant"] is None and thin["reason"] == "not enough answers"
    big = change(90.0, 10.0, share_margin(MIN_N, 27), share_margin(MIN_N, 3), MIN_N, MIN_N)
    assert big["significant"] is True and big["reason"] is None
    small = change(55.0, 50.0, share_margin(100, 55), share_margin(100, 50), 100, 100)
    assert small["significant"] is False
    assert change(None, 50.0, None, 1.0)["reason"] == "no current figure"
    assert change(50.0, None, 1.0, None)["reason"] == "no previous figure"
