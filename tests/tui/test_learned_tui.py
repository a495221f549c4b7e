"""Issue 17 in the TUI: the dashboard's "What negative reviews talk about" panel, the mismatch view, the model line.

The reviews are those of tests/core/test_themes.py: October's negative reviews
are about "la mise à jour" (12) and "le service client" (8). With the clock on
2026-11-05 the dashboard shows October (the last complete month) against
September, and so must the panel; ``enter`` on a theme lists exactly the 12
reviews behind it in the inbox.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import loaded_rows, review_list, settle

from conftest import REVIEW_HEADER, raw_rows, write_csv
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.dashboard import DashboardScreen
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.widgets.themes_panel import ThemesPanel

from core.test_themes import rows


async def test_panel_shows_the_period_themes_and_opens_their_reviews(db_path: Path, tmp_path: Path, run_cli) -> None:
    assert run_cli("import", write_csv(tmp_path / "avis.csv", REVIEW_HEADER, rows())).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False, today=date(2026, 11, 5))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        panel = app.screen.query_one(ThemesPanel)
        assert panel.period is not None and panel.period["period"] == "2026-10"
        table = panel.query_one(DataTable)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert cells == [["mise à jour", "12", "60%", "+40 pts", "0"], ["service client", "8", "40%", "+40 pts", "0"]]
        table.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        listed = loaded_rows(review_list(app))
        assert len(listed) == 12 == app.screen.total
        bodies = dict(raw_rows(db_path, "SELECT id, body FROM reviews"))
        assert all("mise à jour" in bodies[row.id] and row.rating == 1 for row in listed)
        assert sum("mise à jour" in body for body in bodies.values()) == 14  # 12 in October, 2 in September


async def test_mismatch_view_and_the_detail_says_which_model_scored(db_path: Path, tmp_path: Path, run_cli) -> None:
    """5 lists the reviews whose text contradicts their stars; the detail names the model."""
    from core.test_sentiment_model import _reviews_csv
    from tui_helpers import screen_text

    from feedback_tui.tui.screens.review import ReviewScreen

    assert run_cli("import", _reviews_csv(tmp_path / "r.csv", 60)).exit_code == 0
    assert run_cli("train-sentiment", "--min-per-class", 50, "--folds", 2).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        assert app.screen.total == 1 and app.screen.query_state.mismatch
        assert "text contradicts stars (5)" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        text = screen_text(app)
        assert "scored by learned from 121 of your texts" in text and "0." in text.split("texts, ")[1][:4]
        assert "mismatch: the text contradicts the stars" in text
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("5")  # off again
        await settle(app, pilot)
        assert app.screen.total == 121 and not app.screen.query_state.mismatch


async def test_detail_of_a_lexicon_scored_review(db_path: Path, tmp_path: Path, run_cli) -> None:
    from tui_helpers import screen_text

    assert run_cli("import", write_csv(tmp_path / "avis.csv", REVIEW_HEADER, rows()[:3])).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("4", "enter")
        await settle(app, pilot)
        assert "scored by the lexicon" in screen_text(app)


async def test_a_sampled_period_shows_estimates_and_enter_searches_the_phrase(
        db_path: Path, tmp_path: Path, run_cli, monkeypatch) -> None:
    """Past SAMPLE_PER_CLASS texts per class (2,000; 15 here), the panel says its counts are
    estimates and ``enter`` lists the period's 1-2★ reviews that contain the phrase, found
    through the search index rather than a list of the sample's ids."""
    from feedback_tui import themes

    monkeypatch.setattr(themes, "SAMPLE_PER_CLASS", 15)
    assert run_cli("import", write_csv(tmp_path / "avis.csv", REVIEW_HEADER, rows())).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False, today=date(2026, 11, 5))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        panel = app.screen.query_one(ThemesPanel)
        status = str(panel.query_one("#themes-status").render())
        assert "≈ from a sample (fr 15 neg. read)" in status, status
        table = panel.query_one(DataTable)
        first = [str(c) for c in table.get_row_at(0)]
        assert first[1].startswith("≈")
        phrase = first[0]
        table.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        listed = loaded_rows(review_list(app))
        bodies = dict(raw_rows(db_path, "SELECT id, body FROM reviews"))
        dates = dict(raw_rows(db_path, "SELECT id, created_at FROM reviews"))
        expected = {i for i, body in bodies.items() if phrase in body and dates[i].startswith("2026-10")}
        assert expected and {row.id for row in listed} == expected
        assert all(row.rating <= 2 for row in listed)


async def test_too_few_negative_reviews_for_themes_says_how_many_in_words(db_path: Path, tmp_path: Path,
                                                                          run_cli) -> None:
    """One negative review reads "1 negative review" (it read "1 negative reviews": try10)."""
    reviews = [["e1", "trustpilot", 1, "", "Terrible delivery, the parcel arrived broken.", "Ann",
                "2026-10-03T10:00:00Z", "en", "", ""],
               ["e2", "trustpilot", 5, "", "Lovely shop, quick delivery.", "Bob", "2026-10-04T10:00:00Z", "en", "", ""],
               ["f1", "trustpilot", 1, "", "Colis abîmé et service client injoignable.", "Léa",
                "2026-10-05T10:00:00Z", "fr", "", ""],
               ["f2", "trustpilot", 2, "", "Livraison en retard, produit cassé.", "Marc", "2026-10-06T10:00:00Z", "fr",
                "", ""]]
    assert run_cli("import", "--no-sentiment", write_csv(tmp_path / "few.csv", REVIEW_HEADER, reviews)).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False, today=date(2026, 11, 5))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        status = str(app.screen.query_one(ThemesPanel).query_one("#themes-status").content)
        assert "en: 1 negative review, too few for themes" in status, status
        assert "fr: 2 negative reviews, too few for themes" in status, status


async def test_languages_without_negative_reviews_leave_the_themes_in_view(db_path: Path, tmp_path: Path,
                                                                           run_cli) -> None:
    """A French shop's month with a few positive reviews in other languages (3a: en, it, nl):
    a "0 negative reviews, too few for themes" line per language filled the panel at
    140x45, and the French themes under them were never seen."""
    from tui_helpers import screen_text

    others = [[f"x{i}", "trustpilot", 5, "", text, "Client", f"2026-10-{10 + i}T10:00:00Z", lang, "", ""]
              for i, (lang, text) in enumerate([("en", "Great shop, fast delivery"), ("it", "Ottimo negozio"),
                                                ("nl", "Goede winkel"), ("es", "Muy buena tienda"),
                                                ("de", "Guter Laden")])]
    assert run_cli("import", write_csv(tmp_path / "avis.csv", REVIEW_HEADER, rows() + others)).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False, today=date(2026, 11, 5))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        panel = app.screen.query_one(ThemesPanel)
        assert [lang for lang, block in panel.result.items() if block.n_negative == 0] == ["de", "en", "es", "it", "nl"]
        text = screen_text(app)
        assert "mise à jour" in text and "service client" in text, text
        status = str(panel.query_one("#themes-status").render())
        assert "fr 20 neg. / 40 pos." in status and "de, en, es, it, nl: no negative review" in status, status
        assert "too few for themes" not in status
