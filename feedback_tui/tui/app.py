"""The Textual application: wiring only (screens live in ``screens/``)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from feedback_tui.config import Config
from feedback_tui.tui.screens.latest import LatestScreen


class FeedbackApp(App[None]):
    """feedback-tui: triage and answer customer feedback."""

    TITLE = "feedback-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, db_path: Path, agent: str, config: Config | None = None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.agent = agent
        self.config = config or Config()
        self.sub_title = f"{self.agent} · {self.db_path.name}"

    def on_mount(self) -> None:
        if self.config.keys:
            self.set_keymap(self.config.keys)
        self.push_screen(LatestScreen())
