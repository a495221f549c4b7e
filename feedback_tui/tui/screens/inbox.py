"""The inbox: every review or survey comment in one fast list.

Views on number keys, ``/`` full-text search, ``f`` filter panel, triage
keys on the cursor row or the selection, live refresh when another agent or
an import changes the database.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, ProgressBar, Static

from feedback_tui.models import REVIEW_STATUSES
from feedback_tui.store import activity, inbox, search, triage
from feedback_tui.store.inbox import VIEW_TITLES, InboxQuery, SearchProblem
from feedback_tui.store.rows import InboxRow
from feedback_tui.tui.dialogs import ChoiceDialog, TextPrompt
from feedback_tui.tui.dialogs.filters import SORT_LABELS, FilterChoices, FilterDialog, until_shown
from feedback_tui.tui.key_hold import KeyHold
from feedback_tui.tui.messages import (DatabaseChanged, InboxSettled, OpenQuery, RowHighlighted, StepCursor,
                                       SyncProgress)
from feedback_tui.tui.prebuild import build_ahead
from feedback_tui.tui.safe_text import clean, plain
from feedback_tui.tui.row_source import InboxSource
from feedback_tui.tui.triage_actions import TRIAGE_BINDINGS, ActionDone, TriageActions
from feedback_tui.tui.widgets.column_header import ColumnHeader
from feedback_tui.tui.widgets.footer import Footer
from feedback_tui.tui.widgets.review_list import ReviewList

PREBUILD_DELAY = 0.3  # seconds after the first list and count: the panel is built then (_prebuild_filters)
PREBUILD_QUIET = 0.5  # ... if no key came in the last this many seconds, else as soon as they are quiet

if TYPE_CHECKING:
    from feedback_tui.tui.screens.review import ReviewScreen


class InboxScreen(TriageActions, Screen[None]):
    """The agent's main screen."""

    BINDINGS = [
        Binding("1", "view('needs_reply')", "Needs reply", id="inbox.view_needs_reply"),
        Binding("2", "view('negative')", "Negative", id="inbox.view_negative"),
        Binding("3", "view('mine')", "Mine", id="inbox.view_mine"),
        Binding("4", "view('all')", "All", id="inbox.view_all"),
        Binding("5", "mismatches", "Text vs stars", id="inbox.mismatches", show=False,
                tooltip="Reviews whose text contradicts their stars (on/off)"),
        Binding("tab", "toggle_kind", "Reviews/Surveys", id="inbox.kind"),
        # priority: taken by the app as the key arrives, so that the letters typed in the same
        # burst (a terminal's read, a browser's websocket) find the search field focused.
        Binding("slash", "search", "Search", id="inbox.search", key_display="/", priority=True),
        Binding("f", "filters", "Filters", id="inbox.filters"),
        Binding("s", "sort", "Sort", id="inbox.sort"),
        Binding("escape", "clear", "Clear", id="inbox.clear", show=False),
        Binding("w", "save_view", "Save view", id="inbox.save_view", show=False, priority=True),  # as n, t
        Binding("V", "saved_views", "Saved views", id="inbox.saved_views", show=False),
        Binding("ctrl+l", "reload", "Reload", id="inbox.reload", show=False),
        *TRIAGE_BINDINGS,
    ]

    class FiltersLoaded(Message):
        def __init__(self, choices: FilterChoices, *, show: bool = True) -> None:
            self.choices = choices
            self.show = show
            """False: read ahead of need, to build the panel without showing it."""
            super().__init__()

    def __init__(self) -> None:
        super().__init__()
        self.query_state = InboxQuery()
        self.total: int | None = None
        self._saved_search = ""
        self._filter_dialog: FilterDialog | None = None
        self._review_screen: ReviewScreen | None = None
        self._source: InboxSource | None = None  # the list's, for what its count found out
        self._prebuild_started = False
        self._last_key = 0.0  # time.monotonic() of the last key the inbox saw
        self._status_shown: str | None = None  # the status line's text as last written (_show_status)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="views")
        yield Input(placeholder="Search (enter applies, escape clears): livraison, refund*, \"not working\", 😭 · ?a OR b: operators",
                    id="search")
        yield ColumnHeader(id="columns")
        yield ReviewList(id="list")
        yield ProgressBar(id="progress", show_eta=False)
        yield Static(id="status-line")
        yield Footer()

    def on_sync_progress(self, message: SyncProgress) -> None:
        """Long work elsewhere (a sync): a bar under the list, hidden when it ends."""
        bar = self.query_one("#progress", ProgressBar)
        bar.display = message.done is not None
        if message.done is not None:
            bar.update(total=message.total or None, progress=message.done)
            bar.tooltip = plain(message.text, single_line=True)

    def on_database_changed(self, message: DatabaseChanged) -> None:
        self.refresh_data()

    def on_step_cursor(self, message: StepCursor) -> None:
        if message.delta > 0:
            self.review_list.action_cursor_down()
        else:
            self.review_list.action_cursor_up()

    def on_open_query(self, message: OpenQuery) -> None:
        self.open_with(message.query)

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_state = InboxQuery(agent=self.app.agent)
        self.query_one("#search", Input).display = False
        self.apply_query(self.query_state)
        self.watch(self.review_list, "cursor", self._cursor_moved, init=False)
        self.query_one(ReviewList).focus()

    # -- query -------------------------------------------------------------------
    @property
    def review_list(self) -> ReviewList:
        return self.query_one(ReviewList)

    def apply_query(self, query: InboxQuery, *, keep_position: bool = False, focus: int | None = None,
                    live: bool = False) -> None:
        self.query_state = query
        self.total = None if not keep_position else self.total
        previous, self._source = self._source, InboxSource(self.app.store_opener, query)
        if keep_position and previous is not None and previous.query == query:  # a live refresh: until its count
            self._source.literal_bound = previous.literal_bound
        self.review_list.set_source(self._source, keep_position=keep_position, focus=focus, live=live)
        self.query_one(ColumnHeader).kind = query.kind
        self._show_views()
        self._show_status()

    def refresh_data(self) -> None:
        """The database changed (another agent, an import): reload in place."""
        self.apply_query(self.query_state, keep_position=True, live=True)

    def _show_views(self) -> None:
        q = self.query_state
        line = Text(" ")
        for number, view in enumerate(VIEW_TITLES, start=1):
            style = "bold reverse" if view == q.view else "dim"
            line.append(f" {number} {VIEW_TITLES[view]} ", style=style)
            line.append(" ")
        line.append("│ ", style="dim")
        line.append("Reviews" if q.kind == "reviews" else "Surveys", style="bold")
        line.append(" (tab) │ ", style="dim")
        # The same condition as store.inbox.order_of: survey comments have no "needs reply" order.
        needs_reply_order = q.kind == "reviews" and (q.sort == "needs_reply" or (q.view == "needs_reply"
                                                                                 and q.sort == "newest"))
        line.append("Negative first, oldest first" if needs_reply_order else SORT_LABELS.get(q.sort, q.sort),
                    style="italic")
        filters = self._filter_summary()
        if filters:
            line.append(" │ ", style="dim")
            line.append(filters, style="yellow")
        # One line of fixed height (app.tcss): no layout of the screen needed. With one, every
        # filter, sort or search laid the whole inbox out again (10-25 ms at 1M, more under load).
        self.query_one("#views", Static).update(line, layout=False)

    def _filter_summary(self) -> str:
        q = self.query_state
        parts = []
        if q.search:
            parts.append(f"search: {clean(q.search, single_line=True)}")
        for name in ("source", "language", "product", "sentiment", "tag", "assignee"):
            value = getattr(q, name)
            if value:
                parts.append(f"{name}: {clean(value, single_line=True)}")
        if q.statuses:
            left_out = [s for s in REVIEW_STATUSES if s not in q.statuses]
            if len(left_out) < len(q.statuses) and left_out:  # a drill-down's "all but spam", said so
                parts.append(f"status: not {', '.join(left_out)}")
            else:
                parts.append(f"status: {', '.join(q.statuses)}")
        if q.min_rating is not None or q.max_rating is not None:  # "score …–6" read as a typo: "score ≤ 6"
            low, high = q.min_rating, q.max_rating
            parts.append(f"score {low}–{high}" if low is not None and high is not None
                         else f"score ≥ {low}" if low is not None else f"score ≤ {high}")
        if q.since or q.until:
            parts.append(f"dates {(q.since or '…')[:10]} → {until_shown(q.until) if q.until else '…'}")
        if q.ids:
            parts.append(f"{len(q.ids)} chosen rows")
        if q.mismatch:
            parts.append("text contradicts stars (5)")
        return " · ".join(parts)

    def _show_status(self) -> None:
        lst = self.review_list
        if lst.load_error is not None:  # else "counting…" would stay forever
            self._status_shown = None
            self.query_one("#status-line", Static).update(plain(f"Nothing loaded · agent {self.app.agent} · ? for keys", single_line=True))
            return
        # a drill-down lists survey answers with or without a comment: not "comments"
        noun = "reviews" if self.query_state.kind == "reviews" else "comments" if self.query_state.comments_only else "survey answers"
        total = "counting…" if self.total is None else f"{self.total:,} {noun}"
        if inbox.literal_scan_only(self.query_state):  # symbols alone: the newest reviews only (store.inbox)
            total += f" in the newest {inbox.LITERAL_SCAN_ROWS:,} (symbols alone: add a word to search further)"
        elif self.total is not None and self._source is not None and self._source.literal_bound:
            # a common word next to a symbol: the word's newest reviews only (store.inbox.literal_bound)
            total += f" in the newest {inbox.WORD_LITERAL_SCAN_ROWS:,} with {search.words_of(self.query_state.search or '')}"
        position = f"{lst.cursor + 1:,} of {total}" if self.total else total
        selected = f" · {len(lst.selected)} selected" if lst.selected else ""
        line = f"{position}{selected} · agent {self.app.agent} · ? for keys"
        if line == self._status_shown:  # the cursor watcher already wrote it: a repaint would be a frame of its own
            return
        self._status_shown = line
        # A one-line bar of fixed height: no layout pass needed on every cursor move.
        self.query_one("#status-line", Static).update(plain(line, single_line=True), layout=False)

    def _cursor_moved(self) -> None:
        """The list's cursor moved: the position in the status line, in the same frame as the list.

        Why not on the list's ``Highlighted`` message: that reaches the screen after the
        list's own repaint was queued, so the line was drawn in a frame of its own, a
        Textual frame interval (17-33 ms) later: every ``j`` kept the app busy twice.
        """
        self._show_status()

    # -- list messages -------------------------------------------------------------
    def on_review_list_counted(self, message: ReviewList.Counted) -> None:
        self.total = message.total
        self._show_status()
        if not self._prebuild_started:  # the first list and its count are in: the panel can be built now
            self._prebuild_started = True
            self.post_message(InboxSettled())
            self.set_timer(PREBUILD_DELAY, self._prebuild_filters)

    def on_review_list_highlighted(self, message: ReviewList.Highlighted) -> None:
        self._show_status()
        self.post_message(RowHighlighted(message.row))  # a review screen on top follows the cursor

    def on_review_list_opened(self, message: ReviewList.Opened) -> None:
        from feedback_tui.tui.screens.review import ReviewScreen

        row = self.review_list.current_row
        row_id, kind, terms = (row.id if row is not None else None), self.query_state.kind, self.review_list.terms
        # One review screen per inbox, kept between openings (see ReviewScreen.reuse).
        screen = self._review_screen
        if screen is None:  # the first one is built: ~100-200 ms on a busy machine, said at once
            screen = self._review_screen = ReviewScreen(row_id, kind, terms)
            self.app.install_screen(screen, name=f"inbox-review-{id(self)}")
            self.show_working("opening the review…")
            self.call_after_refresh(self.app.push_screen, screen)
            return
        screen.reuse(row_id, kind, terms)
        self.app.push_screen(screen)

    def on_screen_suspend(self) -> None:
        """A screen is over the inbox: its "working" line is done with."""
        self._show_status()

    def working_done(self) -> None:
        self._show_status()

    def on_review_list_row_left(self, message: ReviewList.RowLeft) -> None:
        self._say_who_changed(message.row)

    @work(thread=True, exit_on_error=False, group="row-left", description="Who changed the row")
    def _say_who_changed(self, row: InboxRow) -> None:
        """The review under the cursor left the view: name the other agent who did it."""
        with self.app.open_store() as store:
            last = activity.of_review(store, row.id, limit=1)
        if not last or last[0].agent == self.app.agent:
            return  # our own action (from the review screen), or an import: nothing to warn about
        entry = last[0]
        label = " ".join((row.title or row.excerpt or "").split())
        label = label if len(label) <= 30 else label[:29] + "…"
        self.app.call_from_thread(self.notify, f"{label!r} ({row.author or 'anonymous'}) left this view: "
                                  f"{entry.what} by {entry.agent}.", title="Changed by another agent",
                                  severity="warning")

    def on_review_list_load_failed(self, message: ReviewList.LoadFailed) -> None:
        error = message.error
        self._show_status()
        if isinstance(error, SearchProblem):
            self.notify(str(error), title="Search", severity="warning")
        else:
            self.notify(f"Could not load reviews: {error}", severity="error")

    def on_action_done(self, message: ActionDone) -> None:
        self.notify(message.text, severity="error" if message.error else "information", timeout=3)
        if message.clear_selection and not message.error:
            self.review_list.clear_selection()
        self.apply_query(self.query_state, keep_position=True, focus=message.focus)

    # -- TriageActions -------------------------------------------------------------
    def target_ids(self) -> list[int]:
        lst = self.review_list
        if lst.selected:
            return sorted(lst.selected)
        row = lst.current_row
        return [row.id] if row else []

    def target_kind(self) -> str:
        return self.query_state.kind

    # -- actions -------------------------------------------------------------------
    def action_view(self, view: str) -> None:
        self.apply_query(self.query_state.with_changes(view=view, ids=(), mismatch=False))

    def action_mismatches(self) -> None:
        """Reviews whose text confidently contradicts their stars (issue 17), in every status; again: off."""
        on = not self.query_state.mismatch
        self.apply_query(self.query_state.with_changes(mismatch=on, kind="reviews", ids=(),
                                                       view="all" if on else self.query_state.view))

    def action_toggle_kind(self) -> None:
        kind = "surveys" if self.query_state.kind == "reviews" else "reviews"
        self.apply_query(self.query_state.with_changes(kind=kind, ids=(), tag=None, product=None, assignee=None))

    def action_search(self) -> None:
        field = self.query_one("#search", Input)
        field.display = True
        field.value = self.query_state.search or ""
        # At once, not through Widget.focus()'s call_later: the keys queued behind "/" would
        # still reach the list's bindings (r replies, e archives, u undoes).
        self.set_focus(field)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search" and self.query_one("#search", Input).has_focus:
            return False  # "/" typed in the search box is a character of the search
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        event.stop()
        text = event.value.strip() or None
        event.input.display = bool(text)
        self.apply_query(self.query_state.with_changes(search=text))
        self.review_list.focus()

    def action_clear(self) -> None:
        field = self.query_one("#search", Input)
        if field.has_focus or self.query_state.search:
            field.value = ""
            field.display = False
            self.review_list.focus()
            if self.query_state.search:
                self.apply_query(self.query_state.with_changes(search=None))
            return
        if self.review_list.clear_selection():
            self._show_status()
            return
        if self.query_state.ids:
            self.apply_query(self.query_state.with_changes(ids=()))
            return
        if self._filter_summary():  # no search, nothing selected: escape clears the filters
            q = self.query_state
            self.apply_query(InboxQuery(kind=q.kind, view=q.view, agent=q.agent, sort=q.sort))
            self.notify("Filters cleared.", timeout=2)

    def action_filters(self) -> None:
        # Building the panel takes Textual a few hundred ms on a busy machine: say so at once.
        self.show_working("opening the filters…")
        # The list's count, if it has not started, waits until the panel is closed: it
        # took a core from the panel's opening and repainted the list under it (and the
        # panel's choice often makes it useless).
        self.review_list.hold_count(True)
        self._load_filter_choices()

    def show_working(self, what: str) -> None:
        self._status_shown = None
        self.query_one("#status-line", Static).update(Text(f"working: {what}", style="italic"), layout=False)

    def _read_filter_choices(self, kind: str) -> FilterChoices:
        with self.app.open_store() as store:
            return FilterChoices(
                sources=inbox.distinct_values(store, "source", kind),
                languages=inbox.distinct_values(store, "language", kind),
                products=inbox.distinct_values(store, "product", kind),
                tags=triage.tag_names(store),
                assignees=inbox.assignees(store) if kind == "reviews" else [],
            )

    @work(thread=True, exclusive=True, exit_on_error=False, group="filters", description="Loading filter values")
    def _load_filter_choices(self) -> None:
        try:
            choices = self._read_filter_choices(self.query_state.kind)
        except Exception as error:  # noqa: BLE001 - said on the screen: never a "working" line that stays
            self.app.call_from_thread(self._filters_failed, str(error))
            return
        self.post_message(self.FiltersLoaded(choices))

    def _prebuild_filters(self) -> None:
        """Build the filter panel ahead of need, once, without showing it.

        Its first opening composed seven selects and four inputs (400-800 ms at 1M
        under load, against 117-328 ms for a reopening, which refills the installed
        panel): it is built a moment after the inbox's first list and count are in,
        so that the first ``f`` is a reopening. Its lists are read again at that ``f``.
        """
        if self._filter_dialog is not None:
            return
        if not self._keys_quiet():  # the agent is typing: not now (each step holds the loop up to ~100 ms)
            self.set_timer(PREBUILD_QUIET, self._prebuild_filters)
            return
        self._preload_filter_choices()

    def _keys_quiet(self) -> bool:
        return time.monotonic() - self._last_key >= PREBUILD_QUIET

    def on_key(self, event: events.Key) -> None:
        """Noted, not handled: the panel is built ahead only once the keys are quiet."""
        self._last_key = time.monotonic()

    @work(thread=True, exit_on_error=False, group="filters-prebuild", description="Reading filter values ahead")
    def _preload_filter_choices(self) -> None:
        try:
            choices = self._read_filter_choices(self.query_state.kind)
        except Exception:  # noqa: BLE001 - nothing asked for yet: the panel's own opening reads and reports it
            return
        self.post_message(self.FiltersLoaded(choices, show=False))

    def _filters_failed(self, error: str) -> None:
        self.review_list.hold_count(False)
        self._show_status()
        self.notify(f"The filter values could not be read: {error}", severity="error")

    def on_inbox_screen_filters_loaded(self, message: FiltersLoaded) -> None:
        def chosen(query: InboxQuery | None) -> None:
            self._show_status()
            if query is not None:
                self.apply_query(query)
            self.review_list.hold_count(False)  # cancelled: the held count runs now

        # One panel per inbox, kept between openings (see FilterDialog.reuse).
        dialog = self._filter_dialog
        if not message.show:  # read ahead (_prebuild_filters): built, not shown, unless one already is
            if dialog is None:
                dialog = self._filter_dialog = FilterDialog(self.query_state, message.choices)
                self.app.install_screen(dialog, name=f"inbox-filters-{id(self)}")
                build_ahead(self.app, dialog, ready=self._keys_quiet)
            return
        if dialog is None:
            dialog = self._filter_dialog = FilterDialog(self.query_state, message.choices)
            self.app.install_screen(dialog, name=f"inbox-filters-{id(self)}")
        else:
            dialog.reuse(self.query_state, message.choices)

        def open_panel() -> None:
            self.app.push_screen(dialog, chosen)
            self._show_status()  # the "working" line is done with once the panel is up

        # After the next repaint, so the "working" line is on the screen while the panel is built.
        self.call_after_refresh(open_panel)

    def action_sort(self) -> None:
        def chosen(sort: str | None) -> None:
            if sort:
                self.apply_query(self.query_state.with_changes(sort=sort))

        self.app.push_screen(ChoiceDialog("Sort by", list(SORT_LABELS.items())), chosen)

    def action_reload(self) -> None:
        self.refresh_data()

    def action_save_view(self) -> None:
        self._open_with_typed_keys(self._ask_view_name)  # the name typed right after w goes in the prompt

    def _ask_view_name(self, hold: KeyHold) -> None:
        data = self.query_state.to_dict()
        agent = self.app.agent

        def chosen(name: str | None) -> None:
            if name and name.strip():
                self.run_triage(lambda s: (triage.save_view(s, name, data, agent), f"View saved: {name}")[1], False)

        self.app.push_screen(TextPrompt("Save the current view as", keys=hold), chosen)

    def action_saved_views(self) -> None:
        self.review_list.hold_count(False)  # its worker (group "filters") cancels a panel's reading
        self._load_saved_views()

    @work(thread=True, exclusive=True, exit_on_error=False, group="filters", description="Loading saved views")
    def _load_saved_views(self) -> None:
        with self.app.open_store() as store:
            views = triage.saved_views(store)
        if not views:
            self.app.call_from_thread(self.notify, "No saved view yet: w saves the current one.")
            return
        by_name = dict(views)

        def chosen(name: str | None) -> None:
            if name:
                self.apply_query(InboxQuery.from_dict({**by_name[name], "agent": self.app.agent}))

        self.app.call_from_thread(self.app.push_screen, ChoiceDialog("Saved views", [(n, n) for n in by_name]), chosen)

    def open_with(self, query: InboxQuery) -> None:
        """Used by drill-down: show exactly these rows."""
        self.apply_query(query.with_changes(agent=self.app.agent))

