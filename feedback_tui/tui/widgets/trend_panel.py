"""A trend chart over the last periods (plotext), with a period cursor.

``left``/``right`` pick a period (drawn as a vertical line) and ``enter``
drills down to the rows behind that point. NPS gets error bars from its 95 %
interval (none below ``margins.MIN_N`` answers); points with too few answers
are drawn as ``x`` and listed as thin.
"""

from __future__ import annotations

import math
from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual_plotext import PlotextPlot

from feedback_tui.margins import figure_digits, too_few
from feedback_tui.tui.widgets.score_card import margin_text


class TrendPanel(PlotextPlot, can_focus=True):
    DEFAULT_CSS = """
    TrendPanel { border: round $primary; height: 1fr; }
    TrendPanel:focus { border: round $accent; }
    """
    BINDINGS = [
        Binding("left,h", "move(-1)", "Earlier period", id="dashboard.earlier"),
        Binding("right,l", "move(1)", "Later period", id="dashboard.later"),
        Binding("enter", "drill", "Show the rows behind it", id="dashboard.drill_point"),
    ]

    class Drill(Message):
        def __init__(self, metric: str, index: int) -> None:
            self.metric = metric
            self.index = index
            super().__init__()

    class Moved(Message):
        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(self, metric: str, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.metric = metric
        self.title_text = title
        self.labels: list[str] = []
        self.values: list[float | None] = []
        self.margins: list[float | None] = []
        self.intervals: list[list[float] | None] = []
        self.ns: list[int] = []
        self.thin: list[bool] = []
        self.selected = 0
        self.x_limits: tuple[float, float] | None = None
        self.y_limits: tuple[float, float] | None = None

    def set_series(self, labels: list[str], values: list[float | None], margins: list[float | None],
                   thin: list[bool], selected: int, intervals: list[list[float] | None] | None = None,
                   ns: list[int] | None = None) -> None:
        self.labels, self.values, self.margins, self.thin = labels, values, margins, thin
        self.intervals = intervals if intervals is not None else [None] * len(labels)
        self.ns = ns if ns is not None else [0] * len(labels)
        self.selected = selected
        self.border_title = self.title_text
        self.border_subtitle = f"{labels[selected]}: {self._value_text(selected)}" if labels else ""
        self.replot()

    def _value_text(self, index: int) -> str:
        value = self.values[index]
        if value is None:
            return "no data"
        margin = self.margins[index]
        digits = figure_digits(self.metric)  # as the cards: an NPS of 0 is "0.0", stars "4.25"
        text = f"{value:.{digits}f}"
        if margin is not None:
            text += f" {margin_text(self.metric, margin, digits, value=value, interval=self.intervals[index])}"
        if too_few(self.metric, self.ns[index]):
            return text + f" (n={self.ns[index]}, too few for a margin)"
        return text + (" (thin)" if self.thin[index] else "")

    def replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not self.labels:
            self.refresh()
            return
        xs = list(range(1, len(self.labels) + 1))
        points = [(x, v) for x, v in zip(xs, self.values, strict=True) if v is not None]
        if points:
            for run in runs(self.values):  # a period without data is a gap: no line drawn across it
                if len(run) > 1:
                    plt.plot([xs[i] for i in run], [self.values[i] for i in run], marker="braille", color="cyan")
            solid = [(x, v) for x, v, t in zip(xs, self.values, self.thin, strict=True) if v is not None and not t]
            thin = [(x, v) for x, v, t in zip(xs, self.values, self.thin, strict=True) if v is not None and t]
            if solid:
                plt.scatter(*map(list, zip(*solid, strict=True)), marker="●", color="cyan")
            if thin:
                plt.scatter(*map(list, zip(*thin, strict=True)), marker="x", color="yellow")
            # each bar spans the interval itself: its centre ± half its width (clipped to ±100)
            errors = [(x, (i[0] + i[1]) / 2, (i[1] - i[0]) / 2) for x, v, i in zip(xs, self.values, self.intervals,
                                                                                    strict=True)
                      if v is not None and i is not None]
            if errors and self.metric == "nps":
                ex, ey, em = zip(*errors, strict=True)
                plt.error(list(ex), list(ey), yerr=list(em), color="gray")
        plt.vline(self.selected + 1, color="orange")
        # Every chart of a period kind has the same x-axis (all the periods, with or without
        # data) and a y-axis inside its figure's scale.
        self.x_limits = (0.5, len(xs) + 0.5)
        self.y_limits = y_limits(self.metric, self.values, self.intervals if self.metric == "nps" else None)
        plt.xlim(*self.x_limits)
        plt.ylim(*self.y_limits)
        # the plot's rows: the panel's content less the frame's top, the x-axis line and the x labels
        ticks = fitting_ticks(*self.y_limits, rows=self.content_size.height - 3)
        plt.yticks(ticks, [tick_label(tick, ticks) for tick in ticks])
        step = max(1, len(xs) // 6)
        plt.xticks(xs[::step], [self._short(label) for label in self.labels[::step]])
        _keep_tick_order(plt)
        self.refresh()

    def on_resize(self) -> None:
        """The y ticks depend on the plot's height (:func:`fitting_ticks`), unknown until laid out."""
        if self.labels:
            self.replot()

    @staticmethod
    def _short(label: str) -> str:
        return label[2:] if len(label) == 7 and label[4] == "-" else label[5:] if len(label) == 10 else label

    def action_move(self, step: int) -> None:
        if self.labels:
            self.post_message(self.Moved(max(0, min(self.selected + step, len(self.labels) - 1))))

    def action_drill(self) -> None:
        if self.labels:
            self.post_message(self.Drill(self.metric, self.selected))


def _keep_tick_order(plt: Any) -> None:
    """Put the x ticks back in their order after plotext stored them through a ``set``.

    plotext places each label next to those already drawn, in the order it
    stores them; a set of (tick, label) pairs has a different order in each
    process (string hashes are randomised), so the same chart came out with
    labels one column apart from run to run.
    """
    monitor = getattr(plt, "monitor", None)
    if monitor is None or not hasattr(monitor, "xticks") or not hasattr(monitor, "xlabels"):
        return
    for pos, ticks in enumerate(monitor.xticks):
        labels = monitor.xlabels[pos]
        if ticks and labels and len(ticks) == len(labels):
            pairs = sorted(zip(ticks, labels, strict=True))
            monitor.xticks[pos] = [tick for tick, _ in pairs]
            monitor.xlabels[pos] = [label for _, label in pairs]


# The scale of each charted figure: its y-axis never leaves it.
SCALES: dict[str, tuple[float, float]] = {
    "nps": (-100.0, 100.0), "csat": (0.0, 100.0), "ces": (1.0, 7.0), "sentiment": (-1.0, 1.0),
    "response_rate": (0.0, 100.0), "ratings": (1.0, 5.0),
}


def runs(values: list[float | None]) -> list[list[int]]:
    """The indexes of each stretch of consecutive periods that have a value."""
    found: list[list[int]] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        if found and found[-1][-1] == index - 1:
            found[-1].append(index)
        else:
            found.append([index])
    return found


def y_limits(metric: str, values: list[float | None], intervals: list[list[float] | None] | None = None
             ) -> tuple[float, float]:
    """The y-axis of a chart: the values (and their error bars' ends) with a little room, inside the scale.

    With no value, the whole scale; a flat line gets a tenth of the scale around it.
    """
    low, high = SCALES[metric]
    span = high - low
    ends: list[float] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        interval = intervals[index] if intervals is not None else None
        ends += [value, value] if interval is None else [min(value, interval[0]), max(value, interval[1])]
    if not ends:
        return low, high
    bottom, top = min(ends), max(ends)
    room = max((top - bottom) * 0.1, span * 0.05)
    bottom, top = max(low, bottom - room), min(high, top + room)
    return bottom, top


def nice_ticks(bottom: float, top: float, most: int = 6) -> list[float]:
    """Round y-axis values between ``bottom`` and ``top``: steps of 1, 2, 2.5 or 5 times a
    power of ten, at most ``most`` of them (plotext's own read "-14.1, 14.5, 43.0, 71.5"
    on an NPS chart: a manager reads a level off a round line, not off those)."""
    span = top - bottom
    if span <= 0:
        return [bottom]
    for power in range(math.floor(math.log10(span / most)) - 1, math.floor(math.log10(span)) + 2):
        for factor in (1.0, 2.0, 2.5, 5.0):
            step = factor * 10.0 ** power
            first = math.ceil(bottom / step - 1e-9)
            count = math.floor(top / step + 1e-9) - first + 1
            if count <= most:
                return [round((first + i) * step, 10) for i in range(count)]
    return [bottom, top]


def fitting_ticks(bottom: float, top: float, rows: int) -> list[float]:
    """:func:`nice_ticks` with no two on one row of a plot ``rows`` high: a step under ~1.05
    rows let plotext draw two labels on one row, whichever it placed last ("0" or "25" on an
    NPS chart from −62 to +86 over 7 rows, from run to run)."""
    for most in range(6, 1, -1):
        ticks = nice_ticks(bottom, top, most)
        if rows < 3 or len(ticks) < 2 or (ticks[1] - ticks[0]) * (rows - 1) / (top - bottom) >= 1.05:
            return ticks
    return ticks


def tick_label(tick: float, ticks: list[float]) -> str:
    """A tick as text with the decimals its step needs ("50", "0.25", "4.5"); zero reads "0"."""
    step = min((b - a for a, b in zip(ticks, ticks[1:], strict=False)), default=1.0)
    digits = 0
    while digits < 3 and abs(step * 10 ** digits - round(step * 10 ** digits)) > 1e-6:
        digits += 1
    text = f"{tick:.{digits}f}"
    return "0" if float(text) == 0 else text


def series(trend: list[dict[str, Any]], metric: str, min_n: int) -> tuple[list, list, list, list, list, list]:
    """Labels, values, margins, thin flags, intervals and n of one metric over the trend."""
    from feedback_tui.trends import interval_of, metric as metric_of

    labels, values, margins, thin, intervals, ns = [], [], [], [], [], []
    for point in trend:
        value, margin, n = metric_of(point, metric)
        labels.append(point["period"])
        values.append(value)
        margins.append(margin)
        thin.append(n < min_n)
        intervals.append(interval_of(point, metric))
        ns.append(n)
    return labels, values, margins, thin, intervals, ns
