"""The filter panel (``f``): every filter of the inbox on one form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select

from feedback_tui.datebounds import bound
from feedback_tui.importers.dates import format_utc
from feedback_tui.models import REVIEW_STATUSES
from feedback_tui.store.inbox import SORTS, InboxQuery
from feedback_tui.tui.language_names import language_label
from feedback_tui.tui.safe_text import clean, plain

SORT_LABELS = {
    "newest": "Newest first", "oldest": "Oldest first", "rating_low": "Lowest rating", "rating_high": "Highest rating",
    "sentiment_low": "Most negative", "sentiment_high": "Most positive",
    "needs_reply": "Needs reply order: negative first, oldest first",
}


def until_bound(text: str) -> str:
    """The stored, exclusive bound for what was typed in "Until".

    A day (midnight) means "up to the end of that day", as ``--until`` on the
    command line: the store compares ``created_at < until``, which would
    otherwise leave out the very day the agent typed.
    """
    moment = bound(text)
    if moment.endswith("T00:00:00Z"):
        day = datetime.strptime(moment[:10], "%Y-%m-%d").replace(tzinfo=UTC)
        moment = format_utc(day + timedelta(days=1))
    return moment


def until_shown(until: str) -> str:
    """The last day included by a stored bound (the inverse of :func:`until_bound`)."""
    if until.endswith("T00:00:00Z"):
        return (datetime.strptime(until[:10], "%Y-%m-%d") - timedelta(days=1)).strftime("%Y-%m-%d")
    return until[:10]


@dataclass
class FilterChoices:
    """Values offered by the selects, loaded from the database by the screen."""

    sources: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)


def _label(id: str, value: str) -> Text:
    """What an option shows: its stored value, and for a language its name (``es — Spanish``)."""
    return plain(language_label(value) if id == "language" else value, single_line=True)


def _options(values: list[str], current: str | None, id: str) -> list[tuple[Text, str]]:
    options = [(_label(id, v), v) for v in values]
    if current and current not in values:
        options.append((_label(id, current), current))
    return options


def _select(values: list[str], current: str | None, id: str) -> Select[str]:
    # Select.NULL is "no selection" (Select.BLANK is Widget.BLANK, a render flag: False, an illegal value).
    return Select(_options(values, current, id), value=current if current else Select.NULL, allow_blank=True, id=id,
                  prompt="any")


def _shown(values: list[str], current: str | None) -> tuple[tuple[str, ...], str | None]:
    """What decides a select's options: its values, and a current value not among them."""
    return tuple(values), (current if current and current not in values else None)


def _ratings(kind: str) -> list[str]:
    return [str(i) for i in range(0, 11)] if kind == "surveys" else [str(i) for i in range(1, 6)]


class FilterDialog(ModalScreen[InboxQuery | None]):
    """Returns the query with the chosen filters, or None when cancelled."""

    DEFAULT_CSS = """
    FilterDialog { align: center middle; }
    FilterDialog > Vertical { width: 90; height: auto; max-height: 95%; padding: 1 2; border: thick $accent; background: $panel; }
    FilterDialog Grid { grid-size: 4; grid-columns: 12 1fr 12 1fr; grid-rows: 3; height: auto; grid-gutter: 0 1; }
    FilterDialog Label { padding: 1 0 0 0; }
    FilterDialog #error { color: $error; height: auto; padding: 0; }
    FilterDialog Horizontal { height: auto; align: right middle; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="dialog.apply"),
    ]

    def __init__(self, query: InboxQuery, choices: FilterChoices) -> None:
        super().__init__()
        self.current = query
        self.choices = choices
        self._options_shown: dict[str, tuple[tuple[str, ...], str | None]] = {}  # per select: what reuse last set
        self._reuse_on_mount = False

    def compose(self) -> ComposeResult:
        q = self.current
        ratings = _ratings(q.kind)
        with Vertical():
            yield Label("Filters (ctrl+s or Apply; escape cancels)")
            with Grid():
                yield Label("Status")
                yield self._select(list(REVIEW_STATUSES), q.statuses[0] if q.statuses else None, "status")
                yield Label("Sentiment")
                yield self._select(["positive", "neutral", "negative", "unknown"], q.sentiment, "sentiment")
                yield Label("Min score")
                yield self._select(ratings, None if q.min_rating is None else str(q.min_rating), "min_rating")
                yield Label("Max score")
                yield self._select(ratings, None if q.max_rating is None else str(q.max_rating), "max_rating")
                yield Label("Source")
                yield self._select(self.choices.sources, q.source, "source")
                yield Label("Language")
                yield self._select(self.choices.languages, q.language, "language")
                yield Label("Product")
                yield self._select(self.choices.products, q.product, "product")
                yield Label("Sort")
                yield Select([(Text(SORT_LABELS[s]), s) for s in SORTS], value=q.sort, allow_blank=False, id="sort")
                yield Label("Tag")
                yield Input(clean(q.tag, single_line=True), suggester=SuggestFromList(
                    [clean(t, single_line=True) for t in self.choices.tags], case_sensitive=False), id="tag")
                yield Label("Assignee")
                yield Input(clean(q.assignee, single_line=True), suggester=SuggestFromList(
                    [clean(a, single_line=True) for a in self.choices.assignees], case_sensitive=False), id="assignee")
                yield Label("Since")
                yield Input(q.since[:10] if q.since else "", placeholder="2026-01-31", id="since")
                yield Label("Until")
                yield Input(until_shown(q.until) if q.until else "", placeholder="2026-12-31", id="until")
            yield Label("", id="error")
            with Horizontal():
                yield Button("Clear all", id="clear")
                yield Button("Apply", variant="primary", id="apply")

    def on_mount(self) -> None:
        if self._reuse_on_mount:
            self._reuse_on_mount = False
            self.reuse(self.current, self.choices)

    def _select(self, values: list[str], current: str | None, id: str) -> Select[str]:
        """A select of the panel, its options noted as shown (a reuse with the same lists keeps them)."""
        self._options_shown[id] = _shown(values, current)
        return _select(values, current, id)

    def reuse(self, query: InboxQuery, choices: FilterChoices) -> None:
        """Show ``query`` and fresh lists in this panel, already built.

        Composing the panel's seven selects takes Textual ~200 ms on a busy
        2-core machine, more than the 100 ms an interaction may take; the inbox
        keeps one panel (installed, so closing it does not destroy it) and
        refills it each time it opens (~70 ms).
        """
        self.current, self.choices = query, choices
        if not self.is_mounted:
            # compose reads them; or, built ahead (tui/prebuild.py), it may have composed
            # already with older ones: on_mount shows these
            self._reuse_on_mount = True
            return
        q = query
        ratings = _ratings(q.kind)
        for id, values, current in (
            ("status", list(REVIEW_STATUSES), q.statuses[0] if q.statuses else None),
            ("sentiment", ["positive", "neutral", "negative", "unknown"], q.sentiment),
            ("min_rating", ratings, None if q.min_rating is None else str(q.min_rating)),
            ("max_rating", ratings, None if q.max_rating is None else str(q.max_rating)),
            ("source", choices.sources, q.source), ("language", choices.languages, q.language),
            ("product", choices.products, q.product),
        ):
            select = self.query_one(f"#{id}", Select)
            # The lists rarely change between openings: rebuilding a select's options
            # (its overlay's option list) only when they do saves most of a reopening.
            shown = _shown(values, current)
            if self._options_shown.get(id) != shown:
                select.set_options(_options(values, current, id))
                self._options_shown[id] = shown
            select.value = current if current else Select.NULL
        self.query_one("#sort", Select).value = q.sort
        for id, value, suggestions in (("tag", q.tag, choices.tags), ("assignee", q.assignee, choices.assignees)):
            field = self.query_one(f"#{id}", Input)
            field.value = clean(value, single_line=True)
            field.suggester = SuggestFromList([clean(v, single_line=True) for v in suggestions], case_sensitive=False)
        self.query_one("#since", Input).value = q.since[:10] if q.since else ""
        self.query_one("#until", Input).value = until_shown(q.until) if q.until else ""
        self.query_one("#error", Label).update("")
        self.query_one("#status", Select).focus()

    def _value(self, id: str) -> str | None:
        widget = self.query_one(f"#{id}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else str(widget.value)
        assert isinstance(widget, Input)
        return widget.value.strip() or None

    def action_apply(self) -> None:
        try:
            since = bound(self._value("since") or "") if self._value("since") else None
            until = until_bound(self._value("until") or "") if self._value("until") else None
        except ValueError as error:
            self.query_one("#error", Label).update(Text(f"Dates: {error}"))
            return
        status = self._value("status")
        min_rating, max_rating = self._value("min_rating"), self._value("max_rating")
        self.dismiss(self.current.with_changes(
            statuses=(status,) if status else (),
            sentiment=self._value("sentiment"),
            min_rating=int(min_rating) if min_rating else None,
            max_rating=int(max_rating) if max_rating else None,
            source=self._value("source"), language=self._value("language"), product=self._value("product"),
            sort=self._value("sort") or "newest", tag=self._value("tag"), assignee=self._value("assignee"),
            since=since, until=until, ids=(),
        ))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.action_apply()
        elif event.button.id == "clear":
            self.dismiss(InboxQuery(kind=self.current.kind, view=self.current.view, agent=self.current.agent))

    def action_cancel(self) -> None:
        self.dismiss(None)
