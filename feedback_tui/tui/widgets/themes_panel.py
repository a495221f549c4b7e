"""The dashboard's "What negative reviews talk about" panel (issue 17, item 4).

It follows the period the dashboard's cards show (:meth:`ThemesPanel.follow`)
and computes that period's themes, against the period before, with
:func:`feedback_tui.themes.for_period` in a thread worker of its own, so the
dashboard's figures never wait for it. ``enter`` on a theme opens the inbox
on exactly the negative reviews of the period that contain it.

The panel handles its own table's ``RowSelected`` and stops it, so the
dashboard's segment drill-down never sees it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from feedback_tui import themes
from feedback_tui.models import Filters
from feedback_tui.store import SMALL_CACHE_KIB
from feedback_tui.store.inbox import InboxQuery
from feedback_tui.tui.messages import ShowInInbox
from feedback_tui.tui.safe_text import clean

TITLE = "What negative reviews talk about"


def change_cell(theme: themes.Theme) -> Text:
    """Percentage points of the negative reviews against the previous period."""
    if theme.change is None:
        return Text("new" if theme.previous_negative == 0 else "—", style="dim")
    style = "red" if theme.change >= 5 else "green" if theme.change <= -5 else ""
    return Text(f"{theme.change:+.0f} pts", style=style)


class ThemesPanel(Vertical):
    """A period's themes, per language; a row is a theme."""

    DEFAULT_CSS = """
    ThemesPanel { border: round $primary; height: 100%; }
    ThemesPanel > #themes-status { height: auto; color: $text-muted; }
    ThemesPanel > DataTable { height: 1fr; }
    """

    class Computed(Message):
        def __init__(self, key: tuple[Any, ...], result: dict[str, themes.LanguageThemes]) -> None:
            self.key = key
            self.result = result
            super().__init__()

    class Failed(Message):
        def __init__(self, key: tuple[Any, ...], error: str) -> None:
            self.key = key
            self.error = error
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.border_title = TITLE
        self.key: tuple[Any, ...] | None = None
        self.period: dict[str, Any] | None = None
        self.filters = Filters()
        self.result: dict[str, themes.LanguageThemes] = {}
        self.rows: dict[str, tuple[str, themes.Theme]] = {}  # row key -> (language, theme)

    def compose(self) -> ComposeResult:
        yield Static("Waiting for the figures…", id="themes-status")
        yield DataTable(id="themes-table", cursor_type="row", zebra_stripes=True)

    # -- data --------------------------------------------------------------------------
    def follow(self, trend: list[dict[str, Any]], selected: int, filters: Filters, *, force: bool = False) -> None:
        """Show the themes of ``trend[selected]`` (against the period before it) under ``filters``."""
        if not trend or not 0 <= selected < len(trend):
            return
        period = trend[selected]
        previous = trend[selected - 1] if selected > 0 else None
        key = (period["since"], period["until"], filters.source, filters.product, filters.language, id(trend))
        if key == self.key and not force:
            return
        self.key, self.period, self.filters = key, period, filters
        self.query_one("#themes-status", Static).update(Text(f"{period['period']}: finding themes…", style="italic"))
        self._compute(key, period, previous, filters)

    @work(thread=True, exclusive=True, exit_on_error=False, group="themes", description="Finding themes")
    def _compute(self, key: tuple[Any, ...], period: dict[str, Any], previous: dict[str, Any] | None,
                 filters: Filters) -> None:
        worker = get_current_worker()

        def window(p: dict[str, Any]) -> Filters:
            return Filters(source=filters.source, product=filters.product, language=filters.language,
                           since=p["since"], until=p["until"])

        try:
            with self.app.open_store(cache_kib=SMALL_CACHE_KIB) as store:  # type: ignore[attr-defined]
                result = themes.for_period(store, window(period), window(previous) if previous else None,
                                           should_stop=lambda: worker.is_cancelled)
        except themes.Stopped:  # the dashboard was left or moved on: nobody waits for these
            return
        except Exception as error:  # noqa: BLE001 - shown in the panel: never a "finding…" that stays forever
            if not worker.is_cancelled:
                self.post_message(self.Failed(key, str(error) or type(error).__name__))
            return
        if not worker.is_cancelled:
            self.post_message(self.Computed(key, result))

    def on_themes_panel_failed(self, message: Failed) -> None:
        message.stop()
        if message.key == self.key:
            self.query_one("#themes-status", Static).update(
                Text(f"Could not find the themes: {clean(message.error, single_line=True)}", style="bold red"))

    def on_themes_panel_computed(self, message: Computed) -> None:
        message.stop()
        if message.key != self.key or self.period is None:
            return  # a late answer about another period
        self.result = message.result
        self._show()

    def _show(self) -> None:
        assert self.period is not None
        table = self.query_one("#themes-table", DataTable)
        table.clear(columns=True)
        self.rows = {}
        several = sum(1 for block in self.result.values() if block.themes) > 1  # else no language column
        if several:
            table.add_column("lang")
        for heading in ("Theme", "Neg.", "% neg.", "vs prev.", "Pos."):
            table.add_column(heading)
        notes = []
        for language, block in self.result.items():
            if not block.n_negative:
                continue  # named once in the status line: a line each pushed the themes out of the panel
            if not block.enough:
                notes.append(f"{language}: {block.n_negative} negative review{'' if block.n_negative == 1 else 's'}, "
                             "too few for themes")
                continue
            if not block.themes:
                notes.append(f"{language}: no word stands out in the {block.n_negative} negative reviews")
            for index, theme in enumerate(block.themes):
                row_key = f"{language}:{index}"
                self.rows[row_key] = (language, theme)
                about = "≈" if theme.estimated else ""
                cells = [Text(clean(theme.phrase, single_line=True)), f"{about}{theme.negative}",
                         f"{theme.share:.0f}%", change_cell(theme), f"{about}{theme.positive}"]
                table.add_row(*([language] if several else []), *cells, key=row_key)
        table.display = bool(self.rows)  # no empty header under "too few"
        label = self.period["period"]
        counts = ", ".join(f"{lang} {b.n_negative} neg. / {b.n_positive} pos." for lang, b in self.result.items()
                           if b.n_negative)
        quiet = [lang for lang, b in self.result.items() if not b.n_negative]  # a few misread or foreign texts
        if quiet:
            counts += f"{'; ' if counts else ''}{', '.join(quiet)}: no negative review"
        status = Text(f"{label}: {counts or 'no review with stars or sentiment'}")
        sampled = [f"{lang} {b.read_negative}" for lang, b in self.result.items() if b.read_negative is not None]
        if sampled:
            status.append(f" · ≈ from a sample ({', '.join(sampled)} neg. read)", style="dim")
        if self.rows:
            status.append(" · enter opens its reviews", style="dim")
        for note in notes:
            status.append(f"\n{note}", style="dim")
        self.query_one("#themes-status", Static).update(status)

    # -- interaction -------------------------------------------------------------------
    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()  # the dashboard's own table handler is for its segments
        if message.row_key.value not in self.rows or self.period is None:
            return
        language, theme = self.rows[message.row_key.value]
        self.post_message(ShowInInbox(self.query_for(language, theme)))

    def query_for(self, language: str, theme: themes.Theme) -> InboxQuery:
        """Exactly the period's negative reviews that contain the theme.

        A sampled period has no list of ids (it would be the sample's): the inbox then
        searches the phrase among the period's 1-2★ reviews, through the search index.
        """
        assert self.period is not None
        query = InboxQuery(kind="reviews", view="all", since=self.period["since"], until=self.period["until"],
                           language=language, source=self.filters.source, product=self.filters.product)
        if theme.estimated:
            return query.with_changes(search=f'"{theme.phrase}"', max_rating=2)
        return query.with_changes(ids=tuple(theme.ids))
