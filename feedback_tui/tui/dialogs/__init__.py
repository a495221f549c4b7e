"""Small modal screens that return a value."""

from feedback_tui.tui.dialogs.choice import ChoiceDialog
from feedback_tui.tui.dialogs.text_prompt import TextPrompt

__all__ = ["ChoiceDialog", "TextPrompt"]
