"""The hostile corpus (fixtures/hostile/): text written by strangers to break things.

Every file imports through the real CLI and the database then holds exactly
what the file said (after decoding: damaged bytes and NULs become U+FFFD, one
per byte, and the row is flagged); the inbox, the review screen, the composer
and the report show it literally without breaking the layout; a CSV export
neutralises formula cells; no search crashes.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len

from conftest import FIXTURES, assert_no_crash
from feedback_tui.cli import cli
from feedback_tui.exporters import FORMULA_STARTS, neutralise_cell
from feedback_tui.importers import open_input
from feedback_tui.importers.textio import detect_encoding
from feedback_tui.store import Store
from feedback_tui.store import inbox
from feedback_tui.store.inbox import InboxQuery, SearchProblem
from feedback_tui.text import clean
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.review import ReviewScreen
from tui_helpers import RAW_CONTROLS, SIZE, notifications, review_list, screen_text, settle

HOSTILE = FIXTURES / "hostile"
_spec = importlib.util.spec_from_file_location("hostile_corpus", HOSTILE / "generate.py")
assert _spec and _spec.loader
corpus = importlib.util.module_from_spec(_spec)
sys.modules["hostile_corpus"] = corpus
_spec.loader.exec_module(corpus)

EXPECTED: dict[str, dict[str, dict[str, Any]]] = corpus.expected()
FILES = sorted(EXPECTED)
# Characters that must never reach the terminal raw (beyond tui_helpers.RAW_CONTROLS).
FORBIDDEN = (*RAW_CONTROLS, "\x00", "\x08", "\x9b", "\x1b]", "\u202c", "\u2066", "\u2067", "\u2069", "\u200d",
             "\ufeff", "\r")


def import_all(db: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "import", *(str(HOSTILE / name) for name in FILES)])
    assert_no_crash(result)
    assert result.exit_code == 0, result.output + result.stderr


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "feedback.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDBACK_TUI_CONFIG", str(path.parent / "absent.toml"))
        import_all(path)
    return path


@pytest.fixture
def hostile_db(hostile_template: Path, db_path: Path) -> Path:
    import shutil
    import sqlite3

    conn = sqlite3.connect(hostile_template)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copy(hostile_template, db_path)
    return db_path


def test_the_corpus_files_are_what_generate_py_writes() -> None:
    for name, data in corpus.files().items():
        assert (HOSTILE / name).read_bytes() == data, f"{name}: run python fixtures/hostile/generate.py"
    assert len(corpus.huge_body()) == 1 << 20


# -- import: byte-exact, damage replaced and flagged ---------------------------------------------
@pytest.mark.parametrize("name", FILES)
def test_every_file_imports_exactly(name: str, run_cli: Callable[..., Result], db_path: Path) -> None:
    result = run_cli("import", "--no-sentiment", HOSTILE / name)
    assert_no_crash(result)
    assert result.exit_code == 0, result.output + result.stderr
    expected = EXPECTED[name]
    assert f"{len(expected)} new" in result.output
    damaged = sum(1 for row in expected.values() if row["flags"])
    if damaged:
        assert f"{damaged} with invalid bytes or NUL characters replaced by U+FFFD" in result.output
    else:
        assert "replaced" not in result.output
    with Store.open(db_path) as store:
        rows = {row["external_id"]: dict(row) for row in store.query(
            "SELECT external_id, title, body, author, rating, flags FROM reviews")}
    assert set(rows) == set(expected)
    for external_id, want in expected.items():
        got = {key: rows[external_id][key] for key in want}
        assert got == want, external_id
    # again: nothing new, nothing changed (ids of damaged rows are stable too)
    again = run_cli("import", "--no-sentiment", HOSTILE / name)
    assert f"0 new, 0 updated, {len(expected)} unchanged" in again.output


def test_damage_is_one_replacement_per_byte_and_nothing_is_dropped() -> None:
    for rid, raw, stored in corpus.INVALID_UTF8_ROWS:
        bad = len(raw) - len(raw.decode("utf-8", "ignore").encode("utf-8"))
        assert stored.count("\ufffd") == bad, rid
        assert len(stored) == len(raw.decode("utf-8", "replace").replace("\ufffd", "")) + bad, rid


def test_a_utf8_file_with_a_few_bad_bytes_stays_utf8_and_a_cp1252_file_stays_cp1252() -> None:
    assert detect_encoding(HOSTILE / "invalid_utf8.csv") == "utf-8"  # its emoji and accents survive
    assert detect_encoding(HOSTILE / "cp1252.csv") == "cp1252"
    assert detect_encoding(FIXTURES / "avis_export_fr.csv") == "cp1252"


def test_a_nul_after_the_first_line_is_text_but_a_binary_file_is_still_refused(tmp_path: Path) -> None:
    parsed = open_input(HOSTILE / "nul.csv", imported_at="2026-12-01T00:00:00Z")
    rows = list(parsed.rows)
    assert [r.external_id for r in rows] == ["nu-1", "nu-2", "nu-3"]
    assert parsed.replaced_rows == 2
    late = tmp_path / "late.csv"
    late.write_bytes(b"id,body\n" + b"".join(b"r%d,fine row %d\n" % (i, i) for i in range(2000)) + b"r-nul,a\x00b\n")
    assert [r.body for r in open_input(late, imported_at="2026-12-01T00:00:00Z").rows][-1] == "a\ufffdb"
    from feedback_tui.errors import FileProblem

    with pytest.raises(FileProblem, match="binary"):
        open_input(FIXTURES / "broken" / "binary.csv", imported_at="2026-12-01T00:00:00Z")
    zipped = tmp_path / "export.csv"
    zipped.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4)
    with pytest.raises(FileProblem, match="binary"):
        open_input(zipped, imported_at="2026-12-01T00:00:00Z")


def test_rejected_rows_with_damaged_bytes_are_kept_too(tmp_path: Path, run_cli: Callable[..., Result],
                                                      db_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("id,rating,body\nok,4,fine ✓\nbad,six\xff,broken \x00 row\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    result = run_cli("import", "--no-sentiment", path)
    assert result.exit_code == 1 and "rating" in result.stderr
    with Store.open(db_path) as store:
        raw = store.scalar("SELECT raw FROM rejects")
    assert raw == "bad,six\ufffd,broken \ufffd row"


# -- screens: literal, no control reaches the terminal, layout intact -----------------------------
def assert_screen_safe(app: FeedbackApp) -> str:
    text = screen_text(app)
    for bad in FORBIDDEN:
        assert bad not in text, repr(bad)
    lines = text.split("\n")
    width = app.size.width
    for line in lines[: app.size.height]:
        assert cell_len(line) <= width, repr(line)
    return text


def make_app(path: Path) -> FeedbackApp:
    return FeedbackApp(db_path=path, agent="camille", watch=False)


async def test_inbox_shows_every_hostile_row_literally(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("4")  # All
        await settle(app, pilot)
        lst = review_list(app)
        total = sum(len(rows) for rows in EXPECTED.values())
        assert lst.total == total
        seen = 0
        while seen < total:
            assert_screen_safe(app)
            seen += lst.size.height
            for _ in range(lst.size.height):
                await pilot.press("j")
            await settle(app, pilot)
        assert "⚠" not in "".join(notifications(app))
        first = assert_screen_safe(app)
        assert first


@pytest.mark.parametrize("external_id", ["mk-2", "an-1", "an-4", "an-5", "an-6", "un-2", "un-3", "un-4", "un-7",
                                         "fm-1", "iu-2", "js-2", "hg-1"])
async def test_the_review_screen_shows_each_hostile_review_literally(hostile_db: Path, external_id: str) -> None:
    with Store.open(hostile_db) as store:
        row = dict(store.query("SELECT id, title, body FROM reviews WHERE external_id = ?", (external_id,))[0])
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.open_with(InboxQuery(view="all", ids=(row["id"],)))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        text = assert_screen_safe(app)
        if row["title"] and cell_len(row["title"]) < 60:
            assert clean(row["title"], single_line=True).split()[0] in text
        if external_id.startswith("mk"):
            assert "[" in text and "[/" in text  # markup shown, not interpreted
        if external_id in ("iu-2", "js-2"):
            assert "flags: replaced-bytes" in text
        for _ in range(3):
            await pilot.press("pagedown")
        await settle(app, pilot)
        assert_screen_safe(app)


async def test_the_composer_shows_a_hostile_review_literally(hostile_db: Path) -> None:
    with Store.open(hostile_db) as store:
        review_id = store.scalar("SELECT id FROM reviews WHERE external_id = 'an-2'")
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.open_with(InboxQuery(view="all", ids=(review_id,)))
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        assert "ComposerScreen" in [type(screen).__name__ for screen in app.screen_stack]
        assert_screen_safe(app)  # the suggested template may ask a question first: the review shows behind it
        while type(app.screen).__name__ != "ComposerScreen":
            await pilot.press("escape")
            await settle(app, pilot)
        assert_screen_safe(app)
        assert "click" in screen_text(app) and "␛]8;;" in screen_text(app)
        await pilot.press(*"Thanks [bold]")
        await settle(app, pilot)
        assert_screen_safe(app)
        await pilot.press("escape")
        await settle(app, pilot)


def test_the_report_and_scores_show_hostile_source_names_safely(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    path = tmp_path / "sources.csv"
    names = ["=HYPERLINK(\"https://evil.example\")", "evil|pipe", "\x1b]0;pwned\x07title", "[bold]src[/]", "\u202eltr"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "rating", "body", "created_at"])
        for index, name in enumerate(names):
            writer.writerow([f"s{index}", name, 1 + index % 5, f"text {index}", "2026-11-0%dT10:00:00Z" % (index + 1)])
    assert run_cli("import", "--no-sentiment", path).exit_code == 0
    report = run_cli("report", "--period", "month", "--since", "2026-01-01")
    assert report.exit_code == 0, report.output
    for bad in FORBIDDEN:
        assert bad not in report.output, repr(bad)
    by_source = report.output.split("## By source")[1]
    rows = [line for line in by_source.splitlines() if line.startswith("|")]
    assert all(line.count("|") - line.count("\\|") == rows[0].count("|") for line in rows), by_source
    assert "evil\\|pipe" in by_source and "\\[bold\\]src\\[/\\]" in by_source  # renders as [bold]src[/]
    score = run_cli("score", "--segment", "source")
    assert score.exit_code == 0
    for bad in FORBIDDEN:
        assert bad not in score.output, repr(bad)


# -- export ---------------------------------------------------------------------------------------
def test_csv_export_neutralises_every_formula_cell(hostile_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    result = CliRunner().invoke(cli, ["--db", str(hostile_db), "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(len(v) for v in EXPECTED.values())
    numeric = {"id", "rating", "polarity", "subjectivity"}  # numbers stay numbers
    for row in rows:
        for column, cell in row.items():
            if column not in numeric:
                assert not cell.lstrip(" ").startswith(FORMULA_STARTS), (column, cell)
    by_id = {row["external_id"]: row for row in rows}
    assert by_id["fm-1"]["title"] == "'" + corpus.FORMULAS[0][2]
    assert by_id["fm-3"]["body"] == "'@SUM(A1:A9)"
    assert by_id["fm-5"]["title"] == "'＝fullwidth equals"
    # everything else is exact: the 1 MB review, controls, NUL replacements
    for name, expected in EXPECTED.items():
        for external_id, want in expected.items():
            assert by_id[external_id]["body"] == neutralise_cell(want["body"]), external_id


def test_json_export_is_exact(hostile_db: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(hostile_db), "export", "--format", "jsonl"])
    assert result.exit_code == 0
    # split on newlines only: str.splitlines() would also cut at U+2028 and \x1c-\x1e
    rows = {row["external_id"]: row for row in map(json.loads, result.output.strip("\n").split("\n"))}
    for expected in EXPECTED.values():
        for external_id, want in expected.items():
            assert {k: rows[external_id][k] for k in ("title", "body", "author")} == \
                {k: want[k] for k in ("title", "body", "author")}


def test_export_to_a_terminal_shows_controls_as_placeholders(hostile_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedback_tui import exporters
    from feedback_tui.models import Filters

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Tty()
    monkeypatch.setattr(sys, "stdout", terminal)
    with Store.open(hostile_db) as store:
        exporters.write_export(store, Filters(source="ansi"), "csv", None)
    shown = terminal.getvalue()
    assert "␛]52;c;" in shown and "\x1b" not in shown and "\x07" not in shown
    assert len(shown.splitlines()) == 1 + len(corpus.ANSI) + shown.count("\n") - len(shown.splitlines())


# -- search -----------------------------------------------------------------------------------------
SEARCHES = list(corpus.SEARCHES)


@pytest.mark.parametrize("text", SEARCHES)
def test_no_search_crashes_the_store(hostile_db: Path, text: str) -> None:
    with Store.open(hostile_db) as store:
        for kind in ("reviews", "surveys"):
            query = InboxQuery(view="all", kind=kind, search=text)
            try:
                total = inbox.count(store, query)
                rows = inbox.page(store, query)
            except SearchProblem as problem:
                assert str(problem).startswith("search: ")
                continue
            assert total >= len(rows)


async def test_no_search_crashes_the_inbox(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        for text in corpus.SEARCHES:
            screen.apply_query(screen.query_state.with_changes(view="all", search=text))
            await settle(app, pilot)
            assert_screen_safe(app)
        assert not [n for n in app._notifications if n.severity == "error"], notifications(app)
        await pilot.press("slash", *"NEAR(", "enter")
        await settle(app, pilot)
        assert app.is_running


async def test_a_search_naming_an_unknown_column_is_a_search_warning(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.apply_query(app.screen.query_state.with_changes(view="all", search="col:*"))
        await settle(app, pilot)
        assert not [n for n in app._notifications if n.severity == "error"], notifications(app)
