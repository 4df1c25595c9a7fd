"""Near-duplicate detection over a 100,000-article stream (issue 4: under 2 minutes).

The stream is built from the sample corpus and wikinews paragraphs: distinct articles
(a lead paragraph and six to twelve paragraphs drawn from the pool), with every tenth a
lightly edited rewrite of an earlier article (a word in 40 changed, a new headline) and
every twentieth an exact copy. The clock covers what ingest does for near-duplicates:
MinHash signatures (in --workers processes, as ingest computes them) and, in one writer,
the LSH lookup of each article against the store followed by storing the signature of
each original (SQLite and the store's in-memory band index, as ingest does).

    .venv/bin/python bench/neardup.py [--n 100000] [--workers 2] [--json]

Reported: seconds, articles/s, CPU seconds (this process and its workers), recall on
the planted rewrites and copies, links between generated articles with their exact
Jaccard, and false positives (links whose exact Jaccard is below 0.5).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from newsdesk.ingest.sources import expand, read_unit
from newsdesk.models import RawDocument
from newsdesk.relate.neardup import shingle_hashes, signature
from newsdesk.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
WIKINEWS = ROOT.parent / "shared" / "datasets" / "corpus" / "wikinews.jsonl"
TARGET_SECONDS = 120.0


def load() -> list[str]:
    texts: list[str] = []
    for unit in expand([str(p) for p in (CORPUS, WIKINEWS) if p.exists()]):
        texts.extend(i.text for i in read_unit(unit, 10 * 1024 * 1024)
                     if isinstance(i, RawDocument))
    return texts


def stream(n: int, seed: int = 7) -> list[tuple[str, int | None]]:
    """(text, index of the article it copies or rewrites, or None)."""
    base = load()
    pool = [p for t in base for p in t.split("\n\n")[1:] if len(p.split()) >= 12]
    rng = random.Random(seed)
    out: list[tuple[str, int | None]] = []
    for i in range(n):
        if i >= 100 and i % 20 == 0:
            j = rng.randrange(i)
            out.append((out[j][0], out[j][1] if out[j][1] is not None else j))
        elif i >= 100 and i % 10 == 0:
            j = rng.randrange(i)
            words = out[j][0].split(" ")
            edited = [w if k % 40 != 7 else w.upper() + "s" for k, w in enumerate(words)]
            out.append(("Update: " + " ".join(edited), out[j][1] if out[j][1] is not None else j))
        else:
            lead = base[i % len(base)].split("\n\n")[0]
            body = rng.sample(pool, rng.randint(6, 12))
            out.append((f"Report {i}. " + "\n\n".join([lead, *body]), None))
    return out


def run(n: int, workers: int) -> dict:
    items = stream(n)
    texts = [t for t, _ in items]
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "nd.db")
        now = datetime.now(UTC).isoformat()
        t0, c0 = time.perf_counter(), _cpu()
        with ProcessPoolExecutor(workers) as pool:
            sigs = list(pool.map(signature, texts, chunksize=256))
        t1 = time.perf_counter()
        found: dict[int, str | None] = {}
        ids = [f"a{i:06d}" for i in range(n)]
        hashes: dict[int, str] = {}
        for start in range(0, n, 1000):
            with store.transaction():
                for i in range(start, min(n, start + 1000)):
                    h = f"{zlib.crc32(texts[i].encode()):08x}"
                    exact = hashes.get(zlib.crc32(texts[i].encode()))
                    near = None if exact else store.near_duplicate(sigs[i])
                    original = exact or (near[0] if near else None)
                    found[i] = original
                    store.conn.execute(
                        "INSERT INTO articles (id, title, ingested_at, content_hash, "
                        "duplicate_of, text, sentences, meta) VALUES (?, ?, ?, ?, ?, '', '[]', "
                        "'{}')", (ids[i], ids[i], now, h, original))
                    if original is None:
                        hashes[zlib.crc32(texts[i].encode())] = ids[i]
                        store.conn.execute("INSERT INTO article_minhash (article_id, "
                                           "signature) VALUES (?, ?)", (ids[i], sigs[i]))
        t2, c2 = time.perf_counter(), _cpu()
        store.close()
    planted = [(i, j) for i, (_, j) in enumerate(items) if j is not None]
    hit = sum(1 for i, j in planted if found[i] == ids[j])
    # Generated articles are distinct by construction, but drawing paragraphs from one
    # pool makes a few pairs share half their text. A link is a false positive when the
    # pair's exact shingle Jaccard is below 0.5 (MinHash estimates it within ~0.04).
    index_of = {a: k for k, a in enumerate(ids)}
    linked = [(i, index_of[found[i]]) for i, (_, j) in enumerate(items)
              if j is None and found[i] is not None]
    exact = [_jaccard(texts[i], texts[k]) for i, k in linked]
    false = sum(1 for x in exact if x < 0.5)
    total = t2 - t0
    return {
        "articles": n, "workers": workers, "seconds": round(total, 1),
        "signature_seconds": round(t1 - t0, 1), "lookup_store_seconds": round(t2 - t1, 1),
        "articles_per_second": round(n / total, 1),
        "cpu_seconds": round(c2 - c0, 1),
        "planted": len(planted), "recall": round(hit / len(planted), 4) if planted else None,
        "links_between_generated": len(linked), "false_positives": false,
        "linked_exact_jaccard_min": round(min(exact), 3) if exact else None,
        "target_seconds": TARGET_SECONDS,
    }


def _cpu() -> float:
    """CPU seconds of this process and its finished workers (a figure that other load on
    a shared machine inflates less than the wall clock)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _jaccard(a: str, b: str) -> float:
    sa, sb = set(shingle_hashes(a).tolist()), set(shingle_hashes(b).tolist())
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.n, args.workers)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['articles']} articles in {result['seconds']} s "
              f"({result['articles_per_second']}/s; signatures {result['signature_seconds']} s, "
              f"lookup+store {result['lookup_store_seconds']} s; CPU {result['cpu_seconds']} s); "
              f"planted copies and rewrites "
              f"{result['planted']}, recall {result['recall']}; links between generated "
              f"articles {result['links_between_generated']} (exact Jaccard >= "
              f"{result['linked_exact_jaccard_min']}), false positives (< 0.5) "
              f"{result['false_positives']}")
    return 0 if result["seconds"] <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
