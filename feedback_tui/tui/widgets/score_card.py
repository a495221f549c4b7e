"""A dashboard card: one figure, its n and margin, and an honest change.

Its figures and margins are written by :mod:`feedback_tui.margins` (``margin_text``, imported
from here by the charts), as ``report`` and ``score`` write them.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from feedback_tui.margins import figure_digits, margin_text, n_text, too_few

LOWER_IS_BETTER = {"reply_hours"}
CARD_WIDTH = 19  # a card's text at 140 columns, before it is laid out


def format_value(name: str, value: Any) -> str:
    """The figure with its unit, in the decimals of :func:`feedback_tui.margins.figure_digits`."""
    if value is None:
        return "—"
    digits = figure_digits(name)
    if name in ("nps", "sentiment"):
        return f"{value:+.{digits}f}"
    if name in ("csat", "response_rate"):
        return f"{value:.{digits}f}%"
    if name == "reply_hours":
        return f"{value:.{digits}f} h"
    if name == "ratings":
        return f"{value:.{digits}f}★"
    return f"{value:.{digits}f}"


def change_text(name: str, card: dict[str, Any]) -> Text:
    """▲/▼ only when the move exceeds the margin of the difference.

    Two short lines (the move, then the verdict), so that a card a sixth of
    a 120-column terminal wide shows the whole verdict.
    """
    move = card["change"]
    if move["delta"] is None:
        return Text(move.get("reason") or "no previous figure", style="dim")
    delta = move["delta"]
    shown = f"{delta:+.2f}" if name == "sentiment" else f"{delta:+.1f}"
    if move["significant"] is None:
        return Text(f"{shown} vs before\n{move.get('reason') or 'no margin'}", style="dim")
    if not move["significant"]:
        return Text(f"{shown} vs before\nnot significant", style="yellow")
    better = (delta > 0) != (name in LOWER_IS_BETTER)
    arrow = "▲" if delta > 0 else "▼"
    return Text(f"{arrow} {shown}\nsignificant", style="bold green" if better else "bold red")


class ScoreCard(Static, can_focus=True):
    """Focusable so that ``enter`` drills down to the rows behind the figure."""

    DEFAULT_CSS = """
    ScoreCard { width: 1fr; height: 7; border: round $primary; padding: 0 1; }
    ScoreCard:focus { border: round $accent; background: $boost; }
    """
    # ←/→ as on the charts: a card has the focus when the dashboard opens, and there the
    # keys did nothing (and ? did not list them) until tab reached a chart. Not in the key
    # bar, where they would push out "? Keys".
    BINDINGS = [
        Binding("left,h", "step(-1)", "Earlier period", id="dashboard.card_earlier", show=False),
        Binding("right,l", "step(1)", "Later period", id="dashboard.card_later", show=False),
        Binding("enter", "drill", "Show the rows behind it", id="dashboard.drill_card"),
    ]

    class Drill(Message):
        def __init__(self, metric: str) -> None:
            self.metric = metric
            super().__init__()

    class Step(Message):
        """Move the dashboard's period cursor by ``step`` periods."""

        def __init__(self, step: int) -> None:
            self.step = step
            super().__init__()

    def __init__(self, metric: str, title: str, *, id: str | None = None) -> None:
        super().__init__(Text("…", style="dim"), id=id)
        self.metric = metric
        self.title_text = title
        self.border_title = title

    def show(self, card: dict[str, Any] | None, period_label: str) -> None:
        """The figure, its margin, n and change; the title and the period are on the border."""
        self.border_title = self.title_text
        if card is None:
            self.border_subtitle = ""
            self.update(Text("Loading…", style="dim"))
            return
        self.border_subtitle = period_label
        text = Text()
        text.append(format_value(self.metric, card["value"]), style="bold")
        if card["margin"] is not None:
            margin = margin_text(self.metric, card["margin"], value=card["value"], interval=card.get("interval"))
            width = self.content_region.width or CARD_WIDTH
            if len(text.plain) + 1 + len(margin) > width:  # on one line of the card: [20, 100], not a wrap
                margin = margin_text(self.metric, card["margin"], value=card["value"], interval=card.get("interval"),
                                     compact=True)
            text.append(f" {margin}", style="dim")
        text.append(f"\n{n_text(self.metric, card['n'], short=True)}", style="dim")
        # n=0 has no figure, not a thin one; too few for a margin says more than "thin"
        if card["thin"] and card["value"] is not None and not too_few(self.metric, card["n"]):
            text.append(" · thin sample", style="italic yellow")
        text.append("\n")
        text.append_text(change_text(self.metric, card))
        so_far = card.get("so_far")
        if so_far is not None:  # the period still running, beside the complete one
            text.append(f"\nso far {format_value(self.metric, so_far['value'])} n={so_far['n']}", style="dim")
        self.update(text)

    def action_drill(self) -> None:
        self.post_message(self.Drill(self.metric))

    def action_step(self, step: int) -> None:
        self.post_message(self.Step(step))
