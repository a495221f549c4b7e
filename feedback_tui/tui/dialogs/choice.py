"""Pick one of a few options (a status, a sort order)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from feedback_tui.tui.safe_text import clean, plain


def _one_line(label: str) -> str:
    """A label from data (a saved view's name) on one line; its spacing kept."""
    return label.replace("\r", " ").replace("\n", " ").replace("\t", " ")


class ChoiceDialog(ModalScreen[str | None]):
    """Returns the id of the chosen option, or None."""

    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; }
    ChoiceDialog > Vertical { width: 50; height: auto; max-height: 80%; padding: 1 2; border: thick $accent; background: $panel; }
    ChoiceDialog OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(clean(self.title_text, single_line=True), markup=False)
            yield OptionList(*[Option(plain(_one_line(label)), id=value) for value, label in self.options])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
