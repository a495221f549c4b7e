"""Margins at n = 0, 1, 2 and small n, written alike by `score`, `score --json`, `report`
(and the dashboard: tests/tui/test_small_n_cards.py).

A tester saw "1.00★ ±2.00" for a single review: a normal margin at n = 1, which claimed −1 to 3
stars. Now an NPS or a mean from fewer than 5 answers has no margin ("n=1, too few for a margin"),
and a share's Wilson interval that a ± would misstate (1 satisfied answer: 20.7-100 %) is written
as the interval. Each expected value is computed by hand below; each CLI case runs the real
command on a real SQLite file, with French and English data, with --today on the last day of
November and on the 1st of December (both report November).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REVIEW_HEADER, assert_no_crash, write_csv
from feedback_tui import margins
from feedback_tui.cli import cli
from feedback_tui.scoring import nps, ratings

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SURVEY_HEADER = ["id", "kind", "score", "comment", "created_at"]


# -- the arithmetic, by hand -----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_below_five_answers_a_mean_and_an_nps_have_no_margin(n: int) -> None:
    stars = [1.0] * n  # the tester's single 1★ review, then more of them
    assert margins.mean_margin(n, sum(stars), sum(s * s for s in stars), 1.0, 5.0) is None
    assert margins.mean_interval(n, sum(stars), sum(s * s for s in stars), 1.0, 5.0) is None
    figures = ratings({"n": n, "total": sum(stars), "squares": n, "s1": n})
    assert (figures["mean"], figures["moe95"], figures["ci95"]) == (1.0, None, None)
    assert nps(n, n, 0)["moe95"] is None and nps(n, n, 0)["ci95"] is None
    assert margins.n_text("ratings", n) == f"n={n}, too few for a margin"


def test_five_stars_five_times_by_hand() -> None:
    # t(0.975, 4) = 2.776; s from 5,5,5,5,5 and the pseudo-answers 1 and 5:
    # Σ = 31, Σx² = 151, s² = (151 − 31²/7) / 6 = 2.2857; margin 2.776·√2.2857/√5 = 1.877
    margin = margins.mean_margin(5, 25.0, 125.0, 1.0, 5.0)
    assert margin == pytest.approx(2.776 * math.sqrt((151 - 31 ** 2 / 7) / 6) / math.sqrt(5))
    figures = ratings({"n": 5, "total": 25.0, "squares": 125.0, "s5": 5})
    assert figures["moe95"] == 1.88 and figures["ci95"] == [3.12, 5.0]  # clipped at 5
    # and its text: the interval, since 5.00 ±1.88 would claim 6.88 stars
    assert margins.margin_text("ratings", 1.88, value=5.0, interval=[3.12, 5.0]) == "[3.12, 5.00]"


def test_five_promoters_by_hand() -> None:
    # Rocks: n + 3 = 8, p = 5.75/8, d = 0.75/8; 1.96·√((p + d − (p − d)²)/8) = 45.0 points
    p, d = 5.75 / 8, 0.75 / 8
    half = 1.96 * math.sqrt((p + d - (p - d) ** 2) / 8) * 100
    figures = nps(5, 5, 0)
    assert figures["moe95"] == round(half, 1) == 45.0
    assert figures["ci95"] == [round((p - d) * 100 - half, 1), 100.0] == [17.5, 100.0]


def test_one_satisfied_answer_has_its_wilson_interval_written_not_a_plus_minus() -> None:
    # Wilson, n = 1, p = 1: centre (1 + 1.9208)/4.8416 = 0.6033, spread 1.96/4.8416·√(3.8416/4) = 0.3967
    interval = margins.wilson(1, 1)
    assert interval is not None and interval.low == pytest.approx(20.65, abs=0.01) and interval.high == 100.0
    text = margins.margin_text("csat", margins.share_margin(1, 1), value=100.0, interval=interval.rounded(1))
    assert text == "[20.7, 100.0]"  # not "±39.7", which claims up to 139.7 %
    assert margins.n_text("csat", 1) == "n=1"  # a share has a margin from its first answer


@pytest.mark.parametrize(("name", "value", "margin", "interval", "text"), [
    ("csat", 50.0, 9.6, [40.4, 59.6], "±9.6"),  # symmetric: the ±
    ("response_rate", 80.0, 7.8, [71.1, 86.7], "±7.8"),  # 8.9 against 6.7: close enough
    ("response_rate", 95.0, 4.5, [88.8, 97.8], "[88.8, 97.8]"),  # 6.2 against 2.8
    ("response_rate", 0.0, 0.048, [0.0, 0.096], "±<0.1"),  # lopsided, but under a tenth
    ("nps", -20.0, 30.0, [-50.0, 10.0], "±30.0"),
])
def test_the_writer_picks_the_plus_minus_or_the_interval(name: str, value: float, margin: float,
                                                         interval: list[float], text: str) -> None:
    assert margins.margin_text(name, margin, value=value, interval=interval) == text


def test_a_card_writes_whole_ends_rounded_outwards() -> None:
    """A card is a sixth of the screen wide: "100.0% [20.7, 100.0]" wrapped and pushed its last
    line off. Whole numbers, the low end down and the high end up, so never a narrower interval."""
    assert margins.margin_text("csat", 39.7, value=100.0, interval=[20.7, 100.0], compact=True) == "[20, 100]"
    assert margins.margin_text("nps", 22.0, value=-100.0, interval=[-100.0, -55.3], compact=True) == "[-100, -55]"
    assert margins.margin_text("ratings", 1.88, value=5.0, interval=[3.12, 5.0], compact=True) == "[3.12, 5.00]"
    assert margins.margin_text("csat", 9.6, value=50.0, interval=[40.4, 59.6], compact=True) == "±9.6"


def test_t_quantiles() -> None:
    assert margins.t975(1) == 12.706 and margins.t975(4) == 2.776 and margins.t975(30) == 2.042
    assert margins.t975(31) == pytest.approx(2.040, abs=0.001) and margins.t975(1000) == pytest.approx(1.962, abs=0.001)


# -- the commands -----------------------------------------------------------------------------------------
def _data(tmp_path: Path, n: int, language: str) -> tuple[Path, Path]:
    """``n`` 1★ reviews and ``n`` answers of each survey in November 2026 (the last one on the 30th at 23:59)."""
    body = {"fr": "Livraison en retard, produit abîmé.", "en": "Late delivery, damaged product."}[language]
    days = ["2026-11-01T00:00:00Z", "2026-11-30T23:59:59Z"][:n]
    reviews = [[f"r{i}", "trustpilot", 1, "", body, f"Client {i}", day, language, "", ""] for i, day in enumerate(days)]
    surveys = [[f"{kind}{i}", kind, score, "", day] for i, day in enumerate(days)
               for kind, score in (("nps", 10), ("csat", 5), ("ces", 2))]
    return (write_csv(tmp_path / f"reviews-{language}.csv", REVIEW_HEADER, reviews),
            write_csv(tmp_path / f"surveys-{language}.csv", SURVEY_HEADER, surveys))


@pytest.fixture(params=[(0, "fr"), (1, "fr"), (2, "en"), (1, "en")], ids=lambda p: f"n{p[0]}-{p[1]}")
def small_db(request: pytest.FixtureRequest, run_cli, tmp_path: Path) -> int:
    n, language = request.param
    for path in _data(tmp_path, n, language):
        if n:
            kind = ["--kind", "surveys"] if "surveys" in path.name else []
            result = run_cli("import", "--no-sentiment", *kind, path)
            assert result.exit_code == 0, result.output
    return n


def test_score_json_has_no_margin_below_five_answers(run_cli, small_db: int) -> None:
    result = run_cli("score", "--json", "--since", "2026-11-01", "--until", "2026-11-30")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["ratings"]["n"] == small_db and card["nps"]["n"] == small_db
    assert (card["ratings"]["moe95"], card["ratings"]["ci95"]) == (None, None)
    assert (card["nps"]["moe95"], card["nps"]["ci95"]) == (None, None)
    assert card["ratings"]["mean"] == (1.0 if small_db else None)


def test_score_table_says_too_few(db_path: Path, small_db: int) -> None:
    runner = CliRunner()
    terminal = runner.invoke(cli, ["--db", str(db_path), "score"], env={"FORCE_COLOR": "1", "COLUMNS": "250"})
    assert_no_crash(terminal)
    table = ANSI.sub("", terminal.stdout)
    if small_db:
        assert f"+100.0 n={small_db}, too few for a margin" in table, table
    else:
        assert "— n=0" in table, table
    assert "±" not in table.split("Customer scores")[1].split("\n", 3)[3], table  # no ± in a row
    piped = runner.invoke(cli, ["--db", str(db_path), "score"])
    overall = dict(zip(*[line.split("\t") for line in piped.stdout.splitlines()[:2]], strict=True))
    assert (overall["nps_moe95"], overall["stars_moe95"]) == ("", "")


@pytest.mark.parametrize("today", ["2026-11-30", "2026-12-01"])
def test_report_writes_too_few_and_the_wilson_interval(run_cli, small_db: int, today: str) -> None:
    result = run_cli("report", "--today", today)
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.strip("|").split("|")]
            for line in result.stdout.splitlines() if line.startswith("| ") and line.count("|") == 8}
    n = small_db
    # --today 2026-11-30 reports November; 2026-12-01 reports December (the period holding that
    # day: empty) against November, and the 12 months' total column holds November's answers
    nps, stars, ces, csat = (rows[name] for name in ("NPS", "Stars mean (1-5)", "CES mean (1-7)", "CSAT %"))
    wilson = {0: "—", 1: "[20.7, 100.0]", 2: "[34.2, 100.0]"}[n]  # 2 of 2: centre (1 + 0.9604)/2.9208
    too_few = f"(n={n}, too few for a margin)"  # the report's words (the score table has no brackets)
    if today == "2026-11-30":
        # no answer, no figure: nothing to call thin (try11)
        assert nps[1:4] == (["+100.0 *thin*", str(n), "too few"] if n else ["—", "0", "—"]), nps
        assert stars[1:4] == (["1.00 *thin*", str(n), "too few"] if n else ["—", "0", "—"]), stars
        assert ces[3] == ("too few" if n else "—") and csat[3] == wilson, (ces, csat)
    else:
        assert nps[1:5] == ["—", "0", "—", "+100.0" if n else "—"], nps
        assert stars[4] == ("1.00" if n else "—")
    assert nps[6] == (f"+100.0 {too_few}" if n else "—"), nps
    assert stars[6] == (f"1.00 {too_few}" if n else "—"), stars
    assert csat[6] == (f"100.0 {wilson}" if n else "—"), csat
    assert re.search(r"±\d+\.\d", result.stdout.split("## Trend")[0]) is None  # no ± from 0, 1 or 2 answers
    if n:
        assert f"mean 1.00★ {too_few}" in result.stdout


def test_an_interval_holds_its_own_mean_off_the_scale() -> None:
    """A CES asked on 1-10 (--ces-scale) counts an answer of 1 as 0.7 points of 1-7: five of them
    have a mean of 0.70, and an interval clipped at 1 would leave its own figure out."""
    interval = margins.mean_interval(5, 3.5, 5 * 0.49, 1.0, 7.0)
    assert interval is not None and interval.low <= 0.7 <= interval.high
