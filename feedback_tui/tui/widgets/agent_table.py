"""The dashboard's per-agent panel: who answers first, how fast, within the SLA.

Rows come from :func:`feedback_tui.scoring.agents` over the dashboard's window;
replies imported with a platform's export are one ``platform`` row, not an agent.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import get_current_worker

from feedback_tui.models import Filters
from feedback_tui.scoring import agents
from feedback_tui.store import SMALL_CACHE_KIB
from feedback_tui.tui.safe_text import clean

COLUMNS = ("agent", "replies", "median", "p90", "in SLA", "open")


def title(sla_hours: float) -> str:
    """Short enough for the panel's border at 120-160 columns (a third of the width, less
    its corners): "Replies per agent (first replies, SLA 24 h)" was cut at 160."""
    return f"First replies · SLA {sla_hours:g} h"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


class AgentTable(DataTable[Any]):
    """First replies per agent in the window; ``open`` = assigned and still unanswered."""

    DEFAULT_CSS = "AgentTable { border: round $primary; }"

    class Computed(Message):
        def __init__(self, key: tuple[Any, ...], rows: list[dict[str, Any]]) -> None:
            self.key = key
            self.rows = rows
            super().__init__()

    key: tuple[Any, ...] | None = None

    def follow(self, window: Filters, sla_hours: float) -> None:
        """Compute the rows of ``window`` in a worker of their own: every first reply
        of the window is read (seconds at a million reviews), and the cards and
        charts must not wait for it."""
        key = (window, sla_hours)
        if key == self.key:
            return
        self.key = key
        self.clear(columns=True)
        self.border_title = title(sla_hours)
        self.add_column("agent")
        self.add_row(Text("working: reading the first replies…", style="italic"))
        self._compute(key, window, sla_hours)

    @work(thread=True, exclusive=True, exit_on_error=False, group="agents", description="Replies per agent")
    def _compute(self, key: tuple[Any, ...], window: Filters, sla_hours: float) -> None:
        worker = get_current_worker()
        try:
            with self.app.open_store(cache_kib=SMALL_CACHE_KIB) as store:  # type: ignore[attr-defined]
                rows = agents(store, window, sla_hours)
        except Exception as error:  # noqa: BLE001 - shown in the table: never a "working…" that stays
            rows = [{"segment": f"could not compute: {error or type(error).__name__}", "responses": None}]
        if not worker.is_cancelled:
            self.post_message(self.Computed(key, rows))

    def on_agent_table_computed(self, message: Computed) -> None:
        message.stop()
        if message.key == self.key:
            self.show(message.rows, message.key[1])

    def show(self, rows: list[dict[str, Any]], sla_hours: float) -> None:
        self.clear(columns=True)
        self.border_title = title(sla_hours)
        for heading in COLUMNS:
            self.add_column(heading)
        if not rows:
            self.add_row(Text("no replies in this window", style="dim"), "", "", "", "", "")
            return
        for row in rows:
            figures = row["responses"]
            if figures is None:  # the computation failed: its one line says why
                self.add_row(Text(clean(str(row["segment"]), single_line=True), style="bold red"), "", "", "", "", "")
                continue
            rate = figures["within_sla_rate"]
            self.add_row(Text(clean(str(row["segment"]), single_line=True)), str(figures["replied"]),
                         _hours(figures["median_hours_to_reply"]), _hours(figures["p90_hours_to_reply"]),
                         "—" if rate is None else f"{rate:.1f}%", str(figures["open_assigned"]))
