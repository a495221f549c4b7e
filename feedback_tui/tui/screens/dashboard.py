"""The manager's dashboard: cards, 12-period trends, segments, drill-down.

The cards and charts come from :func:`feedback_tui.trends.headline` in a thread
worker started as the screen is composed, so the SQL runs while Textual builds
the widgets; the screen shows a loading state meanwhile and never blocks. The
slower panels fill in after the cards, each from a worker of its own that
posts its typed message, and each says "working…" until then: the breakdown
table (:func:`~feedback_tui.trends.segments`), the reply effect
(:func:`~feedback_tui.trends.reply_effect`), the per-agent table and the
themes (their widgets' own workers). ``enter`` on a card, a chart period or a
segment row opens the inbox on exactly the rows behind that figure.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from feedback_tui.models import REVIEW_STATUSES, Filters
from feedback_tui.store import SMALL_CACHE_KIB, inbox, undated
from feedback_tui.store.inbox import InboxQuery
from feedback_tui.scoring import DEFAULT_SLA_HOURS
from feedback_tui.trends import cards_for, headline, reply_effect, segments
from feedback_tui.tui.dialogs import ChoiceDialog
from feedback_tui.tui.messages import DatabaseChanged, ShowInInbox
from feedback_tui.tui.safe_text import clean
from feedback_tui.tui.widgets.agent_table import AgentTable
from feedback_tui.tui.widgets.footer import Footer
from feedback_tui.tui.widgets.score_card import ScoreCard, format_value, margin_text, n_text, too_few
from feedback_tui.tui.widgets.star_bar import StarBar
from feedback_tui.tui.widgets.themes_panel import ThemesPanel
from feedback_tui.tui.widgets.trend_panel import TrendPanel, series

CARDS = [("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES (1-7)"), ("sentiment", "Sentiment"),
         ("response_rate", "Replied"), ("reply_hours", "Median reply")]
STARS_CARD = ("ratings", "Stars (1-5)")  # in the stars panel, beside its distribution
TRENDS = [("nps", "NPS ±95%"), ("csat", "CSAT %"), ("ces", "CES mean"), ("sentiment", "Mean polarity"),
          ("response_rate", "Response rate %")]
BREAKDOWNS = ("source", "product", "language")
PERIOD_CYCLE = ("month", "week", "quarter")  # what `p` steps through
SURVEY_METRICS = ("nps", "csat", "ces")
# The figures leave spam out (nobody is expected to answer it): so do their drill-downs.
NOT_SPAM = tuple(status for status in REVIEW_STATUSES if status != "spam")
NO_ROW = (0,)  # an id no row has (SQLite ids start at 1): "exactly these rows" when there are none


def drill_query(metric: str, period: dict[str, Any], filters: Filters) -> InboxQuery:
    """The inbox rows behind one figure of one period."""
    common = {"view": "all", "since": period["since"], "until": period["until"], "source": filters.source,
              "language": filters.language}
    if metric in SURVEY_METRICS and filters.product:  # survey answers have no product: none is behind it
        return InboxQuery(kind="surveys", survey_kind=metric, comments_only=False, ids=NO_ROW, **common)
    if metric == "nps":  # the detractors
        return InboxQuery(kind="surveys", survey_kind="nps", max_rating=6, comments_only=False, **common)
    if metric == "csat":  # the dissatisfied
        return InboxQuery(kind="surveys", survey_kind="csat", max_rating=3, comments_only=False, **common)
    if metric == "ces":
        return InboxQuery(kind="surveys", survey_kind="ces", comments_only=False, **common)
    reviews = {"kind": "reviews", "statuses": NOT_SPAM, "product": filters.product, **common}
    if metric == "sentiment":
        return InboxQuery(sentiment="negative", **reviews)
    if metric == "ratings":  # every review of the period: the stars behind the mean and the bars
        return InboxQuery(**reviews)
    if metric == "response_rate":  # still waiting for an answer
        return InboxQuery(replied=False, **reviews)
    return InboxQuery(replied=True, **reviews)


def segment_query(breakdown: str, segment: dict[str, Any], window: dict[str, str], filters: Filters) -> InboxQuery:
    """The rows behind one segment row: its reviews, or its survey answers when it has no review.

    The segment filter of the dashboard still applies. The ``(none)`` row
    lists the rows with no value in that column (``InboxQuery.missing``).
    """
    surveys = not segment["responses"]["reviews"] and breakdown != "product"
    values: dict[str, Any] = {"source": filters.source, "language": filters.language,
                              "product": None if surveys else filters.product}
    if segment["segment"] == "(none)":
        values["missing"] = breakdown
    else:
        values[breakdown] = segment["segment"]
    if surveys:
        return InboxQuery(kind="surveys", view="all", comments_only=False, **window, **values)
    return InboxQuery(kind="reviews", view="all", statuses=NOT_SPAM, **window, **values)


class DashboardScreen(Screen[None]):
    """Are customers getting happier, and does the team answer them?

    Until the cards have their figures, the charts and the tables under them are
    laid out but not drawn (``.until-cards``, also removed when the computation
    fails): drawing is about half of the event loop's time while a dashboard opens
    (cProfile of an opening at 1M), and meanwhile the headline's worker, which
    needs the interpreter between its SQL steps, waits for it (its 0.15 s of
    queries took 0.7-1.1 s in the app at 1M, issue 19).
    """

    DEFAULT_CSS = """
    DashboardScreen .until-cards { visibility: hidden; }
    """

    BINDINGS = [
        Binding("escape,d", "back", "Inbox", id="dashboard.back"),
        Binding("p", "period", "Week/month/quarter", id="dashboard.period"),
        Binding("f", "segment_filter", "Segment filter", id="dashboard.filter"),
        Binding("b", "breakdown", "Breakdown by", id="dashboard.breakdown"),
        Binding("ctrl+l", "reload", "Reload", id="dashboard.reload", show=False),
    ]

    class Computed(Message):
        def __init__(self, figures: dict[str, Any], undated: dict[str, dict[str, int]] | None = None) -> None:
            self.figures = figures
            self.undated = undated or {}  # per period label: the rows dated by their import
            super().__init__()

    class Failed(Message):
        def __init__(self, error: str) -> None:
            self.error = error
            super().__init__()

    class PanelComputed(Message):
        """One slower panel's figures (``name``: ``segments`` or ``reply_effect``) for the
        window ``key`` (the headline's ``window_filters`` and period)."""

        def __init__(self, name: str, key: tuple[Any, ...], value: Any) -> None:
            self.name = name
            self.key = key
            self.value = value
            super().__init__()

    class SegmentValues(Message):
        def __init__(self, values: list[tuple[str, str]]) -> None:
            self.values = values
            super().__init__()

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self.today = today
        self.period = "month"
        self.filters = Filters()
        self.breakdown = "source"
        self.figures: dict[str, Any] | None = None
        self.undated: dict[str, dict[str, int]] = {}  # see Computed
        self.selected = -1
        self.error: str | None = None
        self.panel_errors: dict[str, str] = {}  # a slower panel that failed: why (see PanelComputed)

    def compose(self) -> ComposeResult:
        self._start_computing()  # the SQL runs while the widgets are built and laid out
        yield Header()
        yield Static(id="dash-title")
        yield Static(id="dash-undated")  # shown only when the cards' period holds rows dated by their import
        with Horizontal(id="cards"):
            for metric, title in CARDS:
                yield ScoreCard(metric, title, id=f"card-{metric}")
        with Grid(id="trends", classes="until-cards"):
            for metric, title in TRENDS:
                yield TrendPanel(metric, title, id=f"trend-{metric}")
            with Vertical(id="stars-panel"):
                yield ScoreCard(*STARS_CARD, id=f"card-{STARS_CARD[0]}")
                yield StarBar(id="star-bar")
        # Panels side by side under the charts: another panel is one more widget here.
        with Horizontal(id="tables", classes="until-cards"):
            yield DataTable(id="segments", cursor_type="row", zebra_stripes=True)
            with Vertical(id="agents-panel"):
                yield AgentTable(id="agents", cursor_type="row", zebra_stripes=True)
                yield Static(id="reply-effect")
            yield ThemesPanel(id="themes")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ScoreCard).focus()
        if self.figures is None and self.error is None:
            self._show_title(loading=True)

    # -- data ------------------------------------------------------------------------
    def on_database_changed(self, message: DatabaseChanged) -> None:
        self.compute()

    def compute(self) -> None:
        self._start_computing()
        self._show_title(loading=True)

    def _start_computing(self) -> None:
        self.error = None
        self._compute(self.period, self.filters)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard", description="Computing figures")
    def _compute(self, period: str, filters: Filters) -> None:
        worker = get_current_worker()
        try:
            with self.app.open_store(cache_kib=SMALL_CACHE_KIB) as store:
                config = getattr(self.app, "config", None)
                figures = headline(store, filters, period=period,
                                   today=self.today or getattr(self.app, "today", None),
                                   sla_hours=config.sla_hours if config else DEFAULT_SLA_HOURS,
                                   rolling=bool(config and config.dashboard_period == "rolling"),
                                   follow_data=True)  # an old export opens on its own last months
                counts = _undated_counts(store, figures)
        except Exception as error:  # noqa: BLE001 - shown in the title: never a "computing…" that stays forever
            if not worker.is_cancelled:
                self.post_message(self.Failed(str(error) or type(error).__name__))
            return
        if not worker.is_cancelled:  # a newer computation (another period or filter) replaced this one
            self.post_message(self.Computed(figures, counts))

    def on_dashboard_screen_failed(self, message: Failed) -> None:
        self.error = message.error
        self._reveal()
        self._show_title()
        self.notify(f"Could not compute the figures: {message.error}", severity="error")

    def on_dashboard_screen_computed(self, message: Computed) -> None:
        figures = message.figures
        if figures["period"] != self.period or figures["filters"] != {k: v for k, v in asdict(self.filters).items() if v}:
            return  # a late answer to an earlier question
        self.figures = figures
        self.undated = message.undated
        self.error = None
        self.panel_errors = {}
        trend = figures["trend"]
        if self.selected < 0 or self.selected >= len(trend):
            self.selected = figures["selected"]  # the last complete period
        self._show_cards()
        self._plot()
        self._show_title()
        self._start_panels()
        self.call_after_refresh(self._reveal)  # the cards' frame first, then the charts and tables

    def _reveal(self) -> None:
        for widget in self.query(".until-cards"):
            widget.remove_class("until-cards")

    # -- the slower panels, after the cards -------------------------------------------------
    def _panel_key(self) -> tuple[Any, ...]:
        assert self.figures is not None
        return (self.figures["period"], tuple(sorted(self.figures["window_filters"].items())))

    def _start_panels(self) -> None:
        """The breakdown table and the reply effect say "working" and get a worker each;
        the agents and themes panels already follow the window with their own."""
        assert self.figures is not None
        window = Filters(**self.figures["window_filters"])
        key = self._panel_key()
        self._show_segments()
        self._show_effect()
        self._compute_segments(key, window)
        self._compute_effect(key, window, self.figures["period"], [point["period"] for point in self.figures["trend"]])
        self.query_one("#agents", AgentTable).follow(window, self.figures["sla_hours"])

    def _panel_worker(self, name: str, key: tuple[Any, ...], compute: Any) -> None:
        """In a panel's worker: ``compute(store)``, posted as that panel's message (an error is its text)."""
        worker = get_current_worker()
        try:
            with self.app.open_store(cache_kib=SMALL_CACHE_KIB) as store:
                value = compute(store)
        except Exception as error:  # noqa: BLE001 - shown in the panel: never a "working…" that stays
            value = error
        if not worker.is_cancelled:
            self.post_message(self.PanelComputed(name, key, value))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-segments", description="Breakdown")
    def _compute_segments(self, key: tuple[Any, ...], window: Filters) -> None:
        self._panel_worker("segments", key, lambda store: segments(store, window))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-effect", description="Reply effect")
    def _compute_effect(self, key: tuple[Any, ...], window: Filters, period: str, labels: list[str]) -> None:
        self._panel_worker("reply_effect", key, lambda store: reply_effect(store, window, period, labels))

    def on_dashboard_screen_panel_computed(self, message: PanelComputed) -> None:
        if self.figures is None or message.key != self._panel_key():
            return  # a late answer about another window
        if isinstance(message.value, Exception):
            self.notify(f"Could not compute the {message.name.replace('_', ' ')}: {message.value}", severity="error")
            self.panel_errors[message.name] = str(message.value) or type(message.value).__name__
        else:
            self.figures[message.name] = message.value
        if message.name == "segments":
            self._show_segments()
        else:
            self._show_effect()

    def _plot(self) -> None:
        assert self.figures is not None
        for metric, _title in TRENDS:
            labels, values, margins, thin, intervals, ns = series(self.figures["trend"], metric, self.figures["min_n"])
            panel = self.query_one(f"#trend-{metric}", TrendPanel)
            panel.set_series(labels, values, margins, thin, self.selected, intervals, ns)
            panel.border_title = f"{panel.title_text} · {self._window_text(metric)}"

    def _window_text(self, metric: str) -> str:
        """The window's total (all 12 periods) with its margin, for a chart's title."""
        assert self.figures is not None
        total = cards_for(self.figures["trend"], self.selected, self.figures["window"])[metric]["window"]
        if total["value"] is None:
            return "all 12: —"
        margin = "" if total["margin"] is None else \
            f" {margin_text(metric, total['margin'], value=total['value'], interval=total['interval'])}"
        if too_few(metric, total["n"]):
            margin += f" ({n_text(metric, total['n'])})"
        return f"all 12: {format_value(metric, total['value'])}{margin}"

    def _show_title(self, loading: bool = False) -> None:
        text = Text(f" Dashboard · per {self.period} · last 12 · {self._scope_text()}", style="bold")
        if loading:
            text.append("  computing…", style="italic dim")
        elif self.error:
            text.append(f"  could not compute: {clean(self.error, single_line=True)}", style="bold red")
        elif self.figures is not None and self.figures.get("data_ends"):
            text.append(f"  no feedback since {self.figures['data_ends'][:10]}: the 12 {self.period}s up to it",
                        style="yellow")
        text.append("   p period · f segment · b breakdown · enter drill down", style="dim")
        self.query_one("#dash-title", Static).update(text)

    def _scope_text(self) -> str:
        parts = [f"{name}: {clean(value, single_line=True)}" for name in ("source", "product", "language")
                 if (value := getattr(self.filters, name))]
        return ", ".join(parts) or "all feedback"

    def _show_effect(self) -> None:
        assert self.figures is not None
        text = Text("Reply effect: ", style="bold")
        effect = self.figures.get("reply_effect")
        if effect is None:
            error = self.panel_errors.get("reply_effect")
            text.append(f"could not compute: {clean(error, single_line=True)}" if error
                        else "working: reading the edited reviews…", style="bold red" if error else "italic dim")
            self.query_one("#reply-effect", Static).update(text)
            return
        overall = effect["overall"]
        if not overall["n"]:
            text.append("no review was edited after a reply in this window.", style="dim")
        else:
            text.append(f"{overall['mean_rating_change']:+.2f}★ mean change", style="bold")
            # Short enough for the panel's two lines at 150 columns (it was cut after "(8").
            text.append(f"\n{overall['n']} edited after it: "
                        f"{overall['raised']} up, {overall['lowered']} down", style="dim")
        self.query_one("#reply-effect", Static).update(text)

    def _show_segments(self) -> None:
        assert self.figures is not None
        table = self.query_one("#segments", DataTable)
        table.clear(columns=True)
        # the window's figures, not the cards' period: say so, as the charts' titles do
        table.border_title = f"By {self.breakdown} · all {len(self.figures['trend'])} (b switches, ⏎ its reviews)"
        if "segments" not in self.figures:
            error = self.panel_errors.get("segments")
            table.add_column(self.breakdown)
            table.add_row(Text(f"could not compute: {clean(error, single_line=True)}", style="bold red") if error
                          else Text("working: computing the breakdown…", style="italic"))
            return
        # Fixed widths: sized from their content, the columns came out narrower in
        # some runs than in others (the dashboard snapshot failed one run in five).
        for heading, width in ((self.breakdown, 12), ("NPS", 6), ("n", 5), ("CSAT", 6), ("CES", 4),
                               ("Polarity", 8), ("Replied", 7), ("Reviews", 7)):
            table.add_column(heading, width=width)
        for row in self.figures["segments"][self.breakdown]:
            table.add_row(
                Text(clean(str(row["segment"]), single_line=True)),
                format_value("nps", row["nps"]["score"]), str(row["nps"]["n"]),
                format_value("csat", row["csat"]["score"]), format_value("ces", row["ces"]["mean"]),
                format_value("sentiment", row["sentiment"]["mean_polarity"]),
                format_value("response_rate", row["responses"]["rate"]), str(row["responses"]["reviews"]),
                key=str(row["segment"]),
            )

    # -- interaction ---------------------------------------------------------------------
    def on_trend_panel_moved(self, message: TrendPanel.Moved) -> None:
        self._select(message.index)

    def on_score_card_step(self, message: ScoreCard.Step) -> None:
        if self.figures is None or not self.figures["trend"]:
            return
        last = len(self.figures["trend"]) - 1
        current = self.selected if 0 <= self.selected <= last else last
        self._select(max(0, min(current + message.step, last)))

    def _select(self, index: int) -> None:
        """One period cursor for the cards, the star bars, the themes and every chart."""
        self.selected = index
        self._show_cards()
        self._plot()

    def _show_cards(self) -> None:
        """The cards of the selected period (the last complete one until ←/→ move)."""
        assert self.figures is not None
        if self.figures.get("rolling"):  # the last 30 days against the 30 before, whatever the cursor
            cards = self.figures["cards"]
        else:
            cards = cards_for(self.figures["trend"], self.selected, self.figures["window"])
        for metric, _title in (*CARDS, STARS_CARD):
            card = cards[metric]
            label = f"{card['period']} so far" if card["running"] and not self.figures.get("rolling") \
                else card["period"]
            self.query_one(f"#card-{metric}", ScoreCard).show(card, label)
        self.query_one(ThemesPanel).follow(self.figures["trend"], self.selected, self.filters)
        self._show_undated(cards["ratings"]["period"])
        self.query_one("#star-bar", StarBar).show(cards["ratings"]["distribution"])

    def _show_undated(self, label: str) -> None:
        """Say how many of the cards' rows had no date in their file: they all fall on
        their import's day, and would otherwise read as a spike of that period."""
        assert self.figures is not None
        counts = self.undated.get(label) or {}
        text = undated.describe(counts)
        widget = self.query_one("#dash-undated", Static)
        widget.display = text is not None
        if text is not None:
            widget.update(Text(f" {label}: {text}", style="yellow"))

    def on_trend_panel_drill(self, message: TrendPanel.Drill) -> None:
        self._drill(message.metric, message.index)

    def on_score_card_drill(self, message: ScoreCard.Drill) -> None:
        if self.figures is not None and self.figures.get("rolling"):
            self._drill_period(message.metric, self.figures["rolling"][1])
        elif self.figures is not None:
            # the rows behind what the card shows: the selected period (the last complete one at first)
            self._drill(message.metric, self.selected if 0 <= self.selected < len(self.figures["trend"])
                        else len(self.figures["trend"]) - 1)

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        if self.figures is None or "segments" not in self.figures or message.row_key.value is None:
            return
        value = message.row_key.value
        segment = next((row for row in self.figures["segments"][self.breakdown] if str(row["segment"]) == value), None)
        if segment is None:
            return
        window = {"since": self.figures["trend"][0]["since"], "until": self.figures["trend"][-1]["until"]}
        self._open_inbox(segment_query(self.breakdown, segment, window, self.filters))

    def _drill(self, metric: str, index: int) -> None:
        if self.figures is not None:
            self._drill_period(metric, self.figures["trend"][index])

    def _drill_period(self, metric: str, period: dict[str, Any]) -> None:
        if metric in SURVEY_METRICS and self.filters.product:
            self.notify("Survey answers have no product: no answer is behind this figure.", severity="warning")
            return
        self._open_inbox(drill_query(metric, period, self.filters))

    def _open_inbox(self, query: InboxQuery) -> None:
        self.post_message(ShowInInbox(query))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_period(self) -> None:
        self.period = PERIOD_CYCLE[(PERIOD_CYCLE.index(self.period) + 1) % len(PERIOD_CYCLE)]
        self.selected = -1
        self.compute()

    def action_breakdown(self) -> None:
        self.breakdown = BREAKDOWNS[(BREAKDOWNS.index(self.breakdown) + 1) % len(BREAKDOWNS)]
        if self.figures is not None:
            self._show_segments()

    def action_reload(self) -> None:
        self.compute()

    def action_segment_filter(self) -> None:
        self._load_segment_values()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-filter", description="Loading segments")
    def _load_segment_values(self) -> None:
        with self.app.open_store(cache_kib=SMALL_CACHE_KIB) as store:
            # reviews and survey answers alike: a survey channel (email, in_app) is a source too
            values = [(f"{name}={value}", f"{name}: {clean(value, single_line=True)}") for name in BREAKDOWNS
                      for value in sorted(set(inbox.distinct_values(store, name))
                                          | set(inbox.distinct_values(store, name, "surveys")))]
        self.post_message(self.SegmentValues(values))

    def on_dashboard_screen_segment_values(self, message: SegmentValues) -> None:
        def chosen(value: str | None) -> None:
            if value is None:
                return
            if value == "*":
                self.filters = Filters()
            else:
                name, _, segment = value.partition("=")
                self.filters = Filters(**{name: segment})
            self.compute()

        options = [("*", "All feedback"), *message.values]
        self.app.push_screen(ChoiceDialog("Show figures for", options), chosen)


def _undated_counts(store: Any, figures: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per period label of the window (or the rolling 30 days), how many of its reviews
    and survey answers are dated by their import (none: two seeks into empty tables)."""
    window = Filters(**figures["window_filters"])
    if figures.get("rolling"):
        last = figures["rolling"][1]
        return {last["label"]: undated.count(store, replace(window, since=last["since"], until=last["until"]))}
    return undated.by_group(store, window, figures["period"])
