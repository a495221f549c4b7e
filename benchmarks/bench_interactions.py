"""Every interaction an agent or a manager has, timed in the real app (issue 19).

Run by ``bench.py``'s app child (``--app-child``), after its first paint, key,
search and dashboard figures. Each interaction is timed from the call that a
key binding makes (``screen.action_*``, ``apply_query``, the dashboard's
drill-down message) to the moment its result is on the screen: the first page
of the new list, the dialog with its lists filled, the review's text, the
composer ready to type. No ``Pilot.press``: its ~60 ms wait for idle is the
harness's cost, not ours (the ``j`` key figure keeps it, net of a stock
DataTable, for continuity).

Two baselines, measured in the same process and run:

- **list**: re-applying the plainest query there is (All, newest first), which
  the date index serves in a few page reads: what any list change costs in
  Textual and our list widget before its own SQL;
- **screen**: pushing a stock ``ModalScreen`` holding as many widgets as the
  filter panel (no data), until it is mounted: what opening any dialog or
  screen costs in Textual.

Each interaction runs ``REPEAT`` times (the first is cold); its figure is the
median, and every run goes into the interaction median and p95.

Other benchmark modules add interactions here through ``EXTRA_INTERACTIONS``
(``module:function`` names of async functions ``(app, pilot) -> {name: [ms]}``):
the retention screen's, once it exists.
"""

from __future__ import annotations

import importlib
import statistics
import time
from typing import Any

REPEAT = 3
RARE_WORD = "zanzibar"  # bench.generate puts it in one review in RARE_EVERY
COMMON_WORD = "delivery"
PHRASE = '"arrived late"'
NO_MATCH = "😭"  # symbols alone, in no generated review: no index narrows it (store.search)
WORD_AND_SYMBOL = f"{COMMON_WORD} {NO_MATCH}"  # the word's newest reviews only (store.inbox.literal_bound)
EXTRA_INTERACTIONS: tuple[str, ...] = ()  # e.g. "bench_retention:interactions" once that module exists


def _list_ready(lst: Any) -> Any:
    """The new list's first page is in (or it failed): what the agent waits for."""
    return lambda: 0 in lst.pages or lst.load_error is not None


async def measure(app: Any, pilot: Any, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """``{"interactions": {name: [ms, ...]}, "baselines": {...}}`` for the app on the bench database.

    ``only``: the interactions whose name holds one of these (all when empty;
    the baselines always run), to profile one of them (``bench_app.py --only``).
    """
    from textual.screen import ModalScreen
    from textual.widgets import Input, Label, Select

    from feedback_tui.models import Filters
    from feedback_tui.store.inbox import SORTS, InboxQuery
    from feedback_tui.tui.dialogs.filters import FilterDialog
    from feedback_tui.tui.messages import ShowInInbox
    from feedback_tui.tui.screens.composer import ComposerScreen
    from feedback_tui.tui.screens.dashboard import CARDS, DashboardScreen, drill_query
    from feedback_tui.tui.screens.inbox import InboxScreen
    from feedback_tui.tui.screens.review import ReviewScreen
    from feedback_tui.tui.widgets.review_list import ReviewList

    import bench_app
    from bench_app import wait

    def wanted(name: str) -> bool:
        return not only or any(part in name for part in only)

    inbox = app.screen
    assert isinstance(inbox, InboxScreen)
    lst = inbox.query_one(ReviewList)
    agent = app.agent
    times: dict[str, list[float]] = {}
    baselines: dict[str, list[float]] = {"list": [], "screen": []}

    async def on_inbox() -> None:
        while not isinstance(app.screen, InboxScreen):
            app.pop_screen()
            await pilot.pause()

    async def apply(query: InboxQuery) -> float:
        before = time.perf_counter()
        inbox.apply_query(query)
        await wait(pilot, _list_ready(lst))
        return (time.perf_counter() - before) * 1000

    plain = InboxQuery(agent=agent, view="all")

    class Stock(ModalScreen[None]):
        def compose(self) -> Any:
            for i in range(7):
                yield Label(f"field {i}")
                yield Select([("a", "a"), ("b", "b")], id=f"s{i}")
            for i in range(4):
                yield Input(id=f"i{i}")

    async def stock_screen() -> float:
        screen = Stock()
        before = time.perf_counter()
        app.push_screen(screen)
        await wait(pilot, lambda: app.screen is screen and screen.is_mounted and bool(screen.query(Select)))
        await pilot.pause()
        ms = (time.perf_counter() - before) * 1000
        app.pop_screen()
        await pilot.pause()
        return ms

    def record(name: str, ms: float) -> None:
        times.setdefault(name, []).append(ms)
        bench_app.mark(name)

    for _ in range(REPEAT):
        baselines["list"].append(await apply(plain))
        baselines["screen"].append(await stock_screen())

    # -- the filter panel: open it (its lists filled), close it --------------------------
    for _ in range(REPEAT if wanted("filter panel: open with its lists") else 0):
        await apply(plain)
        before = time.perf_counter()
        inbox.action_filters()
        await wait(pilot, lambda: isinstance(app.screen, FilterDialog) and app.screen.is_mounted
                    and bool(app.screen.query("#language")))
        await pilot.pause()
        record("filter panel: open with its lists", (time.perf_counter() - before) * 1000)
        app.screen.dismiss(None)
        await on_inbox()

    # -- each filter, each sort, each view -------------------------------------------------
    changes: list[tuple[str, dict[str, Any]]] = [
        ("filter: source", {"source": "trustpilot"}),
        ("filter: language", {"language": "fr"}),
        ("filter: product", {"product": "Panier Web"}),
        ("filter: sentiment", {"sentiment": "negative"}),
        ("filter: status", {"statuses": ("new",)}),
        ("filter: min score", {"min_rating": 4}),
        ("filter: max score", {"max_rating": 2}),
        ("filter: tag", {"tag": "bench-tag"}),
        ("filter: assignee", {"assignee": agent}),
        ("filter: since/until", {"since": "2026-06-01T00:00:00Z", "until": "2026-07-01T00:00:00Z"}),
        ("filter: replied", {"replied": False}),
    ]
    changes += [(f"sort: {sort}", {"sort": sort}) for sort in SORTS]
    changes += [(f"sort in needs reply: {sort}", {"view": "needs_reply", "sort": sort}) for sort in SORTS]
    changes += [(f"view {i}: {view}", {"view": view}) for i, view in
                enumerate(("needs_reply", "negative", "mine", "all"), start=1)]
    changes += [("search: rare word", {"search": RARE_WORD}), ("search: common word", {"search": COMMON_WORD}),
                ("search: phrase", {"search": PHRASE}), ("search: an emoji in no review", {"search": NO_MATCH}),
                ("search: a word and an emoji", {"search": WORD_AND_SYMBOL})]
    for name, change in changes:
        for _ in range(REPEAT if wanted(name) else 0):
            record(name, await apply(plain.with_changes(**change)))
            await wait(pilot, lambda: lst.total is not None or lst.load_error is not None)  # its count, not timed
    survey = plain.with_changes(kind="surveys")
    for _ in range(REPEAT if wanted("surveys: switch") else 0):
        record("surveys: switch", await apply(survey))
        await wait(pilot, lambda: lst.total is not None)

    # -- scroll to the end, open a review, open the composer --------------------------------
    for _ in range(REPEAT if wanted("scroll to the end") else 0):
        await apply(plain)
        await wait(pilot, lambda: lst.total is not None)
        before = time.perf_counter()
        lst.action_last()
        await wait(pilot, lambda: lst.current_row is not None and lst.cursor == max((lst.total or 1) - 1, 0))
        record("scroll to the end", (time.perf_counter() - before) * 1000)
    for _ in range(REPEAT if wanted("open a review") or wanted("open the composer") else 0):
        await apply(plain)
        before = time.perf_counter()
        lst.action_open()
        await wait(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.detail is not None)
        record("open a review", (time.perf_counter() - before) * 1000)
        await on_inbox()
        before = time.perf_counter()
        inbox.action_reply()
        # the composer may put a prompt on top (a template's blank to fill in): it is open and loaded
        await wait(pilot, lambda: any(isinstance(screen, ComposerScreen) and screen._loaded
                                       for screen in app.screen_stack))
        record("open the composer", (time.perf_counter() - before) * 1000)
        await on_inbox()

    # -- a drill-down from each dashboard card ----------------------------------------------
    if not any(wanted(f"drill-down: {metric}") for metric, _title in CARDS):
        return {"interactions": times, "baselines": baselines}
    dashboard = DashboardScreen()
    app.install_screen(dashboard, name="bench-dashboard")  # installed: popping it keeps it for the next card
    app.push_screen("bench-dashboard")
    await wait(pilot, lambda: app.screen is dashboard and dashboard.figures is not None, limit=900.0)
    figures = dashboard.figures
    index = len(figures["trend"]) - 2  # the last complete period: what the cards show
    for metric, _title in CARDS:
        if not wanted(f"drill-down: {metric}"):
            continue
        query = drill_query(metric, figures["trend"][index], Filters()).with_changes(agent=agent)
        for _ in range(REPEAT):
            if app.screen is not dashboard:
                app.push_screen("bench-dashboard")
                await pilot.pause()
            before = time.perf_counter()
            app.post_message(ShowInInbox(query))
            await wait(pilot, lambda: isinstance(app.screen, InboxScreen) and inbox.query_state == query)
            await wait(pilot, _list_ready(lst))
            record(f"drill-down: {metric}", (time.perf_counter() - before) * 1000)
            await wait(pilot, lambda: lst.total is not None or lst.load_error is not None)

    for spec in EXTRA_INTERACTIONS:
        module, _, function = spec.partition(":")
        for name, runs in (await getattr(importlib.import_module(module), function)(app, pilot)).items():
            times.setdefault(name, []).extend(runs)
    return {"interactions": times, "baselines": baselines}


def store_figures(db: Any) -> dict[str, float]:
    """The store queries these interactions replaced, timed beside the old ones in the same run (ms).

    - the filter panel's lists: from the rollups and the assignee index, against
      the ``SELECT DISTINCT`` scans of the reviews it ran before;
    - each sort's first page through its index, against the same query with the
      table read ``NOT INDEXED`` (a full sort: what a sort without its index costs);
    - rare filters (:func:`rare_filter_figures`) and searches (:func:`search_figures`).
    """
    from feedback_tui.store import Store, inbox, triage

    figures: dict[str, float] = {}

    def timed(function: Any) -> float:
        runs = []
        for _ in range(REPEAT):
            before = time.perf_counter()
            function()
            runs.append((time.perf_counter() - before) * 1000)
        return statistics.median(runs)

    with Store.open(db, readonly=True) as store:
        def lists() -> None:
            for column in ("source", "language", "product"):
                inbox.distinct_values(store, column)
            inbox.assignees(store)
            triage.tag_names(store)

        def scans() -> None:
            for column in ("source", "language", "product"):
                store.conn.execute(f"SELECT DISTINCT {column} FROM reviews WHERE {column} IS NOT NULL "
                                   "ORDER BY 1 LIMIT 500").fetchall()

        figures["filter_lists_ms"] = timed(lists)
        figures["filter_lists_scan_ms"] = timed(scans)
        for sort in inbox.SORTS:
            query = inbox.InboxQuery(view="all", sort=sort)
            where, params = inbox._conditions(query)
            order = ", ".join(f"{e} {'DESC' if d else 'ASC'}" for e, d in inbox.order_of(query))
            sql = f"SELECT r.id FROM reviews r NOT INDEXED WHERE {' AND '.join(where) or '1'} ORDER BY {order} LIMIT 100"
            figures[f"sort_{sort}_ms"] = timed(lambda query=query: inbox.page(store, query))
            figures[f"sort_{sort}_full_sort_ms"] = timed(lambda sql=sql, params=params: store.conn.execute(
                sql, params).fetchall())
        figures.update(rare_filter_figures(store, timed))
        figures.update(search_figures(store, timed))
    return figures


# Rare filters (store.narrowing): each first page (and count) beside the same query as a
# plain walk of the sort's index, which is what the inbox ran before (issue 19, session 6).
# The generated data has English and French only, tags only on one review in 97, no spam.
RARE_FILTERS: dict[str, dict[str, Any]] = {
    "nothing_language": {"language": "de"},
    "nothing_language_lowest_rating": {"language": "de", "sort": "rating_low"},
    "unused_tag": {"tag": "refund-request"},
    "spam": {"statuses": ("spam",)},
    "five_stars_one_day_lowest_rating": {"min_rating": 5, "since": "DAY", "until": "NEXT", "sort": "rating_low"},
    "four_stars_up_lowest_rating": {"min_rating": 4, "sort": "rating_low"},
}


def rare_filter_figures(store: Any, timed: Any) -> dict[str, float]:
    """``rare_<name>_ms`` (page), ``rare_<name>_count_ms`` and ``rare_<name>_walk_ms`` (the
    plain walk's page, the same columns; run once)."""
    from datetime import date, timedelta

    from feedback_tui.store import inbox

    day = date.today() - timedelta(days=30)
    figures: dict[str, float] = {}
    for name, change in RARE_FILTERS.items():
        change = {key: (f"{day}T00:00:00Z" if value == "DAY" else f"{day + timedelta(days=1)}T00:00:00Z"
                        if value == "NEXT" else value) for key, value in change.items()}
        query = inbox.InboxQuery(view="all", **change)
        where, params = inbox._conditions(query)
        order = ", ".join(f"{e} {'DESC' if d else 'ASC'}" for e, d in inbox.order_of(query))
        sql = (f"SELECT {inbox._REVIEW_COLUMNS} FROM reviews r WHERE {' AND '.join(where) or '1'} "
               f"ORDER BY {order} LIMIT 100")
        figures[f"rare_{name}_ms"] = timed(lambda query=query: inbox.page(store, query))
        figures[f"rare_{name}_count_ms"] = timed(lambda query=query: inbox.count(store, query))
        before = time.perf_counter()  # once: at 10M a walk that finds nothing reads the whole index (~30 s)
        store.conn.execute(sql, params).fetchall()
        figures[f"rare_{name}_walk_ms"] = (time.perf_counter() - before) * 1000
    return figures


def search_figures(store: Any, timed: Any) -> dict[str, float]:
    """Each search's first page, newest first (``search_<name>_ms``), beside the plan that
    collects every hit and sorts them (``search_<name>_collect_ms``: the rare word's plan,
    the same columns, without centring the excerpts) and, for a common word, the fts5vocab doc count that chose the
    plan before (``search_vocab_ms``)."""
    from feedback_tui.store import inbox

    figures: dict[str, float] = {}
    for name, text in (("rare_word", RARE_WORD), ("common_word", COMMON_WORD), ("phrase", PHRASE),
                       ("two_words", f"{COMMON_WORD} refund"), ("two_languages", f"{COMMON_WORD} livraison")):
        query = inbox.InboxQuery(view="all", search=text)
        where, params = inbox._conditions(query)
        columns = inbox._REVIEW_COLUMNS.replace("substr(r.body, 1, 300)", "substr(r.body, 1, 3000)")
        sql = (f"SELECT {columns} FROM reviews r WHERE {' AND '.join(where)} "
               "ORDER BY r.created_at DESC, r.id DESC LIMIT 100")
        figures[f"search_{name}_ms"] = timed(lambda query=query: inbox.page(store, query))
        figures[f"search_{name}_collect_ms"] = timed(lambda sql=sql, params=params: store.conn.execute(
            sql, params).fetchall())
    figures["search_vocab_ms"] = timed(lambda: store.conn.execute(
        "SELECT doc FROM reviews_fts_vocab WHERE term = ?", (COMMON_WORD,)).fetchall())
    return figures


def summary(measured: dict[str, Any]) -> dict[str, Any]:
    """The JSON figures: per interaction, its median; over every run, the median and p95."""
    times = measured["interactions"]
    runs = sorted(ms for series in times.values() for ms in series)
    medians = {name: statistics.median(series) for name, series in times.items()}
    slowest = max(medians, key=medians.__getitem__)
    return {
        "interaction_ms_median": statistics.median(runs),
        "interaction_ms_p95": runs[max(int(len(runs) * 0.95) - 1, 0)],
        "slowest_interaction": {"name": slowest, "ms": medians[slowest]},
        "interactions_ms": medians,
        "interaction_baseline_list_ms": statistics.median(measured["baselines"]["list"]),
        "interaction_baseline_screen_ms": statistics.median(measured["baselines"]["screen"]),
    }
