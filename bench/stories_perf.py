"""Cost per article of the relate stage: embedding, story features, story assignment.

    .venv/bin/python bench/stories_perf.py                   # assignment + MiniLM
    .venv/bin/python bench/stories_perf.py --articles 8000   # a larger story index
    .venv/bin/python bench/stories_perf.py --no-model        # without torch
    .venv/bin/python bench/stories_perf.py --json

Assignment: a stream of `--articles` articles made from the sample corpus and, when
present, ../shared/datasets/corpus/wikinews.jsonl: each is a real title with five
sentences drawn at random (fixed seed) from the pool, dated a few hours after the one
before, so most start a story of their own and the index holds thousands of stories,
with realistic word and name statistics. The figure is the time per article of the last
1,000 articles (CPU time of this process), split into features (`article_terms`, pure:
it can run in the worker processes) and assignment proper (`StoryIndex.add`, in arrival
order in one process).

Embedding: all-MiniLM-L6-v2 on title + lead (two sentences), max_seq_length 128, in
batches of 32, over the same pool: wall time and CPU time per article (torch uses every
core; CPU time / cores is what the article costs on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk.analyze.sentences import split_sentences  # noqa: E402
from newsdesk.relate.features import article_terms  # noqa: E402
from newsdesk.relate.stories import StoryArticle, StoryIndex  # noqa: E402

WIKINEWS = ROOT.parent / "shared" / "datasets" / "corpus" / "wikinews.jsonl"
SAMPLES = ROOT / "samples" / "corpus"


def pool() -> list[tuple[str, str]]:
    docs: list[tuple[str, str]] = []
    for path in sorted(SAMPLES.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        docs.append((lines[0], "\n".join(lines[1:])))
    if WIKINEWS.exists():
        for line in WIKINEWS.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            docs.append((row["title"], row["text"]))
    return docs


def synthetic_stream(n: int, seed: int = 7) -> list[StoryArticle]:
    docs = pool()
    sentences = [s for _, text in docs for s in split_sentences(text) if len(s) > 40]
    rng = random.Random(seed)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        title = docs[rng.randrange(len(docs))][0]
        text = " ".join(rng.choice(sentences) for _ in range(5))
        out.append(StoryArticle(id=f"a{i}", title=title, text=text,
                                published_at=t0 + timedelta(hours=3 * i)))
    return out


def assignment_cost(n: int, tail: int = 1000) -> dict:
    articles = synthetic_stream(n)
    index = StoryIndex()
    head, last = articles[:-tail], articles[-tail:]
    for a in head:
        index.add(a)
    stories_before = len(index)
    c0 = time.process_time()
    terms = [article_terms(a.title, a.text, a.entities) for a in last]
    c1 = time.process_time()
    for a, t in zip(last, terms, strict=True):
        index.add(a, t)
    c2 = time.process_time()
    return {
        "articles": n, "stories_before_tail": stories_before, "stories": len(index),
        "features_ms": (c1 - c0) / tail * 1000, "assign_ms": (c2 - c1) / tail * 1000,
    }


def embedding_cost(limit: int = 600) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from newsdesk.relate.embed import MiniLMEmbedder, embedding_text

    texts = [embedding_text(t, x) for t, x in pool()][:limit]
    titles = [t for t, _ in pool()][:limit]
    model = MiniLMEmbedder()
    model.embed(texts[:32])  # load and warm up
    out = {"articles": len(texts), "torch_threads": _threads()}
    for name, batch in (("title_lead", texts), ("title_only", titles)):
        w0, c0 = time.perf_counter(), time.process_time()
        model.embed(batch)
        out[f"{name}_wall_ms"] = (time.perf_counter() - w0) / len(batch) * 1000
        out[f"{name}_cpu_ms"] = (time.process_time() - c0) / len(batch) * 1000
    return out


def _threads() -> int:
    import torch

    return int(torch.get_num_threads())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--no-model", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = {"assignment": assignment_cost(args.articles)}
    if not args.no_model:
        from newsdesk.relate.embed import torch_available

        if torch_available():
            result["embedding"] = embedding_cost()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    a = result["assignment"]
    print(f"story assignment, {a['articles']} articles, {a['stories_before_tail']} stories "
          f"before the last 1,000: features {a['features_ms']:.2f} ms + assignment "
          f"{a['assign_ms']:.2f} ms CPU per article ({a['stories']} stories at the end)")
    e = result.get("embedding")
    if e:
        print(f"MiniLM embeddings ({e['articles']} articles, {e['torch_threads']} threads, "
              f"batch 32, max_seq_length 128): title + lead {e['title_lead_wall_ms']:.1f} ms "
              f"wall / {e['title_lead_cpu_ms']:.1f} ms CPU per article; title only "
              f"{e['title_only_wall_ms']:.1f} ms wall / {e['title_only_cpu_ms']:.1f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
