"""Throughput of the offline path: ingest (prepare, dedupe, analyse, store) + brief.

The bundled sample corpus is replicated to at least --n articles. Every copy is varied
(paragraph order rotated, figures nudged, a dateline added, its own URL and date) so that
no copy is an exact duplicate: the benchmark measures real work, not the dedupe shortcut.
When ../shared/datasets/corpus/wikinews.jsonl exists, its articles are mixed in as well
(replicated the same way) so the figure is not only about one topic.

    .venv/bin/python bench/throughput.py            # 10,000+ articles, prints a summary
    .venv/bin/python bench/throughput.py --json     # machine-readable

Parsing of files happens once, before the clock starts: the figure is articles per second
through prepare -> analyse -> store -> brief, all in one process on one core.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.errors import InputError
from newsdesk.ingest.sources import expand, read_unit
from newsdesk.models import RawDocument

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
WIKINEWS = ROOT.parent / "shared" / "datasets" / "corpus" / "wikinews.jsonl"
_NUMBER = re.compile(r"\b(\d{2,3})(?=\s?(?:%|per cent|billion|million))")
TARGET = 200.0


def load(paths: list[Path]) -> list[RawDocument]:
    docs: list[RawDocument] = []
    for unit in expand([str(p) for p in paths if p.exists()]):
        for item in read_unit(unit, 10 * 1024 * 1024):
            if not isinstance(item, InputError):
                docs.append(item)
    return docs


def vary(doc: RawDocument, k: int) -> RawDocument:
    """Copy k of a document: same kind of prose, different text, id and date."""
    paragraphs = [p for p in doc.text.split("\n\n") if p.strip()]
    if len(paragraphs) > 2:
        r = 1 + k % (len(paragraphs) - 1)
        paragraphs = [paragraphs[0], *paragraphs[r:], *paragraphs[1:r]]
    text = "\n\n".join(paragraphs)
    text = _NUMBER.sub(lambda m: str(int(m.group(1)) + k % 7), text)
    text = f"Dispatch {k}. " + text
    published = doc.published_at
    return doc.model_copy(update={
        "text": text,
        "url": f"https://bench.test/{k}/{abs(hash(doc.origin)) % 10**8}",
        "origin": f"{doc.origin}#copy{k}",
        "published_at": published + timedelta(days=k % 400) if published else None,
        "published_raw": None if published else doc.published_raw,
    })


def run(n: int, db: Path) -> dict:
    sample = load([CORPUS])
    wiki = load([WIKINEWS])
    base = sample + wiki
    docs = [vary(base[i % len(base)], i // len(base)) if i >= len(base) else base[i]
            for i in range(max(n, len(base)))]
    with Desk.open(Settings(db_path=db)) as desk:
        desk.taxonomy, desk.gazetteer  # noqa: B018 - load once, outside the clock
        t0 = time.perf_counter()
        statuses: dict[str, int] = {}
        ingest_s = brief_s = 0.0
        batch = 200
        for start in range(0, len(docs), batch):
            t_i = time.perf_counter()
            ids = []
            with desk.store.transaction():
                for doc in docs[start:start + batch]:
                    outcome = desk.ingest_document(doc)
                    statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
                    if outcome.status == "accepted" and outcome.article_id:
                        ids.append(outcome.article_id)
            t_b = time.perf_counter()
            for article_id in ids:
                desk.brief(article_id)
            ingest_s += t_b - t_i
            brief_s += time.perf_counter() - t_b
        total = time.perf_counter() - t0
    return {
        "articles": len(docs),
        "sample_articles": len(sample),
        "wikinews_articles": len(wiki),
        "statuses": statuses,
        "seconds": round(total, 2),
        "articles_per_second": round(len(docs) / total, 1),
        "ingest_per_second": round(len(docs) / ingest_s, 1),
        "brief_per_second": round(statuses.get("accepted", 0) / brief_s, 1) if brief_s else None,
        "target_per_second": TARGET,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles (>= corpus size)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.n, Path(tmp) / "bench.db")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['articles']} articles ({result['sample_articles']} sample + "
              f"{result['wikinews_articles']} wikinews, varied copies) in {result['seconds']} s")
        print(f"  end to end      {result['articles_per_second']:>8} articles/s "
              f"(target >= {TARGET:g})")
        print(f"  ingest+analyse  {result['ingest_per_second']:>8} articles/s")
        print(f"  brief           {result['brief_per_second']:>8} briefs/s")
        print(f"  outcomes        {result['statuses']}")
    return 0 if result["articles_per_second"] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
