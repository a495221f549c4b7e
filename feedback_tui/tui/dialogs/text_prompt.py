"""Ask for one line (a tag, a view name) or a few lines (a note)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, TextArea

from feedback_tui.tui.key_hold import KeyHold
from feedback_tui.tui.safe_text import clean


class TextPrompt(ModalScreen[str | None]):
    """Returns the text entered, or None when cancelled with escape."""

    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical { width: 70; height: auto; padding: 1 2; border: thick $accent; background: $panel; }
    TextPrompt TextArea { height: 8; }
    TextPrompt .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "Save", id="dialog.save"),
    ]

    def __init__(self, title: str, *, suggestions: list[str] | None = None, multiline: bool = False,
                 placeholder: str = "", initial: str = "", keys: KeyHold | None = None) -> None:
        super().__init__()
        self._keys = keys  # keys typed before the prompt opened, for its field (tui/key_hold.py)
        # Every text here may come from data (a tag, a view's name, a template's
        # question): shown with its controls as visible placeholders.
        self.initial = clean(initial, single_line=not multiline)
        self.title_text = clean(title, single_line=True)
        self.suggestions = list(dict.fromkeys(clean(s, single_line=True) for s in suggestions or []))
        self.multiline = multiline
        self.placeholder = clean(placeholder, single_line=True)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, markup=False)
            if self.multiline:
                yield TextArea(self.initial, id="text")
                yield Label("ctrl+s saves · escape cancels", classes="hint")
            else:
                suggester = SuggestFromList(self.suggestions, case_sensitive=False) if self.suggestions else None
                yield Input(self.initial, placeholder=self.placeholder, suggester=suggester, id="text")
                hint = "→ completes · enter saves · escape cancels" if self.suggestions else "enter saves · escape cancels"
                yield Label(hint, classes="hint")

    def on_mount(self) -> None:
        if self._keys is not None:
            self.set_focus(self.query_one("#text"))  # at once: the kept keys are replayed to the focus
            self._keys.release()
            self._keys = None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_submit(self) -> None:
        widget = self.query_one("#text")
        self.dismiss(widget.text if isinstance(widget, TextArea) else widget.value)  # type: ignore[union-attr]

    def action_cancel(self) -> None:
        self.dismiss(None)
