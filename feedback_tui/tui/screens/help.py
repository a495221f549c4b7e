"""``?``: every key of the screen below, generated from its bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_table(screen: Screen) -> Table:
    """Key, action and binding id of everything active on ``screen``."""
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column(Text("Key"), style="bold cyan", no_wrap=True)
    table.add_column(Text("Does"))
    table.add_column(Text("Id"), style="dim")
    seen: set[tuple[str, str]] = set()
    rows = []
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.action == "command_palette":
            continue  # the palette gets its own row below, with what it does
        marker = (binding.action, binding.description)
        display = screen.app.get_key_display(binding)
        if marker in seen:
            # the same action under two keys (q and Textual's ctrl+q): one row, keeping our id
            rows = [(k + ", " + display, a, d, i or binding.id or "") if (a, d) == marker else (k, a, d, i)
                    for k, a, d, i in rows]
            continue
        seen.add(marker)
        rows.append((display, binding.action, binding.description, binding.id or ""))
    # Ours (with an id) first, in declaration order; Textual's own scrolling keys last.
    rows.sort(key=lambda row: not row[3])
    for display, _action, description, binding_id in rows:
        table.add_row(Text(display), Text(description), Text(binding_id))
    table.add_row(Text("ctrl+p"), Text("Command palette: find any action by name"), Text(""))
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-height: 90%; height: auto; border: thick $accent; background: $panel; padding: 1 2; }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
        # the list is longer than a 45-line terminal: the inbox's own moves scroll it
        Binding("j", "scroll('down')", "Scroll down", id="help.down", show=False),
        Binding("k", "scroll('up')", "Scroll up", id="help.up", show=False),
        Binding("ctrl+d", "scroll('page_down')", "Page down", id="help.page_down", show=False),
        Binding("ctrl+u", "scroll('page_up')", "Page up", id="help.page_up", show=False),
        Binding("g", "scroll('home')", "Top", id="help.first", show=False),
        Binding("G", "scroll('end')", "Bottom", id="help.last", show=False),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(f"Keys: {type(self.under).__name__.removesuffix('Screen')}", style="bold"))
            yield Static(Text("Remap any key by its id in the [keys] table of the config file.", style="dim"))
            yield Static(binding_table(self.under))

    def action_scroll(self, where: str) -> None:
        scroller = self.query_one(VerticalScroll)
        getattr(scroller, f"scroll_{where}")(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
