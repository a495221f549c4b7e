"""The inbox list's column titles, drawn on the list's own widths."""

from __future__ import annotations

from rich.cells import set_cell_size
from rich.text import Text
from textual.widget import Widget

from feedback_tui.tui.widgets.review_row import COLUMNS, FIXED_WIDTH


class ColumnHeader(Widget):
    """The list's column titles, on the list's own widths (one line above it)."""

    DEFAULT_CSS = "ColumnHeader { height: 1; color: $text-muted; text-style: bold; background: $surface; }"

    def render(self) -> Text:
        width = self.size.width
        parts = [set_cell_size(title, size) for title, size in COLUMNS]
        parts.append(set_cell_size("title — text   #tags", max(width - FIXED_WIDTH, 10)))
        parts.append(set_cell_size("", 2))
        parts.append(set_cell_size("assignee", 11))
        return Text("".join(parts), no_wrap=True)
