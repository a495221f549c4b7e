"""feedback-tui benchmarks: every figure beside a baseline measured in the same run.

    python benchmarks/bench.py --rows 100000            # one size, a table
    python benchmarks/bench.py --rows 10000 --rows 1000000 --json

For each N it generates N reviews (English and French, 20-80 words, a third of
them answered) and N survey answers over the year before the day it runs
(deterministic for a given day), then measures:

- import: our CSV import (validation, dedupe, FTS, no sentiment), rows/s, against
  Python's csv reader + plain ``sqlite3.executemany`` into a comparable table in
  one transaction, and against ``sqlite-utils insert --csv`` + ``enable-fts`` (the
  tool a user of this stack would pick; search index on both sides);
- sentiment: our backfill on all cores, docs/s, against one core running stock
  TextBlob in a plain loop (in a fresh interpreter) on the same texts, each in its
  language (textblob-fr for French); also ``TextBlob(text).sentiment`` on the
  English texts alone;
- score: ``scorecard()`` overall and by month, seconds;
- inbox (a child process running the real app headless): time to the first page
  of rows, per ``j`` keypress, per page down, per filter change, per FTS search;
- dashboard: time until the cards and charts show their figures (the breakdown,
  reply effect, agents and themes fill in after them), polled with ``Pilot.pause``;
  then a second opening polled without forcing a frame at each poll
  (``bench_app.wait_unforced``, ``dashboard_cards_s``);
- every interaction an agent or a manager has (``bench_interactions.py``): the
  filter panel, each filter, sort and view, searches, scrolling to the end, a
  review, the composer, a drill-down from each card, each beside its baseline;
- memory: peak RSS of that app process.

The app child's scenario is ``bench_app.py`` (which also runs the interactions
alone against a kept database, for profiling one of them).

Machines are noisy: compare figures of the same run, and read RESULTS.md for
what limits each one.

Other helpers' benchmarks (``--agents 16``, retention, sentiment speed) live in
their own modules: list them in ``EXTRA_BENCHES`` below (each has
``run(figures, folder, log) -> dict`` and an optional ``ROWS`` list for the
table); a module not present is skipped with a line in the log.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import importlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EN_WORDS = (
    "the app is great fast easy delivery driver fresh vegetables order arrived late missing items refund support "
    "helpful friendly crashes login bug update checkout payment price expensive cheap quality bread fruit bag "
    "cold frozen damaged eggs broken service customer never again love recommend slow website slot time today "
    "week always sometimes really very quite not good bad terrible excellent perfect awful okay decent"
).split()
FR_WORDS = (
    "appli super rapide facile livraison livreur légumes frais commande arrivée retard articles manquants "
    "remboursement service client sympa plante bug mise à jour paiement prix cher qualité pain fruits sac "
    "surgelés abîmé œufs cassés jamais plus recommande lent site créneau aujourd'hui semaine toujours parfois "
    "vraiment très pas bon mauvais nul excellent parfait déçu correct arnaque injoignable"
).split()
SOURCES = ("app_store", "google_play", "trustpilot", "website")
PRODUCTS = ("Panier iOS", "Panier Android", "Panier Web", "Livraison")
RARE_WORD, RARE_EVERY = "zanzibar", 10_007  # one review in RARE_EVERY holds it: the rare-word search
# bench_agents runs instead of the rest (--agents N); learned_speed.py trains 100k texts
# (minutes on one core) and runs on its own.
EXTRA_BENCHES: tuple[str, ...] = ("bench_retention", "learned_speed")
HEADER = ["id", "source", "rating", "title", "body", "author", "created_at", "language", "product", "reply", "reply_at"]


# -- data --------------------------------------------------------------------------
def generate(n: int, folder: Path, seed: int = 2026) -> tuple[Path, Path]:
    """N reviews and N survey answers as CSV files, the same for the same N and seed."""
    rng = random.Random(seed)
    reviews, surveys = folder / f"reviews_{n}.csv", folder / f"surveys_{n}.csv"
    # The year before today, so that the dashboard's last 12 months hold the data.
    span = 365 * 24 * 3600
    now = int(time.time())
    start = now // 86400 * 86400 - span
    with reviews.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(n):
            french = rng.random() < 0.45
            words = FR_WORDS if french else EN_WORDS
            body = " ".join(rng.choices(words, k=rng.randint(20, 80))).capitalize() + "."
            if i % RARE_EVERY == 0:  # no random draw: the rest of the data stays what it was
                body += f" {RARE_WORD}."
            moment = start + rng.randrange(span)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
            reply, reply_at = "", ""
            if rng.random() < 0.3:  # a third answered, 1 to 96 hours later: reply times have work to do
                reply = "Thank you for your feedback, we are looking into it."
                # never in the future (the import rejects such a row: 0.08 % of them did)
                replied = min(moment + rng.randint(3600, 96 * 3600), max(moment, now - 60))
                reply_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(replied))
            writer.writerow([f"b-{i}", SOURCES[i % 4], rng.randint(1, 5), " ".join(rng.choices(words, k=3)), body,
                             f"author {i % 5000}", stamp, "fr" if french else "en", PRODUCTS[i % 4], reply, reply_at])
    with surveys.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "kind", "score", "comment", "created_at", "customer", "source"])
        kinds = (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7))
        for i in range(n):
            kind, low, high = kinds[i % 3]
            comment = " ".join(rng.choices(EN_WORDS, k=rng.randint(5, 20))) if rng.random() < 0.3 else ""
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + rng.randrange(span)))
            writer.writerow([f"s-{i}", kind, rng.randint(low, high), comment, stamp, f"c-{i % 20000}", "email"])
    return reviews, surveys


# -- import ------------------------------------------------------------------------------
def bench_import(reviews: Path, folder: Path) -> dict[str, float]:
    from feedback_tui.importers import open_input
    from feedback_tui.store import Store, utc_now
    from feedback_tui.store.imports import import_rows

    db = folder / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    with Store.open(db) as store:
        parsed = open_input(reviews, imported_at=utc_now())
        result = import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, parse_ahead=True,
                             expected_rows=parsed.estimated_rows)
    ours = time.perf_counter() - started
    rows = result.inserted

    baseline_db = folder / "baseline.db"
    baseline_db.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = sqlite3.connect(baseline_db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE reviews (id INTEGER PRIMARY KEY, external_id TEXT, source TEXT, rating INTEGER, "
                 "title TEXT, body TEXT, author TEXT, created_at TEXT, language TEXT, product TEXT, "
                 "reply TEXT, reply_at TEXT)")
    with reviews.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        with conn:
            conn.executemany("INSERT INTO reviews (external_id, source, rating, title, body, author, created_at, "
                             "language, product, reply, reply_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", reader)
    conn.close()
    baseline = time.perf_counter() - started
    baseline_db.unlink(missing_ok=True)
    utils_s = sqlite_utils_import(reviews, folder)
    return {"import_rows_s": rows / ours, "import_baseline_rows_s": rows / baseline,
            "import_ratio": baseline / ours, "import_s": ours,
            "import_sqlite_utils_rows_s": rows / utils_s, "import_sqlite_utils_s": utils_s,
            "import_vs_sqlite_utils": utils_s / ours}


def sqlite_utils_import(reviews: Path, folder: Path) -> float:
    """Seconds for ``sqlite-utils insert --csv`` then ``enable-fts`` on the same file.

    The command-line tool as a user would run it, with the search index on the
    same three columns as ours (and triggers, as ours keeps it current).
    """
    db = folder / "sqlite_utils.db"
    db.unlink(missing_ok=True)
    tool = str(Path(sys.executable).with_name("sqlite-utils"))
    started = time.perf_counter()
    for command in (["insert", str(db), "reviews", str(reviews), "--csv"],
                    ["enable-fts", str(db), "reviews", "title", "body", "author", "--fts5", "--create-triggers",
                     "--tokenize", "unicode61 remove_diacritics 2"]):
        subprocess.run([tool, *command], check=True, capture_output=True)
    seconds = time.perf_counter() - started
    db.unlink(missing_ok=True)
    return seconds


def import_surveys(surveys: Path, folder: Path) -> None:
    from feedback_tui.importers import open_input
    from feedback_tui.store import Store, utc_now
    from feedback_tui.store.imports import import_rows

    with Store.open(folder / "bench.db") as store:
        parsed = open_input(surveys, imported_at=utc_now())
        import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, parse_ahead=True,
                    expected_rows=parsed.estimated_rows)


def prepare_workload(db: Path) -> None:
    """Tags and assignees, as a team's triage leaves them: one review in 97 tagged,
    one in 89 assigned to the benchmark's agent (the tag and assignee filters,
    the Mine view and the panel's tag list have something to show)."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT OR IGNORE INTO tags (name) VALUES ('bench-tag'), ('refund-request')")
        conn.execute("INSERT OR IGNORE INTO review_tags (review_id, tag_id) SELECT r.id, t.id FROM reviews r, tags t "
                     "WHERE t.name = 'bench-tag' AND r.id % 97 = 0")
        conn.execute("UPDATE reviews SET assignee = 'bench' WHERE id % 89 = 0")
    conn.close()


# -- sentiment ---------------------------------------------------------------------------
def textblob_baseline(db: Path, sample_size: int = 5000) -> dict[str, float]:
    """Stock TextBlob, one core, on texts the backfill will score (titles included).

    Run in a fresh interpreter (``--textblob-child``): our analyzer swaps the
    lexicons' lazy lookups for faster ones in the process that uses it, and
    the baseline must be TextBlob as shipped. Two figures: each text in its
    language (textblob-fr for French, the job the backfill does), and the
    English texts alone through ``TextBlob(text).sentiment``.
    """
    from textblob import Blobber, TextBlob
    from textblob_fr import PatternAnalyzer, PatternTagger

    from feedback_tui.store import Store, queries

    with Store.open(db, readonly=True) as store:
        sample = [(row_id, f"{title}. {body}" if title else body, language)  # the text as the analyzer reads it
                  for row_id, body, language, title in queries.pending_sentiment(store, "reviews", sample_size)]
    french = Blobber(pos_tagger=PatternTagger(), analyzer=PatternAnalyzer())
    started = time.perf_counter()
    for _, text, language in sample:
        (french(text) if language == "fr" else TextBlob(text)).sentiment  # noqa: B018 - the work measured
    mixed = len(sample) / (time.perf_counter() - started)
    english = [text for _, text, language in sample if language != "fr"]
    started = time.perf_counter()
    for text in english:
        TextBlob(text).sentiment  # noqa: B018
    return {"sentiment_baseline_docs_s": mixed,
            "sentiment_baseline_en_docs_s": len(english) / (time.perf_counter() - started)}


def bench_sentiment(folder: Path, n: int) -> dict[str, float]:
    from feedback_tui import sentiment_pool
    from feedback_tui.store import Store, rescoring

    figures = _child("--textblob-child", folder / "bench.db")
    with Store.open(folder / "bench.db") as store:
        started = time.perf_counter()
        done = rescoring.backfill(store)
        seconds = time.perf_counter() - started
        ours = done / seconds
    cores = sentiment_pool.worker_count()
    return {"sentiment_docs_s": ours, "sentiment_s": seconds, **figures,
            "sentiment_ratio_per_core": ours / cores / figures["sentiment_baseline_docs_s"],
            "sentiment_ratio_per_core_en": ours / cores / figures["sentiment_baseline_en_docs_s"]}


# -- score -------------------------------------------------------------------------------
def bench_score(folder: Path) -> dict[str, float]:
    from feedback_tui.scoring import scorecard
    from feedback_tui.store import Store

    with Store.open(folder / "bench.db") as store:
        timings = {}
        for key, by in (("score_s", None), ("score_by_month_s", "month")):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                scorecard(store, by=by)
                runs.append(time.perf_counter() - started)
            timings[key] = statistics.median(runs)
    return timings


def _child(flag: str, db: Path) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; its last line is a JSON object."""
    result = subprocess.run([sys.executable, __file__, flag, str(db)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{flag} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_app(folder: Path) -> dict[str, float]:
    return _child("--app-child", folder / "bench.db")


# -- driver --------------------------------------------------------------------------------
def run(n: int, folder: Path, log: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {"n": n, "cores": os.cpu_count() or 1}
    log(f"[{n:,}] generating data…")
    reviews, surveys = generate(n, folder)
    log(f"[{n:,}] import…")
    figures.update(bench_import(reviews, folder))
    import_surveys(surveys, folder)
    prepare_workload(folder / "bench.db")
    log(f"[{n:,}] sentiment…")
    figures.update(bench_sentiment(folder, n))
    figures["import_with_sentiment_s"] = figures["import_s"] + figures["sentiment_s"]
    log(f"[{n:,}] score…")
    figures.update(bench_score(folder))
    import bench_interactions

    figures.update(bench_interactions.store_figures(folder / "bench.db"))
    log(f"[{n:,}] inbox, every interaction and dashboard…")
    figures.update(bench_app(folder))
    figures["db_mb"] = sum(p.stat().st_size for p in folder.glob("bench.db*")) / 2**20
    for name in EXTRA_BENCHES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            log(f"[{n:,}] {name}: not present, skipped")
            continue
        log(f"[{n:,}] {name}…")
        figures.update(module.run(figures, folder, log))
    return figures


def extra_rows() -> list[tuple[str, str, str | None, str | None, str]]:
    rows = []
    for name in EXTRA_BENCHES:
        try:
            rows += list(getattr(importlib.import_module(name), "ROWS", []))
        except ModuleNotFoundError:
            continue
    return rows


ROWS = [
    ("import rows/s (ours / raw sqlite3)", "import_rows_s", "import_baseline_rows_s", "import_ratio", "≥ 0.5"),
    ("import rows/s (ours / sqlite-utils insert --csv + enable-fts)", "import_rows_s", "import_sqlite_utils_rows_s",
     "import_vs_sqlite_utils", "≥ 1.5"),
    ("import + sentiment (s)", "import_with_sentiment_s", None, None, "≤ 900 at 10M"),
    ("sentiment docs/s (all cores / 1 core, each text in its language)", "sentiment_docs_s",
     "sentiment_baseline_docs_s", "sentiment_ratio_per_core", "≥ 0.8 per core"),
    ("TextBlob(text).sentiment on the English texts (docs/s, per-core ratio)", "sentiment_baseline_en_docs_s",
     None, "sentiment_ratio_per_core_en", ""),
    ("score --json (s)", "score_s", None, None, "≤ 0.3"),
    ("score --by month (s)", "score_by_month_s", None, None, "≤ 0.5"),
    ("inbox first paint (s)", "inbox_first_paint_s", None, None, "≤ 1.0"),
    ("inbox j key median / p95 (ms, net of harness)", "inbox_key_ms_median", "inbox_key_ms_p95", None,
     "≤ 30 / ≤ 80"),
    ("Pilot key press: our inbox / stock DataTable (ms)", "inbox_key_ms_raw_median", "harness_key_ms", None, ""),
    ("inbox page down median (ms, net)", "inbox_page_ms_median", None, None, ""),
    ("inbox filter change (ms)", "inbox_filter_ms", None, None, ""),
    ("inbox FTS search (ms)", "inbox_search_ms", None, None, "≤ 150"),
    ("dashboard (s)", "dashboard_s", None, None, "≤ 0.5"),
    ("dashboard again, cards drawn, unforced polling (s)", "dashboard_cards_s", None, None, "≤ 0.5"),
    ("every interaction: median / p95 (ms)", "interaction_ms_median", "interaction_ms_p95", None, "≤ 100 / ≤ 250"),
    ("baselines: list change / stock screen (ms)", "interaction_baseline_list_ms", "interaction_baseline_screen_ms",
     None, ""),
    ("filter panel lists, store only: rollups / old DISTINCT scans (ms)", "filter_lists_ms", "filter_lists_scan_ms",
     None, ""),
    *[(f"sort {sort} first page, store only: index / full sort (ms)", f"sort_{sort}_ms", f"sort_{sort}_full_sort_ms",
       None, "") for sort in ("oldest", "rating_low", "rating_high", "sentiment_low", "sentiment_high")],
    *[(f"rare filter {name}, store only: page / plain walk (ms)", f"rare_{name}_ms", f"rare_{name}_walk_ms",
       None, "≤ 100") for name in ("nothing_language", "nothing_language_lowest_rating", "unused_tag", "spam",
                                  "five_stars_one_day_lowest_rating", "four_stars_up_lowest_rating")],
    *[(f"search {name} first page, store only: ours / collect every hit (ms)", f"search_{name}_ms",
       f"search_{name}_collect_ms", None, "≤ 150") for name in ("rare_word", "common_word", "phrase", "two_words")],
    ("peak RSS of the app (MB)", "peak_rss_mb", None, None, "≤ 300"),
    ("peak RSS over the 2026-11-23 run's steps: paint, keys, filters, searches, dashboard (MB)",
     "peak_rss_mb_first_steps", None, None, "≤ 300"),
    ("database on disk (MB)", "db_mb", None, None, ""),
]


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    if isinstance(value, dict):
        return f"{value.get('name')} ({_fmt(value.get('ms'))} ms)"
    return f"{value:,}"


def table(results: list[dict[str, Any]]) -> str:
    header = "| figure | target | " + " | ".join(f"N = {r['n']:,}" for r in results) + " |"
    lines = [header, "|" + " --- |" * (2 + len(results))]
    for label, key, second, ratio, target in [*ROWS, *extra_rows()]:
        cells = []
        for result in results:
            cell = _fmt(result.get(key))
            if second:
                cell += f" / {_fmt(result.get(second))}"
            if ratio:
                cell += f" (×{result.get(ratio, 0):.2f})"
            cells.append(cell)
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    lines.append("| slowest interaction | ≤ 100 | " + " | ".join(_fmt(r.get("slowest_interaction")) for r in results)
                 + " |")
    return "\n".join(lines)


def interaction_table(results: list[dict[str, Any]]) -> str:
    """One line per interaction: its median (ms) at each N, the target and the same run's baselines."""
    names = list(dict.fromkeys(name for r in results for name in r.get("interactions_ms", {})))
    header = "| interaction (median ms) | target | " + " | ".join(f"N = {r['n']:,}" for r in results) + " |"
    lines = [header, "|" + " --- |" * (2 + len(results))]
    for label, key in (("baseline: list change (All, newest)", "interaction_baseline_list_ms"),
                       ("baseline: stock dialog", "interaction_baseline_screen_ms")):
        lines.append(f"| {label} |  | " + " | ".join(_fmt(r.get(key)) for r in results) + " |")
    for name in names:
        target = "≤ 150" if name.startswith("search") else "≤ 100"
        lines.append(f"| {name} | {target} | "
                     + " | ".join(_fmt(r.get("interactions_ms", {}).get(name)) for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="N (repeat for several sizes)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per N")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep its files")
    parser.add_argument("--agents", type=int, help="instead: N agents at once for 30 s (benchmarks/bench_agents.py)")
    parser.add_argument("--app-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--textblob-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app_child:
        import bench_app

        print(json.dumps(asyncio.run(bench_app.app_scenario(args.app_child))))
        return
    if args.textblob_child:
        print(json.dumps(textblob_baseline(args.textblob_child)))
        return
    sizes = args.rows or [100_000]
    if args.agents:  # its own module, options and table; the first --rows is its database's size
        import bench_agents

        bench_agents.main(["--agents", str(args.agents), "--rows", str(sizes[0]), *(["--json"] if args.json else []),
                           *(["--keep", str(args.keep)] if args.keep else [])])
        return

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    results = []
    for n in sizes:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            results.append(run(n, args.keep, log))
        else:
            with tempfile.TemporaryDirectory(prefix="feedback-bench-") as folder:
                results.append(run(n, Path(folder), log))
    if args.json:
        for result in results:
            print(json.dumps(result))
    else:
        print(table(results))
        print()
        print(interaction_table(results))


if __name__ == "__main__":
    main()
