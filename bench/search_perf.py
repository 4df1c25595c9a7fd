"""Search latency on a 100,000-article store: hybrid search (BM25 + vectors, RRF) and
"similar articles", p50/p95 over ~200 queries each.

The store is generated, not ingested (ingesting 100,000 articles is what
bench/throughput.py measures): the sample corpus and ../shared/datasets/corpus/
wikinews.jsonl are prepared and analysed once, then each of the 100,000 rows is a varied
copy of one of them (its lead, then sentences drawn from the whole pool, numbers nudged,
a dispatch line, its own id, URL and date over five years) inserted directly, with the
base article's tags and places so the filters have something to filter. Vectors are
from the hashing embedder (what `newsdesk embed` stores without torch; MiniLM would take
about an hour of CPU for 100,000 articles and does not change the search cost: the
matrix has the same shape).

    .venv/bin/python bench/search_perf.py                  # build in a temp dir, measure
    .venv/bin/python bench/search_perf.py --db /tmp/100k.db --keep   # reuse a built store
    .venv/bin/python bench/search_perf.py --json

Filtered search is timed twice: the same filter (Russia since 2023) for every query, and
a different tag or place and date range for each query (`varied_filters`).

Exit status 1 when a p95 misses its target (50 ms).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.topics import cached_taxonomy
from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.errors import InputError
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.sources import expand, read_unit
from newsdesk.models import Article, SearchFilters
from newsdesk.relate.embed import HashingEmbedder, content_key, embedding_text
from newsdesk.store.facets import facet_text
from newsdesk.store.rows import utc_text
from newsdesk.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
WIKINEWS = ROOT.parent / "shared" / "datasets" / "corpus" / "wikinews.jsonl"
TARGET_MS = 50.0
KINDS = ("hybrid", "bm25_only", "hybrid_filtered", "hybrid_varied_filters", "similar")
_NUMBER = re.compile(r"\b(\d{2,3})(?=\s?(?:%|per cent|billion|million))")
EPOCH = datetime(2021, 1, 1, tzinfo=UTC)


def base_articles() -> list[tuple[Article, list[tuple[str, str, str, float]], list[str]]]:
    """(article, its tags as (tag, label, group, score), its places) for every base."""
    taxonomy, gazetteer = cached_taxonomy(()), default_gazetteer()
    out = []
    for unit in expand([str(p) for p in (CORPUS, WIKINEWS) if p.exists()]):
        for item in read_unit(unit, 10 * 1024 * 1024):
            if isinstance(item, InputError):
                continue
            try:
                article = prepare(item)
            except InputError:
                continue
            e = analyze(article, taxonomy, gazetteer)
            tags = [(t.tag, t.label, t.group or "", t.score) for t in e.topics]
            places = [p.canonical or p.name for p in e.entities if p.type in ("country", "bloc")]
            out.append((article, tags, places))
    return out


def build(path: Path, n: int, seed: int = 7) -> dict[str, float]:
    """Write n varied articles, their tag/place rows and hashing vectors into a store."""
    t0 = time.perf_counter()
    bases = base_articles()
    pool = [s for a, _, _ in bases for s in a.sentences[1:] if len(s.split()) >= 8]
    rng = random.Random(seed)
    embedder = HashingEmbedder()
    store = SQLiteStore(path)
    store.conn.execute("PRAGMA synchronous=OFF")
    now = datetime.now(UTC).isoformat()
    t_prepare = time.perf_counter() - t0
    batch: list[tuple] = []
    tag_rows: list[tuple] = []
    place_rows: list[tuple] = []
    texts: list[tuple[str, str]] = []

    def flush() -> None:
        vectors = embedder.embed([t for _, t in texts])
        with store.transaction():
            store.conn.executemany(
                "INSERT INTO articles (id, url, title, source, published_at, published_utc, "
                "content_hash, duplicate_of, text, sentences, meta, ingested_at, facets) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)", batch)
            store.conn.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag, label, grp, score, "
                "published_utc) VALUES (?, ?, ?, ?, ?, ?)", tag_rows)
            store.conn.executemany(
                "INSERT OR IGNORE INTO article_places (article_id, place, mentions, "
                "published_utc) VALUES (?, ?, 1, ?)", place_rows)
            store.put_embeddings(embedder.name, [
                (i, content_key(embedder.name, t), v.astype(np.float32).tobytes(), embedder.dim)
                for (i, t), v in zip(texts, vectors, strict=True)])
        for rows in (batch, tag_rows, place_rows, texts):
            rows.clear()

    for k in range(n):
        article, tags, places = bases[k % len(bases)]
        body = rng.sample(pool, rng.randint(6, 14))
        nudge = k % 7
        sentences = [f"Dispatch {k}.", article.sentences[0] if article.sentences else "",
                     *(_NUMBER.sub(lambda m, d=nudge: str(int(m.group(1)) + d), s)
                       for s in body)]
        text = " ".join(s for s in sentences if s)
        article_id = hashlib.sha256(f"bench:{k}".encode()).hexdigest()[:16]
        published = EPOCH + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
        title = article.title if k < len(bases) else f"{article.title} ({k % 97})"
        meta = article.model_dump(mode="json", exclude={"text", "sentences"})
        meta.update(id=article_id, title=title, url=f"https://bench.test/{k}",
                    published_at=published.isoformat(), duplicate_of=None,
                    content_hash=hashlib.sha256(text.encode()).hexdigest())
        utc = utc_text(published)
        batch.append((article_id, meta["url"], title, article.source, published.isoformat(),
                      utc, meta["content_hash"], text, json.dumps(sentences),
                      json.dumps(meta), now,
                      facet_text(((t, label) for t, label, _, _ in tags), places, utc)))
        tag_rows.extend((article_id, t, label, g, s, utc) for t, label, g, s in tags)
        place_rows.extend((article_id, p, utc) for p in places)
        texts.append((article_id, embedding_text(title, text)))
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    store.conn.execute("PRAGMA optimize")
    store.close()
    return {"bases": len(bases), "prepare_s": round(t_prepare, 1),
            "build_s": round(time.perf_counter() - t0, 1)}


def queries(desk: Desk, count: int, seed: int = 11) -> tuple[list[str], list[str]]:
    """Search strings (title words, phrases of two to four words) and article ids."""
    rng = random.Random(seed)
    rows = desk.store.conn.execute(  # type: ignore[attr-defined]
        "SELECT id, title, text FROM articles ORDER BY random() LIMIT ?", (count,)).fetchall()
    texts = []
    for i, (_, title, text) in enumerate(rows):
        words = re.findall(r"[A-Za-z]{4,}", title if i % 2 else text)
        start = rng.randrange(max(1, len(words) - 3))
        texts.append(" ".join(words[start:start + rng.randint(2, 4)]) or "trade")
    return texts, [r[0] for r in rows]


def varied_filters(desk: Desk, count: int, seed: int = 13) -> list[SearchFilters]:
    """A different filter per query: one of the 12 most frequent places or tags, a
    start date in one of the five years, and for every third an end date: consecutive
    queries rarely share a filter, as they do in `hybrid_filtered`."""
    conn = desk.store.conn  # type: ignore[attr-defined]
    places = [r[0] for r in conn.execute(
        "SELECT place FROM article_places GROUP BY place ORDER BY count(*) DESC LIMIT 12")]
    tags = [r[0] for r in conn.execute(
        "SELECT label FROM article_tags GROUP BY label ORDER BY count(*) DESC LIMIT 12")]
    rng = random.Random(seed)
    out = []
    for i in range(count):
        since = EPOCH + timedelta(days=rng.randrange(5 * 365))
        until = since + timedelta(days=rng.randrange(180, 900)) if i % 3 == 0 else None
        if i % 2:
            out.append(SearchFilters(entity=rng.choice(places), since=since, until=until))
        else:
            out.append(SearchFilters(tag=rng.choice(tags), since=since, until=until))
    return out


def timed(fn, items) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "max_ms": round(ms[-1], 1)}


def measure(path: Path, count: int) -> dict[str, object]:
    with Desk.open(Settings(db_path=path), read_only=True, embedder=HashingEmbedder()) as desk:
        t = time.perf_counter()
        index = desk.vectors()
        load_s = time.perf_counter() - t
        assert index is not None
        texts, ids = queries(desk, count)
        desk.search(texts[0])  # warm the FTS pages
        hybrid = timed(lambda q: desk.search(q, limit=10), texts)
        bm25 = timed(lambda q: desk.search(q, limit=10, mode="bm25"), texts)
        russia = SearchFilters(entity="Russia", since=datetime(2023, 1, 1, tzinfo=UTC))
        filtered = timed(lambda q: desk.search(q, russia, limit=10), texts)
        varied = timed(lambda qf: desk.search(qf[0], qf[1], limit=10),
                       list(zip(texts, varied_filters(desk, len(texts)), strict=True)))
        similar = timed(lambda i: desk.similar(i, limit=10), ids)
        articles = desk.stats()["articles"]
    return {"articles": articles, "vectors": len(index), "matrix_load_s": round(load_s, 2),
            "queries": len(texts), "hybrid": summary(hybrid), "bm25_only": summary(bm25),
            "hybrid_filtered": summary(filtered), "hybrid_varied_filters": summary(varied),
            "similar": summary(similar),
            "target_p95_ms": TARGET_MS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", type=Path, help="store to build (or reuse with --keep)")
    parser.add_argument("--keep", action="store_true", help="reuse --db if it exists")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "search.db"
        built: dict[str, float] = {}
        if not (args.keep and path.exists()):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            built = build(path, args.n)
        result = {**measure(path, args.queries), "build": built}
    ok = all(result[k]["p95_ms"] <= TARGET_MS for k in KINDS)  # type: ignore[index]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['articles']} articles, {result['vectors']} vectors "
              f"(matrix loaded in {result['matrix_load_s']} s); build {built or 'reused'}")
        for key in KINDS:
            s = result[key]
            print(f"  {key:<21} p50 {s['p50_ms']:>6} ms  p95 {s['p95_ms']:>6} ms  "  # type: ignore[index]
                  f"max {s['max_ms']:>6} ms")  # type: ignore[index]
        print(f"  target: p95 <= {TARGET_MS:g} ms for every kind of search: "
              f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
