"""The dashboard's per-agent panel: who answers first, how fast, within the SLA.

Rows come from :func:`feedback_tui.scoring.agents` over the dashboard's window;
replies imported with a platform's export are one ``platform`` row, not an agent.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from feedback_tui.tui.safe_text import clean

COLUMNS = ("agent", "replies", "median", "p90", "in SLA", "open")


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


class AgentTable(DataTable[Any]):
    """First replies per agent in the window; ``open`` = assigned and still unanswered."""

    DEFAULT_CSS = "AgentTable { border: round $primary; }"

    def show(self, rows: list[dict[str, Any]], sla_hours: float) -> None:
        self.clear(columns=True)
        self.border_title = f"Replies per agent (first replies, SLA {sla_hours:g} h)"
        for heading in COLUMNS:
            self.add_column(heading)
        if not rows:
            self.add_row(Text("no replies in this window", style="dim"), "", "", "", "", "")
            return
        for row in rows:
            figures = row["responses"]
            rate = figures["within_sla_rate"]
            self.add_row(Text(clean(str(row["segment"]), single_line=True)), str(figures["replied"]),
                         _hours(figures["median_hours_to_reply"]), _hours(figures["p90_hours_to_reply"]),
                         "—" if rate is None else f"{rate:.1f}%", str(figures["open_assigned"]))
