"""The star distribution of the period a dashboard card shows, one bar per star.

A bar's length is that star's share of the period's ratings, so two periods
with different n compare by shape; the count is written beside it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

STAR_STYLES = {"1": "red", "2": "dark_orange", "3": "yellow", "4": "green_yellow", "5": "green"}


def distribution_text(distribution: dict[str, int] | None, width: int = 20) -> Text:
    """Five lines, 5★ first: ``5★ ███████      42 %  (210)``; "no ratings" without any."""
    counts = {star: int((distribution or {}).get(star) or 0) for star in STAR_STYLES}
    total = sum(counts.values())
    if total == 0:
        return Text("no star ratings in this period", style="dim")
    text = Text()
    for star in reversed(list(STAR_STYLES)):
        share = counts[star] / total
        filled = round(share * width)
        text.append(f"{star}★ ", style="bold")
        text.append("█" * filled, style=STAR_STYLES[star])
        text.append("·" * (width - filled), style="dim")
        text.append(f" {share * 100:3.0f}% ({counts[star]})" + ("" if star == "1" else "\n"))
    return text


class StarBar(Static):
    """The distribution of one period's star ratings (a half star counts in the star below)."""

    DEFAULT_CSS = "StarBar { height: 5; padding: 0 1; }"

    def show(self, distribution: dict[str, int] | None) -> None:
        self.update(distribution_text(distribution))
