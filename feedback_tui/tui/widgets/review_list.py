"""A virtual list of reviews that stays instant at a million rows.

It draws only the visible lines (Textual's line API) from a cache of pages.
Pages come from a :class:`RowSource` in thread workers: keyset pages next to a
loaded page (as cheap at row 900,000 as at row 0), the last page from the
end, and ``OFFSET`` only for a jump far from anything loaded. Each row is drawn
by :mod:`~feedback_tui.tui.widgets.review_row` as plain segments after
``clean``, so nothing in a review is parsed as markup or reaches the terminal as
a control sequence.
"""

from __future__ import annotations

from typing import Any, Protocol

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from feedback_tui.store.inbox import PAGE_SIZE
from feedback_tui.store.rows import InboxRow
from feedback_tui.tui.widgets.review_row import row_segments

Row = InboxRow


class RowSource(Protocol):
    """Where the list gets its rows; called from worker threads only."""

    def count(self) -> int: ...

    def page(self, *, after: dict[str, Any] | None = None, before: dict[str, Any] | None = None,
             offset: int | None = None, from_end: bool = False, limit: int = PAGE_SIZE) -> list[Row]: ...

    def position_of(self, row: Row) -> int: ...

    def still_listed(self, ids: frozenset[int]) -> set[int]: ...


class ReviewList(ScrollView, can_focus=True):
    """The inbox list: cursor, selection, paging."""

    DEFAULT_CSS = """
    ReviewList { background: $surface; overflow-x: hidden; }
    ReviewList > .review-list--cursor { background: $accent 40%; text-style: bold; }
    ReviewList:focus > .review-list--cursor { background: $accent 70%; }
    ReviewList > .review-list--selected { background: $secondary 30%; }
    ReviewList > .review-list--unread { text-style: bold; }
    ReviewList > .review-list--dim { color: $text-muted; }
    ReviewList > .review-list--match { text-style: bold reverse; }
    """
    COMPONENT_CLASSES = {"review-list--cursor", "review-list--selected", "review-list--unread", "review-list--dim",
                         "review-list--match"}
    BINDINGS = [
        Binding("j,down", "cursor_down", "Next", id="list.down", show=False),
        Binding("k,up", "cursor_up", "Previous", id="list.up", show=False),
        Binding("g,home", "first", "First", id="list.first", show=False),
        Binding("G,end", "last", "Last", id="list.last", show=False),
        Binding("ctrl+d,pagedown", "half_page(1)", "Half page down", id="list.page_down", show=False),
        Binding("ctrl+u,pageup", "half_page(-1)", "Half page up", id="list.page_up", show=False),
        Binding("space", "toggle_select", "Select", id="list.select"),
        Binding("v", "visual", "Select range", id="list.visual"),
        Binding("enter", "open", "Open", id="list.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, row: Row | None, index: int) -> None:
            self.row = row
            self.index = index
            super().__init__()

    class Opened(Message):
        def __init__(self, row: Row) -> None:
            self.row = row
            super().__init__()

    class Counted(Message):
        def __init__(self, total: int) -> None:
            self.total = total
            super().__init__()

    class RowLeft(Message):
        """The row under the cursor left the list on a live refresh (someone changed it)."""

        def __init__(self, row: Row) -> None:
            self.row = row
            super().__init__()

    class LoadFailed(Message):
        def __init__(self, error: Exception) -> None:
            self.error = error
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source: RowSource | None = None
        self.total: int | None = None
        self.pages: dict[int, list[Row]] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self.selected: set[int] = set()
        self._visual_anchor: int | None = None
        self._visual_base: set[int] = set()
        """What was selected before the visual range started: the range adds to it."""
        self._keep: tuple[Row, int] | None = None
        self.load_error: Exception | None = None
        self.terms: tuple[str, ...] = ()
        self._live_row: Row | None = None
        """The search's terms (from the source), highlighted in each row's text."""
        """Why the current source failed; no page is requested again until the next ``set_source``."""
        self._count_waits = False
        """The list's count starts when its first page is in (:meth:`set_source`)."""
        self._count_held = False
        self._count_due: int | None = None
        """The generation whose count waits for :meth:`hold_count` to be lifted."""

    # -- data --------------------------------------------------------------
    @property
    def loaded_row_count(self) -> int:
        """Rows materialised in memory (the 100k test asserts on this)."""
        return sum(len(rows) for rows in self.pages.values())

    def row_at(self, index: int) -> Row | None:
        rows = self.pages.get(index // PAGE_SIZE)
        if rows is None:
            return None
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    @property
    def current_row(self) -> Row | None:
        return self.row_at(self.cursor)

    def set_source(self, source: RowSource, *, keep_position: bool = False, focus: int | None = None,
                   live: bool = False) -> None:
        """Show rows from ``source``; ``keep_position`` keeps the cursor on its row (live refresh),
        or moves it to the row ``focus`` (the one an undo restored) when it is listed."""
        current = self.current_row if keep_position else None
        self._live_row = current if live else None  # a live refresh: say so if this row leaves
        if keep_position and focus is not None:
            current = Row(id=focus)
        self._keep = (current, self.cursor) if current else None
        previous = self.source
        if previous is not None and previous is not source and hasattr(previous, "cancel"):
            previous.cancel()  # its count or pages still running are of no use now
        self.source = source
        self.terms = tuple(getattr(source, "terms", ()))
        self._generation += 1
        self.pages.clear()
        self._pending.clear()
        self.load_error = None
        if not keep_position:
            self.total = None
            self.selected.clear()
            self._visual_anchor = None
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        # A new list counts once its first page is in: the count of a common word or a
        # wide filter reads hundreds of thousands of rows (0.3-0.5 s at 1M), and run
        # beside the page it took the second core (or the only free one on a busy
        # machine) from it. A live refresh keeps its rows on screen: it counts at once.
        self._count_waits = not keep_position
        if keep_position:
            self._count(self._generation)
        if keep_position and self.selected:
            self._prune_selection(self._generation, frozenset(self.selected))
        if self._keep is None:
            self._request(0)
        else:
            self._relocate(self._generation, self._keep[0])

    def reload(self) -> None:
        if self.source is not None:
            self.set_source(self.source, keep_position=True)

    def _request(self, page_index: int) -> None:
        # After a failure (a malformed search), asking again would fail again on every repaint.
        if page_index in self.pages or page_index in self._pending or self.source is None or self.load_error:
            return
        if self.total is not None and page_index * PAGE_SIZE >= max(self.total, 1):
            return
        self._pending.add(page_index)
        kwargs: dict[str, Any]
        last_page = None if self.total is None else max(self.total - 1, 0) // PAGE_SIZE
        if page_index == 0:
            kwargs = {}
        elif page_index - 1 in self.pages and len(self.pages[page_index - 1]) == PAGE_SIZE:
            kwargs = {"after": self.pages[page_index - 1][-1].sort_key}
        elif page_index + 1 in self.pages and self.pages[page_index + 1]:
            kwargs = {"before": self.pages[page_index + 1][0].sort_key}
        elif page_index == last_page and self.total is not None:
            kwargs = {"from_end": True, "limit": self.total - page_index * PAGE_SIZE}
        else:
            kwargs = {"offset": page_index * PAGE_SIZE}
        self._fetch(self._generation, page_index, kwargs)

    @work(thread=True, exit_on_error=False, group="list-pages", description="Loading a page")
    def _fetch(self, generation: int, page_index: int, kwargs: dict[str, Any]) -> None:
        assert self.source is not None
        if generation != self._generation:  # replaced before this thread started: its source was cancelled
            self.app.call_from_thread(self._pending.discard, page_index)
            return
        try:
            rows = self.source.page(**kwargs)
        except Exception as error:  # shown to the user by the screen
            self.app.call_from_thread(self._failed, generation, page_index, error)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._store_page, generation, page_index, rows)

    def hold_count(self, held: bool) -> None:
        """Hold a new list's deferred count back (True), or let it run now (False).

        A screen over the list (the filter panel) holds it: the count of a wide list
        reads every row (40-60 ms at 1M, much more under load), and run while the
        panel opens it took a core and then repainted the list under the panel
        (issue 19, session 8). Only a count not started yet waits; a live refresh
        counts at once, as before.
        """
        self._count_held = held
        if not held and self._count_due is not None:
            generation, self._count_due = self._count_due, None
            if generation == self._generation:
                self._count(generation)

    def _start_count(self, generation: int) -> None:
        if generation != self._generation:
            return
        if self._count_held:
            self._count_due = generation
            return
        self._count(generation)

    @work(thread=True, exit_on_error=False, group="list-count", exclusive=True, description="Counting")
    def _count(self, generation: int) -> None:
        assert self.source is not None
        if generation != self._generation:
            # Replaced before this thread started (a filter changed again at once): its
            # source's cancel interrupted nothing yet, and a count of 0.3 s at 1M would
            # have run to its end beside the new list's first page.
            return
        try:
            total = self.source.count()
        except Exception as error:
            self.app.call_from_thread(self._failed, generation, -1, error)
            return
        self.app.call_from_thread(self._store_total, generation, total)

    @work(thread=True, exit_on_error=False, group="list-pages", description="Checking the selection")
    def _prune_selection(self, generation: int, ids: frozenset[int]) -> None:
        assert self.source is not None
        try:
            listed = self.source.still_listed(ids)
        except Exception:
            return  # the page and count workers report the same failure
        if ids - listed:
            self.app.call_from_thread(self._drop_from_selection, generation, ids - listed)

    def _drop_from_selection(self, generation: int, gone: set[int]) -> None:
        """Rows that left the list (archived or answered elsewhere) leave the selection."""
        if generation != self._generation:
            return
        self.selected -= gone
        self._visual_base -= gone
        self.refresh()
        self._announce()

    @work(thread=True, exit_on_error=False, group="list-pages", description="Finding the row again")
    def _relocate(self, generation: int, row: Row) -> None:
        assert self.source is not None
        try:
            index = self.source.position_of(row)
            rows = self.source.page(offset=(index // PAGE_SIZE) * PAGE_SIZE)
        except Exception as error:
            self.app.call_from_thread(self._failed, generation, -1, error)
            return
        self.app.call_from_thread(self._store_relocated, generation, index, rows, row.id)

    def _failed(self, generation: int, page_index: int, error: Exception) -> None:
        """Report the first failure of this source only: the count and the page fail together."""
        self._pending.discard(page_index)
        if generation != self._generation or self.load_error is not None:
            return
        self.load_error = error
        self.post_message(self.LoadFailed(error))
        self.refresh()

    def _store_total(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self.total = total
        self._update_size()
        if self.cursor >= total:
            self.cursor = max(total - 1, 0)
        self.post_message(self.Counted(total))
        self.refresh()

    def _store_page(self, generation: int, page_index: int, rows: list[Row]) -> None:
        self._pending.discard(page_index)
        if generation != self._generation:
            return
        if self._count_waits:  # the first page of this list is in: its count once it is drawn (see set_source)
            self._count_waits = False
            self.call_after_refresh(self._start_count, generation)
        self.pages[page_index] = rows
        if self.total is None or self.total < page_index * PAGE_SIZE + len(rows):
            self._update_size(page_index * PAGE_SIZE + len(rows))
        self._apply_visual_range()  # a range over rows that were not loaded yet
        if not rows or self._shows(page_index * PAGE_SIZE, len(rows)):
            self.refresh()  # a page read ahead, off screen, needs no repaint (a frame of 5-10 ms at 1M)
        if page_index == self.cursor // PAGE_SIZE:
            self._announce()

    def _store_relocated(self, generation: int, index: int, rows: list[Row], row_id: int) -> None:
        if generation != self._generation:
            return
        page_index = index // PAGE_SIZE
        self.pages[page_index] = rows
        ids = [r.id for r in rows]
        if row_id in ids:
            index = page_index * PAGE_SIZE + ids.index(row_id)
        else:  # the row left this list (archived by someone): stay at the same place
            index = min(self._keep[1] if self._keep else index, max((self.total or 1) - 1, 0))
            if self._live_row is not None and self._live_row.id == row_id:
                self.post_message(self.RowLeft(self._live_row))
            self._request(index // PAGE_SIZE)
        self._keep = None
        self._update_size(max(self.total or 0, page_index * PAGE_SIZE + len(rows)))
        self.cursor = index
        self.refresh()

    def _shows(self, first: int, count: int) -> bool:
        """Whether any of the rows ``first`` to ``first + count - 1`` is on screen."""
        top = round(self.scroll_y)
        return first < top + max(self.scrollable_content_region.height, 1) and first + count > top

    def _update_size(self, rows: int | None = None) -> None:
        height = rows if rows is not None else (self.total or 0)
        self.virtual_size = Size(self.size.width, height)

    # -- cursor --------------------------------------------------------------
    def _apply_visual_range(self) -> None:
        """Selected = what was before ``v`` plus the rows from the anchor to the
        cursor, as in vim: moving back towards the anchor shrinks the range."""
        if self._visual_anchor is None:
            return
        low, high = sorted((self._visual_anchor, self.cursor))
        in_range = (self.row_at(index) for index in range(low, high + 1))
        self.selected = self._visual_base | {row.id for row in in_range if row is not None}

    def watch_cursor(self, old: int, new: int) -> None:
        self._apply_visual_range()
        scrolled = self._scroll_to_cursor()
        page_index = new // PAGE_SIZE
        self._request(page_index)
        if new % PAGE_SIZE > PAGE_SIZE - 20:
            self._request(page_index + 1)
        elif new % PAGE_SIZE < 20 and page_index:
            self._request(page_index - 1)
        if scrolled or self._visual_anchor is not None:
            self.refresh()
        else:  # only the two lines whose highlight changed: a j press repaints 2 lines, not 40
            self.refresh_line(old)
            self.refresh_line(new)
        self._announce()

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self.current_row, self.cursor))

    def _scroll_to_cursor(self) -> bool:
        """Keep the cursor visible; True when the view scrolled."""
        height = max(self.scrollable_content_region.height, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
            return True
        if self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
            return True
        return False

    def _last_index(self) -> int:
        if self.total is not None:
            return max(self.total - 1, 0)
        return max(self.loaded_row_count - 1, 0)

    def move_to(self, index: int) -> None:
        self.cursor = max(0, min(index, self._last_index()))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self._last_index())

    def action_half_page(self, direction: int) -> None:
        step = max(self.scrollable_content_region.height // 2, 1)
        self.move_to(self.cursor + direction * step)

    def action_toggle_select(self) -> None:
        row = self.current_row
        if row is None:
            return
        self.selected.symmetric_difference_update({row.id})
        self.action_cursor_down()
        self.refresh()

    def action_visual(self) -> None:
        if self._visual_anchor is None:
            self._visual_anchor = self.cursor
            self._visual_base = set(self.selected)
            self._apply_visual_range()
        else:
            self._visual_anchor = None
        self.refresh()

    def clear_selection(self) -> bool:
        had = bool(self.selected) or self._visual_anchor is not None
        self.selected.clear()
        self._visual_anchor = None
        self.refresh()
        return had

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event: Click) -> None:
        index = round(self.scroll_y) + event.y
        if index <= self._last_index():
            self.move_to(index)
            if event.chain == 2:
                self.action_open()

    # -- drawing -------------------------------------------------------------
    def on_resize(self) -> None:
        self._update_size(max(self.total or 0, self.loaded_row_count))

    def _empty_text(self) -> str:
        """Why the list is empty: the source may know better (a new workspace: how to fill it)."""
        return "  " + (getattr(self.source, "empty_message", None) or "Nothing here: no row matches this view and "
                                                                       "these filters.")

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if self.load_error is not None and self.row_at(index) is None:
            if y == 0:
                return Strip([Segment(set_cell_size("  Could not load these rows: ctrl+l retries, escape clears the search.",
                                                    width),
                                      self.get_component_rich_style("review-list--dim", partial=True))])
            return Strip.blank(width, self.rich_style)
        if index > self._last_index() or (self.total == 0):
            if self.total == 0 and y == 0:
                return Strip([Segment(set_cell_size(self._empty_text(), width),
                                      self.get_component_rich_style("review-list--dim", partial=True))])
            return Strip.blank(width, self.rich_style)
        row = self.row_at(index)
        if row is None:
            self.call_later(self._request, index // PAGE_SIZE)
            return Strip([Segment(set_cell_size("  …", width), self.get_component_rich_style("review-list--dim", partial=True))])
        line_style = self.rich_style
        if row.id in self.selected:
            line_style += self.get_component_rich_style("review-list--selected", partial=True)
        if index == self.cursor:
            line_style += self.get_component_rich_style("review-list--cursor", partial=True)
        return Strip(self._segments(row, width, line_style, on_cursor=index == self.cursor)).adjust_cell_length(
            width, line_style)

    def _segments(self, row: Row, width: int, base: Style, *, on_cursor: bool = False) -> list[Segment]:
        """One row's cells (:func:`~feedback_tui.tui.widgets.review_row.row_segments`) in this list's styles."""
        return row_segments(
            row, width, base, selected=row.id in self.selected, terms=self.terms,
            unread=self.get_component_rich_style("review-list--unread", partial=True),
            dim=self.get_component_rich_style("review-list--dim", partial=True),
            match=self.get_component_rich_style("review-list--match", partial=True), on_cursor=on_cursor)
