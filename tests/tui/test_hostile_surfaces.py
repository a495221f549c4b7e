"""Round 2 of the hostile corpus (fixtures/hostile/surfaces.py): a payload in every
field, name and value, walked through every widget the app mounts and every
CLI command. What a terminal would receive must hold no raw ESC, C1, BEL or
bidi control, and no ``[/]`` may crash a toast, a table or a select.
"""

from __future__ import annotations

import csv
import importlib.util
import inspect
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select

import feedback_tui.tui as tui_package
from conftest import FIXTURES
from feedback_tui.cli import cli
from feedback_tui.config import load_config
from feedback_tui.store import Store
from feedback_tui.store import replies as reply_store
from feedback_tui.store import triage
from feedback_tui.tui.app import FeedbackApp
from tui_helpers import SIZE, notifications, screen_text, settle

HOSTILE = FIXTURES / "hostile"
_spec = importlib.util.spec_from_file_location("hostile_surfaces", HOSTILE / "surfaces.py")
assert _spec and _spec.loader
surfaces = importlib.util.module_from_spec(_spec)
sys.modules["hostile_surfaces"] = surfaces
_spec.loader.exec_module(surfaces)

PAYLOAD: str = surfaces.PAYLOAD
FORBIDDEN: tuple[str, ...] = surfaces.FORBIDDEN_CHARS


def assert_inert(text: str, where: str = "") -> None:
    for bad in FORBIDDEN:
        assert bad not in text, f"{where}: raw {bad!r} in {text[:300]!r}"


def test_the_files_are_what_surfaces_py_writes() -> None:
    for name, data in surfaces.files().items():
        assert (HOSTILE / name).read_bytes() == data, f"{name}: run python fixtures/hostile/surfaces.py"


# -- the database every test here starts from ---------------------------------------------------------
def fill(db: Path) -> None:
    """Import every_field.json through the CLI, then put the payload in every name an
    agent can give: a tag, a note, a saved view, a template (name, language, body)."""
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(HOSTILE / "every_field.json")])
    assert result.exit_code == 0, result.output
    # orders whose customer id, order id and country carry a payload (the Retention screen shows them)
    evil = surfaces.field_value("customer")
    orders = db.parent / "orders.csv"
    with orders.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("order_id", "customer", "created_at", "amount", "country"),
                                      (evil, evil, "2026-01-31 23:59:59", "10", evil),
                                      (f"{evil}-2", evil, "2026-02-01", "-4", evil),
                                      ("o-3", evil, "2026-02-02", "7", evil)])
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(orders), "--kind", "orders"])
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        ids = [row["id"] for row in store.query("SELECT id FROM reviews ORDER BY id")]
        for name, payload in surfaces.PAYLOADS.items():  # tags are short: one payload each
            triage.add_tag(store, ids, f"tag{payload}"[:40], "camille")
        triage.add_note(store, ids[0], surfaces.field_value("note"), "camille")
        triage.save_view(store, surfaces.field_value("view"), {"view": "all"}, "camille")
        reply_store.save_template(store, surfaces.field_value("template"), surfaces.field_value("lang"), "negative",
                                  "Hello {author}, about {product} on {source}: {?" + surfaces.PAYLOADS["markup_close"]
                                  + "}")


@pytest.fixture(scope="module")
def surfaces_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("surfaces") / "template.db"
    fill(db)
    return db


@pytest.fixture
def surfaces_db(surfaces_template: Path, db_path: Path) -> Path:
    db_path.write_bytes(surfaces_template.read_bytes())
    db_path.chmod(0o600)
    return db_path


@pytest.fixture
def hostile_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_bytes((HOSTILE / "config.toml").read_bytes())
    path.chmod(0o600)
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(path))
    return path


# -- the app: every widget class, every screen ------------------------------------------------------
def our_widget_classes() -> set[type]:
    """Every Widget (screens and dialogs included) defined in feedback_tui.tui."""
    found: set[type] = set()
    for module_name in list(sys.modules):
        if not module_name.startswith(tui_package.__name__):
            continue
        for _, obj in inspect.getmembers(sys.modules[module_name], inspect.isclass):
            if issubclass(obj, Widget) and obj.__module__.startswith(tui_package.__name__):
                found.add(obj)
    return found


class Walker:
    """Renders every mounted widget of every screen on the stack, and what the
    compositor would send, and remembers which widget classes it met."""

    def __init__(self, app: FeedbackApp) -> None:
        self.app = app
        self.seen: set[type] = set()
        self.texts = 0

    def check(self, where: str) -> str:
        app = self.app
        whole = screen_text(app)
        assert_inert(whole, where)
        for message in notifications(app):
            assert_inert(message, f"{where} toast")
        for screen in app.screen_stack:
            self.seen.add(type(screen))
            assert_inert(str(screen.title or "") + str(screen.sub_title or ""), f"{where} title")
            for widget in screen.walk_children(with_self=False):
                self.seen.add(type(widget))
                if widget.display and widget.size.area:
                    for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height)):
                        assert_inert(strip.text, f"{where} {type(widget).__name__}")
                        self.texts += 1
                if isinstance(widget, DataTable):  # rows off screen too
                    for row in range(widget.row_count):
                        for cell in widget.get_row_at(row):
                            assert_inert(str(cell), f"{where} DataTable cell")
                if isinstance(widget, Input):
                    assert_inert(widget.value + widget.placeholder, f"{where} Input")
                if isinstance(widget, Select):
                    assert_inert(str(widget.selection or ""), f"{where} Select")
        return whole


async def press(app: FeedbackApp, pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(app, pilot)


async def test_every_widget_of_every_screen_shows_the_payloads_inert(surfaces_db: Path, hostile_config: Path) -> None:
    app = FeedbackApp(db_path=surfaces_db, agent="camille", config=load_config(hostile_config), watch=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn, to be walked
        walker = Walker(app)
        await settle(app, pilot)
        # the config's warnings are toasts: each names its key
        toasts = "\n".join(notifications(app))
        for key in ("'sla_hours'", "'languages'", "[limits] google_play", "[keys]", "'agent'"):
            assert key in toasts
        await press(app, pilot, "4")
        text = walker.check("inbox")
        assert "source:␛]52;" in text  # the controls as visible placeholders

        await press(app, pilot, "f")
        walker.check("filter dialog")
        for select_id in ("#source", "#product", "#language"):
            app.screen.query_one(select_id, Select).focus()
            await press(app, pilot, "enter")
            walker.check(f"filter {select_id} open")
            await press(app, pilot, "escape")
        app.screen.query_one("#tag", Input).focus()
        await press(app, pilot, "t")
        walker.check("filter tag suggestion")
        await press(app, pilot, "escape")

        await press(app, pilot, "t")  # tag prompt with its suggestions
        await press(app, pilot, "t")
        walker.check("tag prompt")
        await press(app, pilot, "escape")
        await press(app, pilot, "V")
        text = walker.check("saved views")
        assert "view:" in text
        await press(app, pilot, "escape")
        await press(app, pilot, "s")
        walker.check("sort")
        await press(app, pilot, "escape")

        await press(app, pilot, "enter")
        text = walker.check("review")
        assert "body:" in text and "[@click=app.quit]" in text
        await press(app, pilot, "pagedown", "pagedown")
        walker.check("review, further down")
        await press(app, pilot, "r")
        walker.check("composer (question prompt or editor)")
        while type(app.screen).__name__ != "ComposerScreen":
            await press(app, pilot, "escape")
        await press(app, pilot, "ctrl+t")
        text = walker.check("template chooser")
        assert "template:" in text
        await press(app, pilot, "escape")
        editor_text = app.screen.query_one("#reply").text
        assert_inert(editor_text, "composer editor")
        await press(app, pilot, "escape", "escape")

        await press(app, pilot, "T")
        walker.check("templates")
        await press(app, pilot, "enter")
        walker.check("template dialog")
        await press(app, pilot, "escape", "escape")

        await press(app, pilot, "d")
        walker.check("dashboard by source")
        for _ in range(3):
            await press(app, pilot, "b")
            walker.check("dashboard, another breakdown")
        await press(app, pilot, "f")
        walker.check("dashboard segment filter")
        await press(app, pilot, "escape", "escape")

        await press(app, pilot, "R")
        walker.check("retention")
        await press(app, pilot, "enter")  # February's customers: the hostile id
        walker.check("retention customers")
        await press(app, pilot, "enter")  # that customer's orders
        walker.check("retention customer history")
        await press(app, pilot, "escape", "escape")

        await press(app, pilot, "question_mark")
        walker.check("help")
        await press(app, pilot, "escape")

        await press(app, pilot, "S")  # the config's source has a URL with controls
        await settle(app, pilot)
        text = walker.check("after sync")
        assert any("not followed" in n or "control" in n for n in notifications(app)), notifications(app)
        assert not app.screen.query_one("#progress").display  # the sync's progress ended

        app.notify(surfaces.PAYLOADS["markup_click"] + surfaces.PAYLOADS["markup_close"], title="[/]")
        await settle(app, pilot)
        walker.check("a toast with markup")
        toasts = [w for w in app.screen.walk_children() if type(w).__name__ == "Toast"]
        drawn = "".join(strip.text for toast in toasts
                        for strip in toast.render_lines(Region(0, 0, toast.size.width, toast.size.height)))
        assert "▌ [/]" in drawn and "▌ [/]␛]2;PWNED-TITLE␇: http" in drawn  # titles and messages as text
        ours = [n for n in app._notifications if n.title == "[/]"]
        assert ours and ours[0].markup is False and ours[0].message.startswith("[@click=app.quit]")
        assert app.is_running

    expected = our_widget_classes() - {type(app)}
    expected = {cls for cls in expected if not inspect.isabstract(cls)}
    missing = {cls.__name__ for cls in expected - walker.seen}
    assert missing <= {"ReadOnlyBanner"}, f"widget classes never walked: {sorted(missing)}"  # next test
    assert walker.texts > 100


async def test_the_read_only_banner_and_header_show_a_hostile_file_name_inert(surfaces_template: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "evil\x1b]2;PWNED-TITLE\x07[b].db"
    db.write_bytes(surfaces_template.read_bytes())
    monkeypatch.setenv("FEEDBACK_TUI_READ_ONLY", "1")
    app = FeedbackApp(db_path=db, agent="camille", watch=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn, to be walked
        walker = Walker(app)
        await settle(app, pilot)
        text = walker.check("read-only inbox")
        assert "READ-ONLY" in text and "PWNED-TITLE" in text  # the name, as text
        assert "ReadOnlyBanner" in {cls.__name__ for cls in walker.seen}


# -- hangs: a huge review, escape while loading ------------------------------------------------------
async def test_a_review_over_a_megabyte_is_shown_cut_with_its_size_and_x_saves_it_whole(db_path: Path,
                                                                                      tmp_path: Path) -> None:
    from feedback_tui.store.triage import SHOWN_CHARS
    from feedback_tui.tui.screens.review import ReviewScreen
    from feedback_tui.tui.triage_actions import ActionDone

    body = surfaces.huge_body(SHOWN_CHARS + 200_000)
    path = tmp_path / "huge.json"
    path.write_text(json.dumps([{"id": "big-1", "rating": 2, "text": body, "date": "2026-03-01T10:00:00Z"}]),
                    encoding="utf-8")
    assert CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path), "--no-sentiment"]).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False)
    messages: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, ActionDone):
            messages.append(message.text)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "4", "enter")
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.detail is not None and len(app.screen.detail.body) == SHOWN_CHARS
        await press(app, pilot, "end")
        text = screen_text(app)
        assert "cut here: the whole text has 1,200,000 characters (1.2 M characters); x saves it" in text
        assert "THE-END" not in text
        row_id = app.screen.row_id
        pattern = f"feedback-tui-reviews-{row_id}-*.txt"
        before = set(Path(tempfile.gettempdir()).glob(pattern))
        await press(app, pilot, "x")  # (its toast expires after 3 s: the message is what we read)
        for _ in range(20):
            if messages:
                break
            await settle(app, pilot)
        created = set(Path(tempfile.gettempdir()).glob(pattern)) - before
        assert len(created) == 1 and messages and str(next(iter(created))) in messages[-1]
        target = next(iter(created))
        assert target.read_text(encoding="utf-8") == body and target.stat().st_mode & 0o077 == 0
        target.unlink()
        await press(app, pilot, "escape")
        assert type(app.screen).__name__ == "InboxScreen"


@pytest.mark.parametrize("key", ["enter", "r"])
async def test_escape_leaves_a_screen_that_is_still_loading(surfaces_db: Path, key: str) -> None:
    app = FeedbackApp(db_path=surfaces_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "4")
        await pilot.press(key, "escape")  # no wait: the screen's load is still running
        await settle(app, pilot)
        while type(app.screen).__name__ not in ("InboxScreen",):  # a template question may sit on top
            await press(app, pilot, "escape")
        assert [type(s).__name__ for s in app.screen_stack][-1] == "InboxScreen"
        assert app.is_running


async def test_a_stored_far_future_date_and_a_far_filter_date_break_no_screen(surfaces_db: Path) -> None:
    surfaces.damage_database(surfaces_db, "far_future")
    app = FeedbackApp(db_path=surfaces_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "4")
        assert "9999-12-31" in screen_text(app)
        await press(app, pilot, "d")
        assert type(app.screen).__name__ == "DashboardScreen" and app.screen.error is None
        assert "could not compute" not in screen_text(app)
        await press(app, pilot, "escape", "f")
        until = app.screen.query_one("#until", Input)
        until.value = "9999-12-31"
        await press(app, pilot, "ctrl+s")
        assert type(app.screen).__name__ == "FilterDialog"  # not applied: the error says why
        assert "out of range (1970" in screen_text(app) and "2199" in screen_text(app)
        assert app.is_running


async def test_a_limit_that_is_not_a_number_leaves_the_composer_working(db_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[limits]\ngoogle_play = {max = "abc"}\n', encoding="utf-8")
    config.chmod(0o600)
    reviews = tmp_path / "gp.csv"
    reviews.write_text("id,source,rating,body,date\ngp-1,google_play,2,Late again,2026-03-01\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["--db", str(db_path), "import", str(reviews), "--no-sentiment"]).exit_code == 0
    loaded = load_config(config)
    assert len(loaded.warnings) == 1 and "[limits] google_play" in loaded.warnings[0]
    app = FeedbackApp(db_path=db_path, agent="camille", config=loaded, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "4", "r")
        while type(app.screen).__name__ != "ComposerScreen":
            await press(app, pilot, "escape")
        assert "Late again" in screen_text(app) and "/350 characters" in screen_text(app)  # the default limit
