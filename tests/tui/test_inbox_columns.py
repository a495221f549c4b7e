"""What the inbox's column titles and row cells say, on real SQLite files and the real app."""

from __future__ import annotations

from pathlib import Path

from conftest import REVIEW_HEADER, import_file, write_csv
from feedback_tui.config import Config
from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.widgets.column_header import ColumnHeader
from tui_helpers import SIZE, inbox_of, review_list, row_line, settle


def make_app(path: Path) -> FeedbackApp:
    return FeedbackApp(db_path=path, agent="camille", config=Config(send_grace_seconds=0), watch=False)


def header_text(app: FeedbackApp) -> str:
    return inbox_of(app).query_one(ColumnHeader).render().plain


async def test_a_review_with_a_title_and_no_text_has_no_dangling_dash(tmp_path: Path, db_path: Path) -> None:
    """Trustpilot scrapes hold titles without a text ("Très rapide la livraison merci."):
    the row read "title —" with nothing after the dash."""
    csv_path = write_csv(tmp_path / "titles.csv", REVIEW_HEADER, [
        ["t1", "trustpilot", 5, "Très rapide la livraison merci.", "", "Ann", "2026-03-02T10:00:00Z", "fr", "", ""],
        ["t2", "trustpilot", 1, "Colis abîmé", "Le carton était ouvert.", "Bob", "2026-03-01T10:00:00Z", "fr", "", ""],
    ])
    with Store.open(db_path) as store:
        import_file(store, csv_path)
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("4")  # All, newest first
        await settle(app, pilot)
        lst = review_list(app)
        title_only, both = row_line(lst, 0), row_line(lst, 1)
        assert "Très rapide la livraison merci." in title_only
        assert "—" not in title_only.split("Ann", 1)[1], title_only
        assert "Colis abîmé — Le carton était ouvert." in both, both


async def test_the_column_titles_follow_reviews_and_survey_comments(demo_db: Path) -> None:
    """Survey rows show "NPS 9" and a customer: the header said "stars", "author" and "title — text"."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        reviews = header_text(app)
        assert "stars" in reviews and "author" in reviews and "title — text" in reviews
        await pilot.press("tab")
        await settle(app, pilot)
        assert inbox_of(app).query_state.kind == "surveys"
        surveys = header_text(app)
        assert "score" in surveys and "customer" in surveys and "comment" in surveys, surveys
        assert "stars" not in surveys and "title" not in surveys, surveys
        first = row_line(review_list(app), 0)
        assert any(f" {kind} " in first for kind in ("NPS", "CSAT", "CES")), first
        await pilot.press("tab")
        await settle(app, pilot)
        assert header_text(app) == reviews


async def test_a_narrow_terminal_leaves_the_assignee_column_out_for_the_text(tmp_path: Path, db_path: Path) -> None:
    """At 80x24 the text had 13 cells ("Site grandios") beside an empty assignee column of 11;
    under 100 columns the assignee column gives them to the text (the detail still names it)."""
    text = "Nous venons de tester le nouveau restaurant du chef"
    csv_path = write_csv(tmp_path / "narrow.csv", REVIEW_HEADER, [
        ["n1", "tripadvisor", 2, "Site grandiose", text, "Bichlagoun", "2026-03-02T10:00:00Z", "fr", "", ""]])
    with Store.open(db_path) as store:
        import_file(store, csv_path)
        store.conn.execute("UPDATE reviews SET assignee = 'camille'")
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        line = row_line(review_list(app), 0)
        assert "Site grandiose — Nous ve" in line, line
        assert "assignee" not in header_text(app) and "camille" not in line
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        await settle(pilot.app, pilot)
        await pilot.press("4")
        await settle(pilot.app, pilot)
        assert "assignee" in header_text(pilot.app) and "camille" in row_line(review_list(pilot.app), 0)
