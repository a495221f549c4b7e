"""N agents at once on one database: action latency, throughput, busy errors, and an audit.

    python benchmarks/bench_agents.py --agents 16 --rows 100000          # generate, then 30 s
    python benchmarks/bench_agents.py --agents 16 --db big.db --json     # an existing database
    python benchmarks/bench.py --agents 16 --rows 1000000                # the same, from bench.py

Each agent is its own process doing what an agent does in the app, through the
store's real functions and a :class:`StoreOpener` (a connection per action, as
the app's workers open one, beside one held open as the app's change watcher
holds it): open a review (its detail, marked read), page the inbox (keyset, the
next page or back to the first), search (FTS), tag, assign, archive, reply (an
:class:`outbox.ReplySession`), undo. Every action is timed
from opening the connection to closing it. An action that raises a
:class:`FeedbackError` is what the agent would see as a toast: "busy" ones are
counted apart.

The baseline, measured in the same run on the same file: one agent alone.

At the end, an audit against the database: every acknowledged action (its id
returned) is in ``actions`` under its agent, every acknowledged reply is stored
once with its unique text, no action that failed left a row, and the undos
acknowledged equal the actions marked undone. ``lost`` counts what is missing,
``duplicated`` what is there twice or was not acknowledged.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACTIONS = {  # weights: mostly reading, a write every other action or so
    "open": 24, "page": 20, "search": 8, "tag": 10, "assign": 10, "archive": 10, "reply": 12, "undo": 6,
}
SEARCH_WORDS = ("refund", "livraison", "crashes", "remboursement", "driver", "retard", "login", "commande")
TAG = "bench-followup"


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# -- one agent -------------------------------------------------------------------------------
def agent_loop(db: str, name: str, seconds: float, start: Any, seed: int, think_ms: float) -> dict[str, Any]:
    """Act as agent ``name`` for ``seconds`` once every agent is ready (``start``, a
    barrier); return timings and what was acknowledged."""
    from feedback_tui.errors import FeedbackError
    from feedback_tui.outbox import Outbox
    from feedback_tui.store import StoreOpener
    from feedback_tui.store import inbox, triage
    from feedback_tui.store.inbox import InboxQuery

    rng = random.Random(seed)
    opener = StoreOpener.for_path(db)
    outbox = Outbox(opener)
    query = InboxQuery(view="needs_reply", agent=name)
    kinds, weights = list(ACTIONS), list(ACTIONS.values())
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    acknowledged: dict[str, list[int]] = {"actions": [], "replies": []}
    undos = 0
    errors = {"busy": 0, "other": 0}
    messages: list[str] = []
    rows: list[Any] = []
    cursor: dict[str, Any] | None = None
    sequence = 0

    def target() -> int:
        return rng.choice(rows).id

    # The app keeps one connection open for its life (its data_version watcher), so a
    # connection closing after an action is never the last one, which would checkpoint
    # and delete the WAL on every close.
    watcher = opener.open()
    with opener.open() as store:  # the first page, as the app paints it on start
        rows = inbox.page(store, query)
    start.wait(timeout=300)
    deadline = time.time() + seconds
    while time.time() < deadline:
        kind = rng.choices(kinds, weights)[0]
        if not rows and kind not in ("page", "search"):
            kind = "page"
        started = time.perf_counter()
        try:
            if kind == "reply":  # the composer: the detail is loaded, then the reply is sent
                with opener.open() as store:
                    detail = triage.review_detail(store, target())
                if detail is not None:
                    sequence += 1
                    outcome = outbox.session(detail, name).send(
                        f"Thank you, we are looking into it. [{name}#{sequence}]", None, confirmed=True)
                    acknowledged["replies"].append(outcome.reply_id or 0)
            else:
                with opener.open() as store:
                    if kind == "open":
                        review_id = target()
                        triage.review_detail(store, review_id)
                        triage.mark_read(store, review_id)
                    elif kind == "page":
                        after = cursor if (cursor is not None and rng.random() < 0.8) else None
                        page = inbox.page(store, query, after=after)
                        if page:
                            rows, cursor = page, page[-1].sort_key
                        else:
                            cursor = None
                    elif kind == "search":
                        inbox.page(store, query.with_changes(view="all", search=rng.choice(SEARCH_WORDS)))
                    elif kind == "tag":
                        acknowledged["actions"].append(triage.add_tag(store, [target()], TAG, name))
                    elif kind == "assign":
                        acknowledged["actions"].append(triage.assign(store, [target()], name, name))
                    elif kind == "archive":
                        acknowledged["actions"].append(triage.set_status(store, [target()], "archived", name))
                    elif kind == "undo":
                        if triage.undo_last(store, name) is not None:
                            undos += 1
        except FeedbackError as error:
            text = str(error)
            errors["busy" if "busy" in text else "other"] += 1
            if len(messages) < 5:
                messages.append(f"{kind}: {text[:160]}")
            continue
        timings[kind].append((time.perf_counter() - started) * 1000)
        if think_ms:
            time.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)
    watcher.data_version()
    watcher.close()
    return {"agent": name, "timings": timings, "acknowledged": acknowledged, "undos": undos, "errors": errors,
            "messages": messages}


def _child(queue: Any, *args: Any) -> None:
    try:
        queue.put(agent_loop(*args))
    except BaseException as error:  # a crashed agent is a result too, not a hang
        queue.put({"crash": f"{type(error).__name__}: {error}"})


def run_agents(db: Path, agents: int, seconds: float, think_ms: float = 0.0, prefix: str = "agent") -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start = context.Barrier(agents + 1)  # every process imported and on its first page, then all at once
    run = f"{prefix}-{int(time.time()) % 100000:05d}-"  # a reused database keeps earlier runs' agents apart
    processes = [context.Process(target=_child, args=(queue, str(db), f"{run}{i:02d}", seconds, start, 1000 + i,
                                                      think_ms)) for i in range(agents)]
    for process in processes:
        process.start()
    start.wait(timeout=300)
    results = [queue.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    crashed = [r["crash"] for r in results if "crash" in r]
    if crashed:
        raise RuntimeError(f"{len(crashed)} agent(s) crashed: {crashed[0]}")
    return results


# -- the audit -----------------------------------------------------------------------------------
def audit(db: Path, results: list[dict[str, Any]]) -> dict[str, int]:
    """What the database holds against what each agent was told was done."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    lost = duplicated = 0
    for result in results:
        agent = result["agent"]
        stored = {row[0]: row[1] for row in conn.execute("SELECT id, undone_at FROM actions WHERE agent = ?", (agent,))}
        told = result["acknowledged"]["actions"]
        lost += sum(1 for action_id in told if action_id not in stored)
        told_replies = result["acknowledged"]["replies"]
        reply_rows = conn.execute("SELECT id, text FROM replies WHERE agent = ? AND origin = 'agent'", (agent,)).fetchall()
        by_id = {row[0]: row[1] for row in reply_rows}
        lost += sum(1 for reply_id in told_replies if reply_id not in by_id)
        texts = [text for _, text in reply_rows]
        duplicated += len(texts) - len(set(texts))  # each text is unique to one send
        duplicated += max(0, len(reply_rows) - len(told_replies))  # stored but never acknowledged
        reply_actions = conn.execute("SELECT count(*) FROM actions WHERE agent = ? AND kind = 'reply'", (agent,)).fetchone()[0]
        expected = len(told) + len(told_replies)
        actual = len(stored)
        duplicated += max(0, actual - expected)
        lost += max(0, len(told_replies) - reply_actions)
        undone = sum(1 for value in stored.values() if value is not None)
        lost += max(0, result["undos"] - undone)
        duplicated += max(0, undone - result["undos"])
    conn.close()
    return {"lost": lost, "duplicated": duplicated}


def summarise(results: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    every = [t for r in results for values in r["timings"].values() for t in values]
    per_kind = {}
    for kind in ACTIONS:
        values = [t for r in results for t in r["timings"][kind]]
        per_kind[kind] = {"n": len(values), "p50_ms": _percentile(values, 0.5), "p99_ms": _percentile(values, 0.99)}
    return {
        "actions": len(every),
        "actions_s": len(every) / seconds,
        "p50_ms": _percentile(every, 0.50),
        "p95_ms": _percentile(every, 0.95),
        "p99_ms": _percentile(every, 0.99),
        "max_ms": max(every) if every else None,
        "busy_errors": sum(r["errors"]["busy"] for r in results),
        "other_errors": sum(r["errors"]["other"] for r in results),
        "messages": sorted({m for r in results for m in r["messages"]})[:5],
        "per_kind": per_kind,
    }


def prepare(rows: int, folder: Path, log: Any) -> Path:
    """A database of ``rows`` reviews from bench.py's generator (kept in ``folder`` for later runs)."""
    from bench import generate

    from feedback_tui.importers import open_input
    from feedback_tui.store import Store, utc_now
    from feedback_tui.store.imports import import_rows

    db = folder / f"agents_{rows}.db"
    if db.exists():
        return db
    log(f"[agents] generating {rows:,} reviews…")
    reviews, surveys = generate(rows, folder)
    log("[agents] importing…")
    with Store.open(db) as store:
        parsed = open_input(reviews, imported_at=utc_now())
        import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, parse_ahead=True,
                    expected_rows=parsed.estimated_rows)
    reviews.unlink()
    surveys.unlink()
    return db


def bench(db: Path, agents: int, seconds: float, think_ms: float, baseline_seconds: float, log: Any) -> dict[str, Any]:
    log(f"[agents] baseline: 1 agent for {baseline_seconds:g} s…")
    alone = run_agents(db, 1, baseline_seconds, think_ms, prefix="alone")
    log(f"[agents] {agents} agents for {seconds:g} s…")
    together = run_agents(db, agents, seconds, think_ms)
    checked = audit(db, alone + together)
    base, many = summarise(alone, baseline_seconds), summarise(together, seconds)
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    key = f"agents{agents}"
    return {
        "n": rows, "agents": agents, "seconds": seconds, "think_ms": think_ms,
        f"{key}_p50_ms": many["p50_ms"], f"{key}_p95_ms": many["p95_ms"], f"{key}_p99_ms": many["p99_ms"],
        f"{key}_max_ms": many["max_ms"], f"{key}_actions_s": many["actions_s"], f"{key}_busy": many["busy_errors"],
        f"{key}_errors": many["other_errors"], f"{key}_lost": checked["lost"],
        f"{key}_duplicated": checked["duplicated"],
        "agents1_p50_ms": base["p50_ms"], "agents1_p99_ms": base["p99_ms"], "agents1_actions_s": base["actions_s"],
        "per_kind": many["per_kind"], "messages": many["messages"] + base["messages"],
    }


def table(figures: dict[str, Any]) -> str:
    key = f"agents{figures['agents']}"

    def ms(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    lines = [
        f"{figures['agents']} agents, {figures['seconds']:g} s, {figures['n']:,} reviews, think time {figures['think_ms']:g} ms",
        "| figure | target | N agents | 1 agent alone (baseline) |",
        "| --- | --- | --- | --- |",
        f"| action latency p50 / p95 / p99 (ms) | p99 < 100 | {ms(figures[f'{key}_p50_ms'])} / "
        f"{ms(figures[f'{key}_p95_ms'])} / {ms(figures[f'{key}_p99_ms'])} | {ms(figures['agents1_p50_ms'])} / – / "
        f"{ms(figures['agents1_p99_ms'])} |",
        f"| slowest action (ms) | | {ms(figures[f'{key}_max_ms'])} | |",
        f"| actions/s (all agents) | | {figures[f'{key}_actions_s']:.0f} | {figures['agents1_actions_s']:.0f} |",
        f"| busy errors shown to an agent | 0 | {figures[f'{key}_busy']} | |",
        f"| other errors | | {figures[f'{key}_errors']} | |",
        f"| lost / duplicated (audit) | 0 / 0 | {figures[f'{key}_lost']} / {figures[f'{key}_duplicated']} | |",
        "",
        "| action | n | p50 (ms) | p99 (ms) |",
        "| --- | --- | --- | --- |",
    ]
    for kind, values in figures["per_kind"].items():
        lines.append(f"| {kind} | {values['n']} | {ms(values['p50_ms'])} | {ms(values['p99_ms'])} |")
    if figures["messages"]:
        lines += ["", "Errors seen: " + "; ".join(figures["messages"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=16, help="agent processes (default 16)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long they act (default 30)")
    parser.add_argument("--rows", type=int, default=100_000, help="reviews to generate when no --db (default 100k)")
    parser.add_argument("--db", type=Path, help="an existing database (changed by the run: use a copy)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep the database for later runs")
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause between an agent's actions (default 0)")
    parser.add_argument("--baseline-seconds", type=float, default=10.0, help="how long the lone agent acts (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def go(db: Path) -> None:
        figures = bench(db, args.agents, args.seconds, args.think_ms, args.baseline_seconds, log)
        print(json.dumps(figures) if args.json else table(figures))

    if args.db:
        go(args.db)
    elif args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        go(prepare(args.rows, args.keep, log))
    else:
        with tempfile.TemporaryDirectory(prefix="feedback-agents-") as folder:
            go(prepare(args.rows, Path(folder), log))


if __name__ == "__main__":
    main()
