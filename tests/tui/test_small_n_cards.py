"""The dashboard's cards, charts and chart titles at n = 1 and 2 agree with `report` and `score`
(tests/core/test_small_n_margins.py): no margin for an NPS or a star mean of fewer than 5 answers,
"n=1, too few for a margin" instead, and a share's Wilson interval written as an interval.

French and English reviews; the clock on the 1st of December (the cards show November, complete)
and on the 30th of November (November still running: the cards show it "so far")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tui_helpers import settle

from conftest import REVIEW_HEADER, write_csv
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.dashboard import DashboardScreen
from feedback_tui.tui.widgets.score_card import ScoreCard
from feedback_tui.tui.widgets.trend_panel import TrendPanel


@pytest.mark.parametrize(("n", "language", "today"), [(1, "fr", date(2026, 12, 1)), (2, "en", date(2026, 12, 1)),
                                                       (1, "en", date(2026, 11, 30))])
async def test_cards_at_one_and_two_answers(run_cli, db_path: Path, tmp_path: Path, n: int, language: str,
                                            today: date) -> None:
    body = {"fr": "Colis arrivé cassé.", "en": "Parcel arrived broken."}[language]
    days = ["2026-11-01T00:00:00Z", "2026-11-30T23:59:59Z"][:n]
    reviews = write_csv(tmp_path / "r.csv", REVIEW_HEADER,
                        [[f"r{i}", "trustpilot", 1, "", body, f"C{i}", d, language, "", ""] for i, d in enumerate(days)])
    surveys = write_csv(tmp_path / "s.csv", ["id", "kind", "score", "comment", "created_at"],
                        [[f"{k}{i}", k, s, "", d] for i, d in enumerate(days) for k, s in (("nps", 10), ("csat", 5))])
    assert run_cli("import", "--no-sentiment", reviews).exit_code == 0
    assert run_cli("import", "--no-sentiment", "--kind", "surveys", surveys).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False, today=today)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.figures is not None

        def card(metric: str) -> list[str]:
            return screen.query_one(f"#card-{metric}", ScoreCard).content.plain.splitlines()

        assert card("ratings")[:2] == ["1.00★", f"n={n}, too few for ±"]
        assert card("nps")[:2] == ["+100.0", f"n={n}, too few for ±"]
        for metric in ("ratings", "nps", "csat"):  # five lines, none wider than the card: nothing wraps off it
            width = screen.query_one(f"#card-{metric}", ScoreCard).content_region.width
            assert len(card(metric)) <= 5 and all(len(line) <= width for line in card(metric)), (metric, width)
        wilson = {1: "[20.7, 100.0]", 2: "[34.2, 100.0]"}[n]
        # on the card, whole ends rounded outwards so that it stays on one line: 100.0% [20, 100]
        assert card("csat")[:2] == [f"100.0% {({1: '[20, 100]', 2: '[34, 100]'}[n])}", f"n={n} · thin sample"]
        assert not any("±" in card(metric)[0] for metric in ("ratings", "nps", "csat"))  # beside no figure
        nps = screen.query_one("#trend-nps", TrendPanel)
        assert nps.border_subtitle == f"2026-11: 100.0 (n={n}, too few for a margin)", nps.border_subtitle
        assert nps.border_title.endswith(f"all 12: +100.0 (n={n}, too few for a margin)"), nps.border_title
        csat = screen.query_one("#trend-csat", TrendPanel)
        assert csat.border_title.endswith(f"all 12: 100.0% {wilson}"), csat.border_title
