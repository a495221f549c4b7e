"""How one inbox row is drawn: its cells, marks and widths (the column header reads the same widths).

Every value goes through :func:`clean` and is drawn as a plain segment: nothing in
a review is parsed as markup or reaches the terminal as a control sequence.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from feedback_tui.store.rows import InboxRow
from feedback_tui.store.search import match_spans
from feedback_tui.tui.safe_text import clean
from feedback_tui.tui.widgets.rating import stars

SENTIMENT_MARKS = {"positive": ("▲", "green"), "neutral": ("■", "yellow"), "negative": ("▼", "red")}
UNDATED_MARK = "(no date)"  # the file gave none: the row is dated (and sorted) by its import
UNREAD_MARK = "▌"  # unread: a bar in the first column (● is the status "new")
ASSIGNEE_WIDTH = 11
FIXED_WIDTH = 2 + 2 + 11 + 12 + 7 + 3 + 15 + 2 + ASSIGNEE_WIDTH
NARROW = 100  # under this many cells the assignee column is left out: at 80 the text had 13 cells


def assignee_width(width: int) -> int:
    """The assignee column's width in a list ``width`` cells wide (the detail still names the assignee)."""
    return ASSIGNEE_WIDTH if width >= NARROW else 0


def text_width(width: int) -> int:
    """What is left for the title and text (and tags) in a list ``width`` cells wide."""
    return max(width - FIXED_WIDTH + ASSIGNEE_WIDTH - assignee_width(width), 10)
COLUMNS = (("", 2), ("", 2), ("date", 11), ("source", 12), ("stars", 7), ("", 3), ("author", 15))
SURVEY_TITLES = {"stars": "score", "author": "customer"}  # a survey row shows "NPS 9", its customer (or —)
STATUS_MARKS = {"new": "●", "open": "○", "replied": "✓", "outdated": "↻", "archived": "▪", "spam": "⊘",
                "answered_elsewhere": "⇢"}


def row_segments(row: InboxRow, width: int, base: Style, *, selected: bool, terms: tuple[str, ...],
                 unread: Style, dim: Style, match: Style, on_cursor: bool = False) -> list[Segment]:
    """One row's cells, each cut or padded to its width in terminal cells (CJK counts double);
    the text cell split where the search's ``terms`` matched.

    On the cursor's row the cells keep the bar's text colour: yellow stars, cyan tags
    and green marks did not read on its orange (the stars vanished, in a terminal and
    in the browser). The marks' shapes (★☆, ▲■▼, ↩✎) still say what the colours did."""

    def coloured(colour: str, **more: bool) -> Style:
        return base + Style(**more) if on_cursor else base + Style(color=colour, **more)

    bold = unread if not row.is_read else Style()
    mark, colour = SENTIMENT_MARKS.get(row.sentiment or "", ("·", ""))
    title = clean(row.title, single_line=True)
    excerpt = clean(row.excerpt, single_line=True)
    if terms and title and not match_spans(title, terms) and match_spans(excerpt, terms):
        title = title if len(title) <= 24 else title[:23] + "…"  # the match, in the text, stays in sight
    text = f"{title} — {excerpt}" if title and excerpt else title or excerpt  # a title alone: no dangling dash
    text_cells = text_width(width)
    tags = clean(" " + " ".join(f"#{t}" for t in row.tags.split()), single_line=True) if row.tags else ""
    tag_width = min(cell_len(tags) + 1, 24, text_cells // 3) if tags else 0
    cells: list[tuple[str, int, Style]] = [
        ("◆" if selected else UNREAD_MARK if not row.is_read else " ", 2,
         base if selected or row.is_read else coloured("bright_blue", bold=True)),
        (STATUS_MARKS.get(row.status or "", " "), 2, base),
        (UNDATED_MARK if row.undated else (row.created_at or "")[:10], 11,
         # brighter than the dimmed dates, italic; no colour of its own, which would not read on the cursor's bar
         base + Style(italic=True) if row.undated else base + dim),
        (clean(row.source, single_line=True), 12, base + dim),
        (stars(row.rating, row.kind), 7, coloured("yellow")),
        (mark, 3, coloured(colour) if colour else base + dim),
        (set_cell_size(clean(row.author, single_line=True) or "—", 14), 15, base),  # a space before the text
        (text, text_cells - tag_width, base + bold),
        (tags, tag_width, coloured("cyan")),
        ("↩" if row.replied else "✎" if row.has_draft else " ", 2,
         coloured("green" if row.replied else "yellow")),
        (clean(row.assignee, single_line=True), assignee_width(width), base + dim),
    ]
    segments = [Segment(set_cell_size(value, size), style) for value, size, style in cells]
    if terms:  # the text cell, split where the search matched
        text_cell = segments[7]
        segments[7:8] = _split_at(text_cell.text, match_spans(text_cell.text, terms), text_cell.style,
                                  text_cell.style + match)
    return segments


def _split_at(text: str, spans: list[tuple[int, int]], style: Style, match: Style) -> list[Segment]:
    """``text`` as segments, the ``spans`` in the ``match`` style (cell widths are unchanged)."""
    pieces: list[Segment] = []
    at = 0
    for start, end in spans:
        if start > at:
            pieces.append(Segment(text[at:start], style))
        pieces.append(Segment(text[start:end], match))
        at = end
    if at < len(text):
        pieces.append(Segment(text[at:], style))
    return pieces
