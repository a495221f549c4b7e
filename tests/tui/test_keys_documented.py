"""The README's key table of the inbox and the ``?`` screen agree (issue 16, acceptance).

The README's table under "## The inbox" is parsed (every key in backticks of its
first column); the ``?`` screen's rows come from :func:`binding_table` on the
running inbox. A documented key that no binding has, or a binding of the screen
that the README does not mention, fails.
"""

from __future__ import annotations

import re
from pathlib import Path

from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.help import HelpScreen, binding_table
from feedback_tui.tui.screens.inbox import InboxScreen
from tui_helpers import SIZE, settle

README = Path(__file__).resolve().parents[2] / "README.md"
NAMES = {"/": "slash", "!": "exclamation_mark", "?": "question_mark", "esc": "escape"}


def readme_inbox_keys() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The inbox", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    keys: set[str] = set()
    for line in table:
        first = line.split("|")[1]
        keys.update(NAMES.get(key, key) for key in re.findall(r"`([^`]+)`", first))
    return keys


def help_rows(screen: InboxScreen) -> dict[str, set[str]]:
    """Binding id (or description) -> its keys, as the ``?`` screen lists them."""
    rows: dict[str, set[str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.description:
            rows.setdefault(binding.id or binding.description, set()).add(key)
    return rows


async def test_the_readme_inbox_table_and_the_help_screen_list_the_same_keys(demo_db: Path) -> None:
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        rows = help_rows(screen)
        shown = "\n".join(str(cell) for column in binding_table(screen).columns for cell in column._cells)
        documented = readme_inbox_keys()
        bound = {key for keys in rows.values() for key in keys} | {"ctrl+p"}
        assert documented - bound == set(), "README documents keys the inbox does not have"
        ours = {name: keys for name, keys in rows.items() if "." in name}  # our bindings have ids
        missing = {name: keys for name, keys in ours.items() if not keys & documented}
        assert missing == {}, "bindings the README's inbox table does not mention"
        for name in ours:
            assert name in shown, f"? does not list {name}"
        does = [str(cell) for cell in binding_table(screen).columns[1]._cells]
        assert [d for d in does if "palette" in d.lower()] == ["Command palette: find any action by name"]
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_escape_clears_the_filters_when_no_search_is_active(demo_db: Path) -> None:
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        screen.apply_query(screen.query_state.with_changes(view="all", language="fr", min_rating=1, max_rating=2,
                                                           search="livraison", sort="oldest"))
        await settle(app, pilot)
        await pilot.press("escape")  # the search first
        await settle(app, pilot)
        assert screen.query_state.search is None and screen.query_state.language == "fr"
        await pilot.press("escape")  # then the filters, keeping the view and the order
        await settle(app, pilot)
        q = screen.query_state
        assert (q.language, q.min_rating, q.max_rating, q.view, q.sort) == (None, None, None, "all", "oldest")
        assert "Filters cleared." in [n.message for n in app._notifications]
