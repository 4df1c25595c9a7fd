"""Web latency on a large store: feed and brief pages p95 measured server-side, then 50
concurrent clients on loopback for a fixed time, counting errors.

The store is the one bench/search_perf.py generates (varied copies of the sample corpus
and ../shared/datasets/corpus/wikinews.jsonl, with tags, places and vectors), plus a
stored brief for every article: each base article's brief is composed once and written
for each of its copies under the copy's id and title (composing 100,000 briefs is what
bench/throughput.py measures). The built store is cached under the temp dir and reused.

    .venv/bin/python bench/web_perf.py                    # 100,000 articles
    .venv/bin/python bench/web_perf.py --n 10000 --seconds 10
    .venv/bin/python bench/web_perf.py --rebuild --json

Server-side: the app's own time per request (its Server-Timing header: from entering the
app to the response starting). First each page alone, in-process (no socket), ~300 of
each (feed pages at random offsets and filters, briefs of random articles). Then load:
`newsdesk serve` in its own process on 127.0.0.1, 50 httpx clients alternating feed and
brief pages for --seconds. Exit status 1 when a p95 of the pages alone is over 100 ms
or any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_perf import base_articles, build, summary  # noqa: E402

from newsdesk.analyze.enrich import analyze  # noqa: E402
from newsdesk.analyze.places import default_gazetteer  # noqa: E402
from newsdesk.analyze.topics import cached_taxonomy  # noqa: E402
from newsdesk.brief.compose import compose_brief  # noqa: E402
from newsdesk.config import Settings  # noqa: E402
from newsdesk.store.sqlite import SQLiteStore  # noqa: E402
from newsdesk.web import create_app  # noqa: E402

TARGET_MS = 100.0
CACHE = Path(tempfile.gettempdir()) / "newsdesk-bench"


def add_briefs(path: Path) -> int:
    """A brief for every generated article: its base article's, under its own id/title.
    Rows were inserted in base order (k % bases), so rowid - 1 picks the base."""
    bases = base_articles()
    taxonomy, gazetteer = cached_taxonomy(()), default_gazetteer()
    now = datetime.now(UTC)
    store = SQLiteStore(path)
    store.conn.execute("PRAGMA synchronous=OFF")
    with store.transaction():
        store.conn.execute("DELETE FROM briefs")
        for i, (article, _, _) in enumerate(bases):
            brief = compose_brief(article, analyze(article, taxonomy, gazetteer), gazetteer,
                                  [], now=now)
            store.conn.execute(
                "INSERT INTO briefs (article_id, engine, created_at, data) "
                "SELECT id, 'extractive', ?, json_set(?, '$.article_id', id, '$.title', title) "
                "FROM articles WHERE (rowid - 1) % ? = ?",
                (now.isoformat(), brief.model_dump_json(), len(bases), i))
    count = int(store.conn.execute("SELECT count(*) FROM briefs").fetchone()[0])
    store.close()
    return count


def prepare_store(n: int, rebuild: bool, db: Path | None) -> tuple[Path, dict[str, object]]:
    path = db or CACHE / f"web-{n}.db"
    if path.exists() and not rebuild:
        return path, {"reused": str(path)}
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    t = time.perf_counter()
    built: dict[str, object] = dict(build(path, n))
    built["briefs"] = add_briefs(path)
    built["total_s"] = round(time.perf_counter() - t, 1)
    return path, built


def page_urls(client: TestClient, count: int, seed: int = 5) -> tuple[list[str], list[str]]:
    """Feed URLs (first pages, deep offsets, filters) and brief URLs of random articles."""
    rng = random.Random(seed)
    total = client.get("/api/v1/articles", params={"limit": 1}).json()["total"]
    tags = [t["label"] for t in client.get("/api/v1/tags").json()[:10]]
    feeds = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            feeds.append("/")
        elif kind == 1:
            feeds.append(f"/?offset={rng.randrange(0, 200) * 20}")
        elif kind == 2:
            feeds.append("/?" + urlencode({"tag": rng.choice(tags)}) if tags else "/")
        else:
            feeds.append(f"/?since={2021 + rng.randrange(4)}-0{1 + rng.randrange(9)}-01")
    store = SQLiteStore(client.app.state.desks.settings.db_path)  # type: ignore[attr-defined]
    ids = [r[0] for r in store.conn.execute(
        "SELECT article_id FROM briefs ORDER BY random() LIMIT ?", (count,))]
    store.close()
    assert total > 0 and ids
    return feeds, [f"/briefs/{i}" for i in ids]


def server_side(path: Path, count: int) -> dict[str, object]:
    with TestClient(create_app(Settings(db_path=path))) as client:
        feeds, briefs = page_urls(client, count)
        out: dict[str, object] = {}
        for name, urls in (("feed", feeds), ("brief", briefs)):
            client.get(urls[0])  # warm caches and pages
            times, errors = [], 0
            for url in urls:
                response = client.get(url)
                times.append(server_ms(response))
                errors += response.status_code != 200
            out[name] = {**summary(times), "requests": len(urls), "errors": errors}
    return {"server_side": out, "urls": (feeds, briefs)}


def server_ms(response: httpx.Response) -> float:
    """The app's own time for a request, from its Server-Timing header."""
    timing = response.headers.get("server-timing", "")
    return float(timing.split("dur=")[1]) if "dur=" in timing else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def load(base: str, urls: list[str], clients: int, seconds: float) -> dict[str, object]:
    """`clients` concurrent clients, each requesting the next URL as soon as the last
    answered, until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    times: list[float] = []
    in_app: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(http: httpx.AsyncClient, start: int) -> None:
        i = start
        while time.monotonic() < deadline:
            url = urls[i % len(urls)]
            i += clients
            t = time.perf_counter()
            try:
                response = await http.get(url)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {url}")
                in_app.append(server_ms(response))
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {url}: {exc}")
            times.append((time.perf_counter() - t) * 1000)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        started = time.monotonic()
        await asyncio.gather(*(client_loop(http, k) for k in range(clients)))
        elapsed = time.monotonic() - started
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(times),
            "per_s": round(len(times) / elapsed, 1), "errors": len(errors),
            "first_errors": errors[:5], **summary(times),
            "server_side": summary(in_app) if in_app else {}}


def under_load(path: Path, urls: list[str], clients: int, seconds: float) -> dict[str, object]:
    port = free_port()
    log = (CACHE / "serve.log").open("w")  # the server's own errors, if any
    env = {**os.environ, "NEWSDESK_DB": str(path), "NEWSDESK_API_TOKEN": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/v1/tags", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start: see {log.name}")
            time.sleep(0.2)
        return asyncio.run(load(base, urls, clients, seconds))
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="server-side, per page")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--db", type=Path, help="store to build or reuse")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    path, built = prepare_store(args.n, args.rebuild, args.db)
    measured = server_side(path, args.requests)
    feeds, briefs = measured.pop("urls")  # type: ignore[misc]
    mixed = [u for pair in zip(feeds, briefs, strict=False) for u in pair]
    loaded = under_load(path, mixed, args.clients, args.seconds)
    result = {"articles": args.n, "store": str(path), "build": built, **measured,
              "load": loaded, "target_p95_ms": TARGET_MS, "cpus": os.cpu_count(),
              "loadavg_1m": round(os.getloadavg()[0], 1)}
    pages = result["server_side"]
    ok = (all(pages[k]["p95_ms"] <= TARGET_MS and not pages[k]["errors"]  # type: ignore[index]
              for k in ("feed", "brief")) and loaded["errors"] == 0)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.n} articles at {path}; build {built}; {result['cpus']} CPUs, "
              f"load average {result['loadavg_1m']} (other work on the machine)")
        for key in ("feed", "brief"):
            s = pages[key]  # type: ignore[index]
            print(f"  {key:<6} server-side p50 {s['p50_ms']:>6} ms  p95 {s['p95_ms']:>6} ms  "
                  f"max {s['max_ms']:>6} ms  ({s['requests']} requests, {s['errors']} errors)")
        print(f"  load: {loaded['clients']} clients for {loaded['seconds']} s: "
              f"{loaded['requests']} requests ({loaded['per_s']}/s), errors {loaded['errors']}, "
              f"p50 {loaded['p50_ms']} ms, p95 {loaded['p95_ms']} ms client side; "
              f"server side p50 {loaded['server_side'].get('p50_ms')} ms, "  # type: ignore[attr-defined]
              f"p95 {loaded['server_side'].get('p95_ms')} ms")  # type: ignore[attr-defined]
        for line in loaded["first_errors"]:  # type: ignore[attr-defined]
            print(f"    error: {line}")
        print(f"  target: p95 <= {TARGET_MS:g} ms server-side and no errors: "
              f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
