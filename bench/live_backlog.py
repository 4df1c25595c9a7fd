"""Live desk backlog: a 1,000-item feed served on 127.0.0.1, taken end to end by
`newsdesk watch --once` (fetch, parse, journal, ingest, analyse, stories, briefs, alerts).

The baseline, measured in the same run on the same articles: `newsdesk ingest --briefs`
of one JSONL file holding them (the batch path, no fetching, no journal). Both run as the
CLI in a subprocess, start-up included, each on a fresh database.

    .venv/bin/python bench/live_backlog.py            # 1,000 items, prints a summary
    .venv/bin/python bench/live_backlog.py --n 300 --json

Exits non-zero when an item is lost (articles + copies + quarantined != items) or the
watch path runs at less than TARGET times the baseline's rate (the journal, the feed
fetch and parse, alerts: what the live path adds must stay a fraction of the work).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import CORPUS, WIKINEWS, load, vary  # noqa: E402

from newsdesk.models import RawDocument  # noqa: E402
from newsdesk.pipeline import default_workers  # noqa: E402

TARGET = 0.5  # watch --once items/s over ingest --briefs items/s, same run


def backlog(n: int) -> list[RawDocument]:
    base = load([CORPUS]) + load([WIKINEWS])
    pool = [p for d in base for p in d.text.split("\n\n")[1:] if len(p.split()) >= 12]
    return [vary(base[i % len(base)], i // len(base) + 1, pool) for i in range(n)]


def rss(docs: list[RawDocument]) -> bytes:
    items = []
    for n, d in enumerate(docs):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in d.text.split("\n\n") if p.strip())
        when = format_datetime(d.published_at) if d.published_at else ""
        items.append(f"<item><title>{html.escape(d.title or '')}</title><link>{d.url}</link>"
                     f"<guid>bench-{n}</guid><pubDate>{when}</pubDate>"
                     f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0' xmlns:content="
            "'http://purl.org/rss/1.0/modules/content/'><channel><title>Bench Wire</title>"
            + "".join(items) + "</channel></rss>").encode("utf-8")


def serve(body: bytes) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            data = body if self.path == "/feed.xml" else b""
            self.send_response(200 if data else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"


def cli(db: Path, *args: str) -> tuple[float, str]:
    env = {**os.environ, "NEWSDESK_EMBEDDER": "hashing"}
    env.pop("NEWSDESK_LIVE_CONFIG", None)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "newsdesk", "--db", str(db), *args],
                          capture_output=True, env=env, timeout=3600)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"newsdesk {' '.join(args)} failed:\n{proc.stderr.decode()}")
    return seconds, proc.stdout.decode()


def run(n: int, workdir: Path, workers: int) -> dict:
    docs = backlog(n)
    feed = rss(docs)
    httpd, url = serve(feed)
    try:
        db = workdir / "live.db"
        (workdir / "live.live.toml").write_text(
            f'[[sources]]\nname = "bench"\nkind = "feed"\nurl = "{url}"\nlocal = true\n'
            f"rate = 0.0\nmax_items = {n}\n\n"
            '[[alerts]]\nname = "fall"\nkind = "figure"\nsubject = "exports to Russia"\n'
            "below = 0.0\n")
        watch_s, out = cli(db, "watch", "--once", "--json", "--workers", str(workers))
        report = json.loads(out[out.index("{"):])
    finally:
        httpd.shutdown()
    jsonl = workdir / "backlog.jsonl"
    jsonl.write_text("\n".join(json.dumps({
        "title": d.title, "text": d.text, "url": d.url,
        "published_at": d.published_at.isoformat() if d.published_at else None})
        for d in docs) + "\n")
    ingest_s, _ = cli(workdir / "batch.db", "ingest", str(jsonl), "--briefs", "--quiet",
                      "--workers", str(workers))
    accounted = report["accepted"] + report["duplicates"] + report["quarantined"]
    return {
        "items": n, "feed_bytes": len(feed), "workers": workers,
        "watch_once_seconds": round(watch_s, 2),
        "watch_items_per_second": round(n / watch_s, 1),
        "baseline_ingest_briefs_seconds": round(ingest_s, 2),
        "baseline_items_per_second": round(n / ingest_s, 1),
        "ratio_to_baseline": round(ingest_s / watch_s, 2),
        "report": report, "lost": n - accounted, "target_ratio": TARGET,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="items in the feed backlog")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.n, Path(tmp), args.workers)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        r = result["report"]
        print(f"{result['items']} feed items ({result['feed_bytes'] / 1e6:.1f} MB of RSS), "
              f"{result['workers']} worker(s)")
        print(f"  watch --once        {result['watch_once_seconds']:>7} s  "
              f"{result['watch_items_per_second']:>6} items/s "
              f"({result['ratio_to_baseline']:g} x baseline, target >= {TARGET:g})")
        print(f"  ingest --briefs     {result['baseline_ingest_briefs_seconds']:>7} s  "
              f"{result['baseline_items_per_second']:>6} items/s (baseline, same articles)")
        print(f"  outcomes            accepted {r['accepted']}, copies {r['duplicates']}, "
              f"quarantined {r['quarantined']}, briefs {r['briefs']}, alerts {r['alerts']}, "
              f"lost {result['lost']}")
    ok = result["lost"] == 0 and result["ratio_to_baseline"] >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
