"""The inbox list's column titles, drawn on the list's own widths."""

from __future__ import annotations

from rich.cells import set_cell_size
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from feedback_tui.tui.widgets.review_row import COLUMNS, SURVEY_TITLES, assignee_width, text_width


class ColumnHeader(Widget):
    """The list's column titles, on the list's own widths (one line above it)."""

    DEFAULT_CSS = "ColumnHeader { height: 1; color: $text-muted; text-style: bold; background: $surface; }"

    kind: reactive[str] = reactive("reviews")  # "surveys": the titles of a survey answer's cells

    def render(self) -> Text:
        width = self.size.width
        surveys = self.kind == "surveys"
        parts = [set_cell_size(SURVEY_TITLES.get(title, title) if surveys else title, size) for title, size in COLUMNS]
        parts.append(set_cell_size("comment   #tags" if surveys else "title — text   #tags", text_width(width)))
        parts.append(set_cell_size("", 2))
        parts.append(set_cell_size("assignee", assignee_width(width)))
        return Text("".join(parts), no_wrap=True)
