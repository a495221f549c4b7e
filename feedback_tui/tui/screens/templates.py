"""Reply templates: list, create, edit, delete (``T`` from the inbox).

Every action is on the highlighted row, found by its id, not its position, and
the cursor comes back to that row once the list is reloaded. Deleting asks
first and ``u`` puts the template back; a built-in template cannot be deleted,
only reset to its shipped text (``R``), so a team never loses one by mistake.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label, Select, Static, TextArea

from feedback_tui.errors import FeedbackError
from feedback_tui.store import replies as reply_store
from feedback_tui.tui.dialogs import ChoiceDialog
from feedback_tui.tui.safe_text import clean, plain
from feedback_tui.tui.typed_keys import after_typed_keys
from feedback_tui.tui.widgets.footer import Footer

PLACEHOLDER_HELP = ("Placeholders: {author} {product} {source} {rating} {agent} {company}, "
                    "and {?question} asks the agent.")


class TemplateDialog(ModalScreen[dict[str, Any] | None]):
    """Edit one template; returns its fields or None."""

    DEFAULT_CSS = """
    TemplateDialog { align: center middle; }
    TemplateDialog > Vertical { width: 90; height: auto; max-height: 95%; border: thick $accent; background: $panel; padding: 1 2; }
    TemplateDialog Horizontal { height: 3; }
    TemplateDialog #name { width: 1fr; }
    TemplateDialog #language { width: 12; }
    TemplateDialog #tone { width: 18; }
    TemplateDialog TextArea { height: 10; }
    TemplateDialog .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="template.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="template.cancel"),
    ]

    def __init__(self, template: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.template = template or {}

    def compose(self) -> ComposeResult:
        t = self.template
        with Vertical():
            yield Label("Edit template" if t else "New template")
            with Horizontal():
                yield Input(clean(t.get("name", ""), single_line=True), placeholder="Name", id="name")
                yield Input(clean(t.get("language", "en"), single_line=True), placeholder="en", id="language")
                yield Select([(Text(x), x) for x in reply_store.TONES], value=t.get("tone", "neutral"),
                             allow_blank=False, id="tone")
            yield TextArea(clean(t.get("body", "")), id="body")
            yield Label(PLACEHOLDER_HELP, classes="hint", markup=False)
            yield Label("ctrl+s saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def action_save(self) -> None:
        after_typed_keys(self, self._save_typed)  # a priority binding: see tui/typed_keys.py

    def _save_typed(self) -> None:
        self.dismiss({
            "id": self.template.get("id"),
            "name": self.query_one("#name", Input).value,
            "language": self.query_one("#language", Input).value,
            "tone": str(self.query_one("#tone", Select).value),
            "body": self.query_one("#body", TextArea).text,
        })

    def action_cancel(self) -> None:
        self.dismiss(None)


class TemplatesScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="templates.back"),
        Binding("n", "new", "New", id="templates.new"),
        Binding("enter,e", "edit", "Edit", id="templates.edit"),
        Binding("delete,x", "delete", "Delete", id="templates.delete"),
        Binding("u", "undo", "Undo delete", id="templates.undo"),
        Binding("R", "reset", "Reset built-in", id="templates.reset"),
        Binding("j", "cursor(1)", "Down", id="templates.down", show=False),
        Binding("k", "cursor(-1)", "Up", id="templates.up", show=False),
        Binding("g", "cursor_to(0)", "First", id="templates.first", show=False),
        Binding("G", "cursor_to(-1)", "Last", id="templates.last", show=False),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[dict[str, Any]], error: str | None = None, focus_id: int | None = None,
                     done: str | None = None) -> None:
            self.rows = rows
            self.error = error
            self.focus_id = focus_id  # the row the cursor goes back to
            self.done = done  # what to tell the agent when it worked
            super().__init__()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.deleted: list[dict[str, Any]] = []  # for u, the latest last
        self._focus_index = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="templates", cursor_type="row", zebra_stripes=True)
        yield Static(id="template-preview")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Language", "Tone", "Text")
        table.focus()
        self._run(None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="templates", description="Saving templates")
    def _run(self, change: tuple[str, dict[str, Any]] | None) -> None:
        error = done = None
        focus_id = None
        with self.app.open_store() as store:
            try:
                if change is not None:
                    kind, data = change
                    focus_id = data.get("id")
                    if kind == "save":
                        focus_id = reply_store.save_template(store, data["name"], data["language"], data["tone"],
                                                             data["body"], data.get("id"))
                        done = f"Template saved: {data['name']}"
                    elif kind == "delete":
                        reply_store.delete_template(store, data["id"])
                        done = f"Template deleted: {data['name']} (u puts it back)"
                    elif kind == "restore":
                        focus_id = reply_store.restore_template(store, data)
                        done = f"Template restored: {data['name']}"
                    else:
                        done = f"Template reset to the shipped text: {reply_store.reset_template(store, data['id'])}"
            except FeedbackError as problem:
                error = str(problem)
            rows = reply_store.templates(store)
        self.post_message(self.Loaded(rows, error, focus_id, done))

    def on_templates_screen_loaded(self, message: Loaded) -> None:
        if message.error:
            self.notify(message.error, severity="error", markup=False)
        elif message.done:
            self.notify(message.done, markup=False)
        self.rows = message.rows
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            name = plain(row["name"], single_line=True)
            if row.get("builtin"):
                name.append(" (built-in)", style="dim")
            table.add_row(name, plain(row["language"], single_line=True),
                          plain(row["tone"], single_line=True), plain(" ".join(row["body"][:400].split())[:70]),
                          key=str(row["id"]))
        ids = [row["id"] for row in self.rows]
        index = ids.index(message.focus_id) if message.focus_id in ids else self._focus_index
        if self.rows:
            table.move_cursor(row=min(max(index, 0), len(self.rows) - 1), animate=False)

    def _current(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self._focus_index = table.cursor_row
        return next((row for row in self.rows if str(row["id"]) == key), None)

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        if self.rows:
            table.move_cursor(row=min(max(table.cursor_row + step, 0), len(self.rows) - 1))

    def action_cursor_to(self, index: int) -> None:
        if self.rows:
            self.query_one(DataTable).move_cursor(row=index % len(self.rows))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self._current()
        self.query_one("#template-preview", Static).update(plain(row["body"]) if row else Text(""))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def _edit(self, template: dict[str, Any] | None) -> None:
        def done(data: dict[str, Any] | None) -> None:
            if data is not None:
                self._run(("save", data))

        self.app.push_screen(TemplateDialog(template), done)

    def action_new(self) -> None:
        self._edit(None)

    def action_edit(self) -> None:
        row = self._current()
        if row is not None:
            self._edit(row)

    def action_delete(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.get("builtin"):
            self.notify(f"{row['name']!r} is a built-in template: it cannot be deleted. R resets it to the "
                        "shipped text.", severity="warning", markup=False)
            return

        def chosen(answer: str | None) -> None:
            if answer == "yes":
                self.deleted.append(row)
                self._run(("delete", row))

        self.app.push_screen(ChoiceDialog(f"Delete the template {clean(row['name'], single_line=True)!r}?",
                                          [("no", "No, keep it"), ("yes", "Yes, delete it (u puts it back)")]),
                             chosen)

    def action_undo(self) -> None:
        if not self.deleted:
            self.notify("No deleted template to put back.", severity="warning")
            return
        self._run(("restore", self.deleted.pop()))

    def action_reset(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.get("builtin"):
            self.notify("Only a built-in template can be reset; this one is your team's.", severity="warning")
            return

        def chosen(answer: str | None) -> None:
            if answer == "yes":
                self._run(("reset", row))

        self.app.push_screen(ChoiceDialog(f"Reset {clean(row['name'], single_line=True)!r} to the shipped text?",
                                          [("no", "No, keep this text"), ("yes", "Yes, reset it")]), chosen)

    def action_back(self) -> None:
        self.app.pop_screen()
