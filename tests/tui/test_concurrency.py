"""Several agents on one database: nothing lost, never "database is locked".

Four processes (agents) tag, assign, note and reply on the same reviews as
fast as they can; each records what it did; at the end every action of every
agent is in the database, the last assignment of each review won, and no agent
ever saw an error. The default run lasts 5 seconds; ``pytest -m slow
tests/tui/test_concurrency.py`` runs the 30-second version.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from feedback_tui.cli import cli
from feedback_tui.store import Store
from feedback_tui.store import replies as reply_store

ROOT = Path(__file__).resolve().parents[2]
AGENTS = 4

AGENT = r"""
import json, random, sys, time
from feedback_tui.errors import FeedbackError
from feedback_tui.store import Store, triage
from feedback_tui.store import replies as reply_store

db, agent, seconds, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
done, errors = [], []
store = Store.open(db, migrate=False)
ids = [row[0] for row in store.query("SELECT id FROM reviews ORDER BY id LIMIT 40")]  # few reviews: many collisions
deadline = time.monotonic() + seconds
n = 0
while time.monotonic() < deadline:
    n += 1
    review = rng.choice(ids)
    kind = rng.choice(["tag", "assign", "reply", "note", "read"])
    try:
        if kind == "tag":
            action = triage.add_tag(store, [review], f"{agent}-{n % 5}", agent)
        elif kind == "assign":
            action = triage.assign(store, [review], agent, agent)
        elif kind == "reply":
            action = reply_store.add_reply(store, review, f"reply {n} from {agent}", agent)
        elif kind == "note":
            action = triage.add_note(store, review, f"note {n} from {agent}", agent)
        else:
            action = triage.toggle_read(store, [review], agent)[0]
        done.append({"kind": kind, "review": review, "id": action, "n": n})
    except FeedbackError as error:
        errors.append(f"{kind}: {error}")
    except Exception as error:  # anything else is a bug: report it
        errors.append(f"{kind}: {type(error).__name__}: {error}")
print(json.dumps({"agent": agent, "done": done, "errors": errors}))
"""


def _run_agents(db: Path, seconds: float) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FEEDBACK_TUI_BUSY_TIMEOUT_MS", None)  # the real default, as users have it
    processes = [subprocess.Popen([sys.executable, "-c", AGENT, str(db), f"agent{i}", str(seconds), str(i)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for i in range(AGENTS)]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=seconds + 60)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out))
    return outcomes


def _check(db: Path, outcomes: list[dict]) -> int:
    for outcome in outcomes:
        assert outcome["errors"] == [], outcome["errors"][:5]
        assert len(outcome["done"]) > 20, "an agent got almost nothing done"
    total = 0
    with Store.open(db) as store:
        for outcome in outcomes:
            agent = outcome["agent"]
            for action in outcome["done"]:
                total += 1
                kind, review, n = action["kind"], action["review"], action["n"]
                if kind == "reply":
                    row = store.query("SELECT review_id, text, agent FROM replies WHERE id = ?", (action["id"],))
                    assert [tuple(r) for r in row] == [(review, f"reply {n} from {agent}", agent)], action
                elif kind == "note":
                    assert store.scalar("SELECT count(*) FROM notes WHERE review_id = ? AND text = ? AND agent = ?",
                                        (review, f"note {n} from {agent}", agent)) == 1, action
                else:
                    row = store.query("SELECT agent, kind, review_ids FROM actions WHERE id = ?", (action["id"],))
                    assert len(row) == 1 and row[0]["agent"] == agent, action
                    assert json.loads(row[0]["review_ids"]) == [review]
                    if kind == "tag":
                        assert store.scalar(
                            "SELECT count(*) FROM review_tags rt JOIN tags t ON t.id = rt.tag_id "
                            "WHERE rt.review_id = ? AND t.name = ?", (review, f"{agent}-{n % 5}")) == 1, action
        # no lost update: each review's assignee is the agent of its last assignment
        last = store.query(
            """SELECT json_extract(a.review_ids, '$[0]') AS review, a.detail FROM actions a
               WHERE a.kind = 'assign' AND a.id = (SELECT max(b.id) FROM actions b WHERE b.kind = 'assign'
                                                   AND b.review_ids = a.review_ids)""")
        for row in last:
            assert store.scalar("SELECT assignee FROM reviews WHERE id = ?", (row["review"],)) == row["detail"]
        replies_done = sum(1 for o in outcomes for a in o["done"] if a["kind"] == "reply")
        assert store.scalar("SELECT count(*) FROM replies WHERE origin = 'agent'") == replies_done
        assert store.scalar("PRAGMA integrity_check") == "ok"
    return total


@pytest.fixture
def shared_db(demo_template: Path, tmp_path: Path) -> Path:
    import shutil

    path = tmp_path / "shared.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture(autouse=True)
def _slow_only_when_asked(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("slow") and "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow: run with pytest -m slow")


def test_four_agents_for_five_seconds_lose_nothing(shared_db: Path) -> None:
    outcomes = _run_agents(shared_db, 5)
    total = _check(shared_db, outcomes)
    print(f"4 agents, 5 s: {total} actions, all present")


@pytest.mark.slow
def test_four_agents_for_thirty_seconds_lose_nothing(shared_db: Path) -> None:
    outcomes = _run_agents(shared_db, 30)
    total = _check(shared_db, outcomes)
    print(f"4 agents, 30 s: {total} actions, all present")


def test_an_import_while_agents_work_disturbs_no_one(shared_db: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-c", AGENT, str(shared_db), f"agent{i}", "4", str(i)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for i in range(2)]
    for name in ("reviews.csv", "reviews.json", "google_play_export.csv"):
        result = CliRunner().invoke(cli, ["--db", str(shared_db), "import", "--no-sentiment", str(FIXTURES / name)])
        assert result.exit_code in (0, 1), result.output + result.stderr
        assert "locked" not in result.stderr
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out))
    _check(shared_db, outcomes)


# -- two agents answering the same review -------------------------------------------------------
SECOND_AGENT = """
import sys
from feedback_tui.store import Store
from feedback_tui.store import replies
with Store.open(sys.argv[1], migrate=False) as store:
    print(replies.add_reply(store, int(sys.argv[2]), "Bob's answer, sent first", "bob"))
"""


async def test_two_agents_replying_to_one_review_are_warned_and_both_replies_kept(demo_db: Path) -> None:
    from feedback_tui.store.inbox import InboxQuery
    from feedback_tui.config import Config
    from feedback_tui.tui.app import FeedbackApp
    from tui_helpers import SIZE, screen_text, settle

    with Store.open(demo_db) as store:
        review_id = store.scalar("SELECT id FROM reviews WHERE has_reply = 0 ORDER BY id LIMIT 1")
    app = FeedbackApp(db_path=demo_db, agent="alice", watch=False, config=Config(send_grace_seconds=0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.open_with(InboxQuery(view="all", ids=(review_id,)))
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        while type(app.screen).__name__ != "ComposerScreen":  # a template may ask a question first
            await pilot.press("escape")
            await settle(app, pilot)
        await pilot.press(*" Alice here.")
        await settle(app, pilot)
        # meanwhile, another agent in another process answers the same review
        bob = subprocess.run([sys.executable, "-c", SECOND_AGENT, str(demo_db), str(review_id)], capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
        assert int(bob.stdout)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        text = screen_text(app)
        assert "bob replied" in text and "Bob's answer, sent first" in text, text
        assert type(app.screen).__name__ == "ComposerScreen"  # not sent yet: the agent decides
        with Store.open(demo_db) as store:
            assert [r["agent"] for r in reply_store.replies_of(store, review_id)] == ["bob"]
        await pilot.press("ctrl+s")  # send anyway: both are kept
        await settle(app, pilot)
    with Store.open(demo_db) as store:
        replies = reply_store.replies_of(store, review_id)
    assert sorted(r["agent"] for r in replies) == ["alice", "bob"]
    assert any("Alice here." in r["text"] for r in replies)
