"""Nothing lost: `newsdesk watch --once` in a real subprocess, killed with SIGKILL at
several points of a batch, then run to completion: every item becomes exactly one
article with one brief, and none is stored twice."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live.feedkit import corpus_docs, page_html, rss
from tests.live.server import Reply, serve

ROOT = Path(__file__).resolve().parents[2]
N = 40


def cli(db: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSDESK_EMBEDDER": "hashing"}
    env.pop("NEWSDESK_LIVE_CONFIG", None)
    # A session of its own: SIGKILL goes to the whole group (as a power cut would), so no
    # worker process of the killed desk lives on.
    return subprocess.Popen([sys.executable, "-m", "newsdesk", "--db", str(db), *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def kill_when(proc: subprocess.Popen[bytes], db: Path, sql: str, at_least: int,
              timeout: float = 120) -> int:
    """SIGKILL the process as soon as `sql` counts `at_least`; returns the count seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = count(db, sql)
        if seen >= at_least or proc.poll() is not None:
            break
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return seen


def syndicated_copies(docs: list, db: Path) -> int:
    """How many of the documents an uninterrupted ingest links to an earlier original
    (the sample corpus holds a syndicated copy on purpose)."""
    from newsdesk.config import Settings
    from newsdesk.desk import Desk
    from newsdesk.ingest.sources import Unit

    units = [Unit("data", f"ref{n}", json.dumps({"title": d.title, "text": d.text,
                                                  "url": f"http://ref.test/{n}"}).encode(),
                  fmt="json") for n, d in enumerate(docs)]
    with Desk.open(Settings(db_path=db)) as desk:
        return desk.ingest(units).count("duplicate")


@pytest.mark.slow
def test_kill_9_mid_batch_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    docs = corpus_docs(N)
    db = tmp_path / "desk.db"
    with serve() as srv:
        srv.routes["/feed"] = Reply(body=rss(docs, srv.base, full=False))
        for n, d in enumerate(docs):  # slow pages spread the batch over seconds
            srv.routes[f"/a/{n}"] = Reply(body=page_html(d).encode(), delay=0.03,
                                          headers={"Content-Type": "text/html; charset=utf-8"})
        add = cli(db, "sources", "add", "wire", srv.url("/feed"), "--local", "--rate", "0")
        assert add.wait(60) == 0, add.stderr.read() if add.stderr else ""

        # 1: killed once the items are recorded, before any article is stored
        kill_when(cli(db, "watch", "--once", "--workers", "1"), db, "SELECT count(*) FROM fetched_items", 1)
        assert count(db, "SELECT count(*) FROM fetched_items WHERE state = 'done'") == 0
        # 2: killed mid-ingest, with some articles committed and none marked done
        for target in (12,):
            seen = kill_when(cli(db, "watch", "--once", "--workers", "1"), db,
                             "SELECT count(*) FROM articles", target)
            assert seen < N, "the pass finished before it could be killed"
        # 3: killed while the briefs are written
        kill_when(cli(db, "watch", "--once", "--workers", "1"), db, "SELECT count(*) FROM briefs", 3)

        final = cli(db, "watch", "--once", "--json")
        out, errs = final.communicate(timeout=300)
        assert final.returncode == 0, errs.decode()

    copies = syndicated_copies(docs, tmp_path / "reference.db")
    assert count(db, "SELECT count(*) FROM articles") == N
    assert count(db, "SELECT count(DISTINCT url) FROM articles") == N
    assert count(db, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL") == copies
    assert count(db, "SELECT count(*) FROM briefs") == N - copies
    assert count(db, "SELECT count(*) FROM story_members") == N - copies
    assert count(db, "SELECT count(*) FROM fetched_items") == N
    assert count(db, "SELECT count(*) FROM fetched_items WHERE state = 'done'") == N
    assert count(db, "SELECT count(*) FROM quarantine") == 0
    # and a further pass finds nothing new to do
    again = cli(db, "watch", "--once", "--json")
    out, _ = again.communicate(timeout=120)
    assert b'"processed": 0' in out


def test_watch_loop_polls_logs_json_and_stops_on_sigterm(tmp_path: Path) -> None:
    docs = corpus_docs(3)
    db = tmp_path / "loop.db"
    with serve() as srv:
        srv.routes["/feed"] = Reply(body=rss(docs, srv.base))
        add = cli(db, "sources", "add", "wire", srv.url("/feed"), "--local", "--rate", "0",
                  "--interval", "5")
        assert add.wait(60) == 0
        proc = cli(db, "watch", "--workers", "1")
        kill_when_done = time.monotonic() + 120
        while count(db, "SELECT count(*) FROM briefs") < 3 and time.monotonic() < kill_when_done:
            time.sleep(0.1)
        time.sleep(6)  # long enough for a second poll of the 5-second source
        proc.send_signal(signal.SIGTERM)
        _, errs = proc.communicate(timeout=60)
    assert proc.returncode == 0, errs.decode()
    lines = [json.loads(line) for line in errs.decode().splitlines() if line.startswith("{")]
    polls = [r for r in lines if r["message"] == "polled" and r["source"] == "wire"]
    assert len(polls) >= 2 and polls[0]["new"] == 3 and polls[-1]["new"] == 0
    assert all({"time", "level", "logger"} <= set(r) for r in lines)
    assert count(db, "SELECT count(*) FROM articles") == 3
