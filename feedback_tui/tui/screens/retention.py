"""The Retention screen (``R``): do customers stay, and does answering them help?

Cards for the latest period, a trend chart of crr / retention / churn, the
periods table, and the feedback-vs-retention table. ``enter`` on a period
lists its customers (``c`` cycles which: active, new, retained, lost, start),
``enter`` on a customer shows their orders, reviews, survey answers and our
replies. All figures come from :func:`feedback_tui.retention.retention_card`
in a thread worker that opens its own connection and posts a typed message.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from feedback_tui.margins import margin_text
from feedback_tui.retention import customers_behind, previous_period, retention_card
from feedback_tui.retention_clv import clv_sentence
from feedback_tui.store import retention as queries
from feedback_tui.store.retention import CustomerHistory, CustomerPeriod
from feedback_tui.tui.messages import DatabaseChanged
from feedback_tui.tui.safe_text import clean, plain
from feedback_tui.tui.widgets.footer import Footer
from feedback_tui.tui.widgets.trend_panel import fitting_ticks, tick_label

PERIOD_CYCLE = ("month", "quarter", "year")
FIGURE_CYCLE = ("customers", "new", "retained", "lost", "customers_start")
FIGURE_NAMES = {"customers": "active (E)", "new": "new (N)", "retained": "retained", "lost": "lost (churned)",
                "customers_start": "at the start (S)"}
CARDS = (("crr", "crr", "%"), ("retention", "retention", "%"), ("churn", "churn", "%"),
         ("aov", "aov", ""), ("repeat_purchase_rate", "repeat", "%"), ("customers", "customers", ""))
COLUMNS = (("period", "Period"), ("customers_start", "S"), ("customers", "E"), ("new", "N"),
           ("retained", "Retained"), ("crr", "crr %"), ("retention", "Retention %"), ("churn", "Churn %"),
           ("orders", "Orders"), ("revenue", "Revenue"), ("aov", "AOV"), ("repeat_purchase_rate", "RPR %"),
           ("revenue_churn", "Rev. churn %"))


def _value(value: Any, suffix: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}{suffix}" if isinstance(value, float) else f"{value}{suffix}"


class RetentionChart(PlotextPlot):
    """crr, strict retention and churn per period."""

    def set_periods(self, periods: list[dict[str, Any]]) -> None:
        self.periods = periods
        self.replot()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        periods = getattr(self, "periods", [])
        plt.title("crr · retention · churn (%)")
        points = [(i, p) for i, p in enumerate(periods, start=1)]
        for key, color in (("crr", "green"), ("retention", "cyan"), ("churn", "red")):
            xs = [i for i, p in points if p[key] is not None]
            ys = [p[key] for i, p in points if p[key] is not None]
            if xs:
                plt.plot(xs, ys, label=key, color=color, marker="braille")
        if points:
            step = max(1, len(points) // 6)
            shown = points[::step]
            plt.xticks([i for i, _ in shown], [p["period"] for _, p in shown])
            # percents: the whole 0-100 scale, with round lines (plotext's own read 83.3, 66.7, 16.7)
            plt.ylim(0, 100)
            ticks = fitting_ticks(0.0, 100.0, rows=self.content_size.height - 4)  # less title, axis, labels
            plt.yticks(ticks, [tick_label(tick, ticks) for tick in ticks])
        self.refresh()

    def on_resize(self) -> None:
        """The y ticks depend on the plot's height, unknown until laid out."""
        if getattr(self, "periods", None):
            self.replot()


class PeriodsTable(DataTable[Any]):
    """The periods; ``enter`` lists the highlighted period's customers. The binding replaces the
    table's own ``enter`` (hidden, "Select"), so that the Footer, ``?`` and the palette say it."""

    BINDINGS = [Binding("enter", "select_cursor", "Its customers", id="retention.customers")]


class CustomersTable(DataTable[Any]):
    """A period's customers; ``enter`` shows the highlighted customer's history."""

    BINDINGS = [Binding("enter", "select_cursor", "Their history", id="retention.history")]


class RetentionScreen(Screen[None]):
    """Customer retention from the orders, with the feedback of the customers beside it."""

    DEFAULT_CSS = """
    RetentionScreen #ret-cards { height: 4; }
    RetentionScreen .ret-card { width: 1fr; border: round $primary; padding: 0 1; }
    RetentionScreen #ret-middle { height: 1fr; }
    RetentionScreen RetentionChart { width: 1fr; min-height: 10; }
    RetentionScreen #ret-feedback { width: 1fr; }
    RetentionScreen #ret-periods, RetentionScreen #ret-drill { border-top: solid $primary-darken-2; }
    RetentionScreen #ret-periods { height: 1fr; }
    RetentionScreen #ret-drill { height: 1fr; display: none; }
    RetentionScreen #ret-detail-box { height: 16; display: none; border: round $secondary; }
    RetentionScreen #ret-detail { height: auto; }
    """

    BINDINGS = [
        Binding("escape,R", "back", "Back", id="retention.back"),
        Binding("p", "period", "Month/quarter/year", id="retention.period"),
        Binding("c", "figure", "Which customers", id="retention.figure"),
        Binding("ctrl+l", "reload", "Reload", id="retention.reload", show=False),
    ]

    class Computed(Message):
        """The worker's figures, and the customer-period rows behind them (for the drill-down)."""

        def __init__(self, by: str, card: dict[str, Any], rows: list[CustomerPeriod]) -> None:
            self.by = by
            self.card = card
            self.rows = rows
            super().__init__()

    class Failed(Message):
        def __init__(self, error: str) -> None:
            self.error = error
            super().__init__()

    class HistoryLoaded(Message):
        def __init__(self, history: CustomerHistory) -> None:
            self.history = history
            super().__init__()

    def __init__(self) -> None:
        super().__init__()
        self.by = "month"
        self.figure = "customers"
        self.card: dict[str, Any] | None = None
        self.rows: list[CustomerPeriod] = []
        self.drill_period: str | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="ret-title")
        with Horizontal(id="ret-cards"):
            for key, title, _ in CARDS:
                yield Static(title, id=f"ret-card-{key}", classes="ret-card")
        with Horizontal(id="ret-middle"):
            yield RetentionChart(id="ret-chart")
            yield DataTable(id="ret-feedback", cursor_type="row", zebra_stripes=True)
        with Vertical():
            yield PeriodsTable(id="ret-periods", cursor_type="row", zebra_stripes=True)
            yield CustomersTable(id="ret-drill", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="ret-detail-box"):
                yield Static(id="ret-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ret-periods", DataTable).focus()
        self.compute()

    # -- data ------------------------------------------------------------------------
    def on_database_changed(self, message: DatabaseChanged) -> None:
        self.compute()

    def compute(self) -> None:
        self.error = None
        self._show_title(loading=True)
        self._compute(self.by)

    @work(thread=True, exclusive=True, exit_on_error=False, group="retention", description="Computing retention")
    def _compute(self, by: str) -> None:
        worker = get_current_worker()
        config = getattr(self.app, "config", None)
        try:
            with self.app.open_store() as store:  # type: ignore[attr-defined]
                card = retention_card(store, by, config_costs=getattr(config, "retention_costs", None),
                                      lifespan_years=getattr(config, "lifespan_years", None))
                rows = queries.customer_periods(store, by) if queries.has_orders(store) else []
        except Exception as error:  # noqa: BLE001 - shown in the title, never a "computing…" forever
            if not worker.is_cancelled:
                self.post_message(self.Failed(str(error) or type(error).__name__))
            return
        if not worker.is_cancelled:
            self.post_message(self.Computed(by, card, rows))

    @work(thread=True, exclusive=True, exit_on_error=False, group="retention-history",
          description="Loading the customer")
    def _load_history(self, customer: str) -> None:
        worker = get_current_worker()
        with self.app.open_store() as store:  # type: ignore[attr-defined]
            history = queries.customer_history(store, customer)
        if not worker.is_cancelled:
            self.post_message(self.HistoryLoaded(history))

    def on_retention_screen_failed(self, message: Failed) -> None:
        self.error = message.error
        self._show_title()
        self.notify(f"Could not compute retention: {message.error}", severity="error")

    def on_retention_screen_computed(self, message: Computed) -> None:
        if message.by != self.by:
            return  # a late answer to an earlier question
        self.card, self.rows = message.card, message.rows
        self._show_cards()
        self.query_one(RetentionChart).set_periods(self.card["periods"])
        self._show_periods()
        self._show_feedback()
        self._show_title()

    # -- display -----------------------------------------------------------------------
    def _show_title(self, loading: bool = False) -> None:
        text = Text(f" Retention · per {self.by}", style="bold")
        if loading:
            text.append("  computing…", style="italic dim")
        elif self.error:
            text.append(f"  could not compute: {clean(self.error, single_line=True)}", style="bold red")
        elif self.card is not None and not self.card["periods"]:
            text.append("  no purchases stored: feedback-tui import FILE --kind orders", style="yellow")
        elif self.card is not None:
            window = self.card["window"]
            shown = self._card_period()
            text.append(f"  cards: {shown['period']}  {clv_sentence(window, short=True)}", style="")
            if self.card["periods"][-1].get("partial") and self.card.get("data_end"):
                text.append(f"\n  {self.card['periods'][-1]['period']} is partial: the data ends "
                            f"{self.card['data_end'][:10]}", style="yellow")
        text.append("   p period · enter customers · c which customers", style="dim")
        self.query_one("#ret-title", Static).update(text)

    def _card_period(self) -> dict[str, Any]:
        """The last whole period: a partial last one (the data ends inside it) would show
        most customers as lost, as the dashboard's cards skip the month in progress."""
        assert self.card is not None
        whole = [p for p in self.card["periods"] if not p.get("partial")]
        return (whole or self.card["periods"] or [{}])[-1]

    def _show_cards(self) -> None:
        assert self.card is not None
        last = self._card_period()
        for key, title, suffix in CARDS:
            card = Text(f"{title}\n", style="dim")
            card.append(_value(last.get(key), suffix), style="bold")
            self.query_one(f"#ret-card-{key}", Static).update(card)

    def _show_periods(self) -> None:
        assert self.card is not None
        table = self.query_one("#ret-periods", DataTable)
        table.clear(columns=True)
        table.add_columns(*(title for _, title in COLUMNS))
        for period in self.card["periods"]:
            cells = [_value(period[key]) for key, _ in COLUMNS]
            if period.get("partial"):
                cells[0] += " (partial)"
            table.add_row(*cells, key=period["period"])
        if self.card["periods"]:
            # on the cards' period (the last whole one), so that enter lists the customers the
            # cards count; it started on a partial last month, whose customers were mostly "lost"
            shown = self._card_period().get("period")
            keys = [period["period"] for period in self.card["periods"]]
            table.move_cursor(row=keys.index(shown) if shown in keys else len(keys) - 1)

    def _show_feedback(self) -> None:
        assert self.card is not None
        table = self.query_one("#ret-feedback", DataTable)
        table.clear(columns=True)
        table.add_columns("Feedback", "Group", "n", "Retention", "Repeat")
        feedback = self.card.get("feedback") or {"groups": []}
        groups = [group for group in feedback["groups"] if group["n"]]
        if not groups:
            table.add_row("no customer linked to feedback", "", "", "", "")
        for group in groups:
            if group["note"]:
                cells = (group["note"], "—")
            else:
                cells = (f"{group['retention']:.1f}% {margin_text('retention', group['retention_margin'])}",
                         f"{group['repeat_purchase_rate']:.1f}% {margin_text('retention', group['repeat_margin'])}")
            table.add_row(plain(group["question"]), plain(group["group"]), str(group["n"]), *cells)

    # -- actions -----------------------------------------------------------------------
    def action_back(self) -> None:
        drill = self.query_one("#ret-drill", DataTable)
        if drill.display:
            drill.display = False
            self.query_one("#ret-detail-box").display = False
            periods = self.query_one("#ret-periods", DataTable)
            periods.display = True
            periods.focus()
            return
        self.app.pop_screen()

    def action_period(self) -> None:
        self.by = PERIOD_CYCLE[(PERIOD_CYCLE.index(self.by) + 1) % len(PERIOD_CYCLE)]
        self.compute()

    def action_reload(self) -> None:
        self.compute()

    def action_figure(self) -> None:
        self.figure = FIGURE_CYCLE[(FIGURE_CYCLE.index(self.figure) + 1) % len(FIGURE_CYCLE)]
        if self.drill_period is not None and self.query_one("#ret-drill", DataTable).display:
            self._show_customers(self.drill_period)
        else:
            self.notify(f"enter on a period lists its {FIGURE_NAMES[self.figure]} customers")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """``enter`` on a table (its ``select_cursor``): a period lists its customers, a customer shows them."""
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "ret-periods":
            self._show_customers(str(key))
        elif event.data_table.id == "ret-drill":
            self._load_history(str(key))

    def _show_customers(self, period: str) -> None:
        self.drill_period = period
        drill = self.query_one("#ret-drill", DataTable)
        drill.clear(columns=True)
        of = previous_period(self.by, period) if self.figure in ("lost", "customers_start") else period
        drill.add_columns("Customer", f"Orders in {of}", f"Revenue in {of}")
        found = customers_behind(self.rows, self.by, period, self.figure)
        for customer, orders, revenue in found:
            drill.add_row(plain(customer, single_line=True), str(orders), f"{revenue:,.2f}", key=customer)
        self.query_one("#ret-periods", DataTable).display = False
        drill.display = True
        drill.border_title = f"{period}: {len(found)} {FIGURE_NAMES[self.figure]} customers (c: which, escape: back)"
        drill.focus()

    def on_retention_screen_history_loaded(self, message: HistoryLoaded) -> None:
        history = message.history
        text = Text(f"Customer {clean(history.customer, single_line=True)}\n", style="bold")
        for order in history.orders:
            kind = "" if order.purchase else "  (return/cancellation: no purchase)"
            text.append(f"  order {clean(order.order_id, single_line=True)}  {order.created_at[:10]}  "
                        f"{order.amount:,.2f}  {order.lines} line{'s' if order.lines != 1 else ''}{kind}\n")
        for review_id, created, rating, source, body in history.reviews:
            stars = "—" if rating is None else f"{rating:g}★"
            text.append(f"  review #{review_id} {created[:10]} {stars} {clean(source, single_line=True)}: "
                        f"{clean(body, single_line=True)[:70]}\n")
        for created, kind, score, comment in history.answers:
            text.append(f"  {kind} {score} on {created[:10]}: {clean(comment or '', single_line=True)[:70]}\n")
        for review_id, created, agent, reply in history.replies:
            text.append(f"  reply to #{review_id} by {clean(agent, single_line=True)} {(created or '')[:10]}: "
                        f"{clean(reply, single_line=True)[:70]}\n")
        self.query_one("#ret-detail", Static).update(text)
        self.query_one("#ret-detail-box").display = True
