"""Story clustering quality on ECB+ (dev half): BCubed precision, recall and F1.

    .venv/bin/python bench/stories_eval.py                  # summary; exit 1 below target
    .venv/bin/python bench/stories_eval.py --orders 10      # more shuffled orders
    .venv/bin/python bench/stories_eval.py --errors         # stories that mix events
    .venv/bin/python bench/stories_eval.py --json
    .venv/bin/python bench/stories_eval.py --conflict-factor 1   # without marks or swaps
    .venv/bin/python bench/stories_eval.py --no-protagonists     # event marks only
    .venv/bin/python bench/stories_eval.py --feed                # FEED_SETTINGS (desk.py)

The documents are fed one by one, as a stream, into `StoryIndex` with its default
settings: the code path the desk runs, no setting fitted here. The main figure uses the
file's order; order sensitivity is F1 over `--orders` shuffled orders (fixed seeds).
ECB+ has no dates, so time decay plays no part here; event marks (a person's age, an
ordinal in the headline: newsdesk/relate/marks.py) and swaps of protagonists (a lead
person the story never named: newsdesk/relate/protagonists.py) do.

The anchor, computed in the same run: TF-IDF (sublinear tf, batch IDF over the whole
file) and average-link agglomerative clustering, with the cut threshold tuned on this
same file for the best F1 (an optimistic baseline: it sees every document at once and
its threshold is fitted to the answer).

`--embedding-weight W` mixes MiniLM embeddings (title + lead, max_seq_length 128) into
the score with weight W (the other two weights scaled to 1 - W), for the design study.
`--conflict-factor F` replaces the score kept on contradicting event marks or swapped
protagonists (1 turns both off), `--no-protagonists` turns the swap off alone, and
`--feed` starts from FEED_SETTINGS, what desk.py builds, instead of the defaults: all
for comparison only.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk.relate.features import content_words  # noqa: E402
from newsdesk.relate.stories import (  # noqa: E402
    DEFAULT_SETTINGS,
    FEED_SETTINGS,
    StoryArticle,
    StoryIndex,
    StorySettings,
)

DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "clustering" / "ecbplus-dev.jsonl"
TARGET_F1 = 0.93


def bcubed(pred: Sequence[object], gold: Sequence[object]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 (Bagga & Baldwin): per-item, averaged."""
    by_pred: dict[object, list[int]] = defaultdict(list)
    by_gold: dict[object, list[int]] = defaultdict(list)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].append(i)
        by_gold[g].append(i)
    p_sum = r_sum = 0.0
    for i in range(len(gold)):
        same = sum(1 for j in by_pred[pred[i]] if gold[j] == gold[i])
        p_sum += same / len(by_pred[pred[i]])
        r_sum += same / len(by_gold[gold[i]])
    p, r = p_sum / len(gold), r_sum / len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def stream(rows: list[dict], order: Sequence[int], weight: float,
           embeddings: np.ndarray | None, settings: StorySettings = DEFAULT_SETTINGS
           ) -> list[str]:
    if weight:
        rest = 1.0 - weight
        total = settings.word_weight + settings.name_weight
        settings = replace(settings, embedding_weight=weight,
                           word_weight=settings.word_weight * rest / total,
                           name_weight=settings.name_weight * rest / total)
    index = StoryIndex(settings)
    pred: dict[int, str] = {}
    for i in order:
        r = rows[i]
        pred[i] = index.add(StoryArticle(
            id=r["id"], title=r["title"], text=r["text"],
            embedding=None if embeddings is None else embeddings[i]))
    return [pred[i] for i in range(len(rows))]


# --- the anchor: TF-IDF + average link, threshold tuned on the file ----------------------


def tfidf_matrix(docs: list[str]) -> np.ndarray:
    counts = [Counter(content_words(d)) for d in docs]
    df = Counter(t for c in counts for t in c)
    vocab = {t: k for k, t in enumerate(sorted(df))}
    n = len(docs)
    x = np.zeros((n, len(vocab)))
    for i, c in enumerate(counts):
        for t, v in c.items():
            x[i, vocab[t]] = (1 + math.log(v)) * (math.log((n + 1) / (df[t] + 1)) + 1)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return x / norms


def average_link_merges(sim: np.ndarray) -> list[tuple[float, int, int]]:
    """UPGMA on a similarity matrix: the merges (similarity, a, b) in the order made."""
    n = len(sim)
    s = sim.astype(float).copy()
    np.fill_diagonal(s, -np.inf)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    merges = []
    for _ in range(n - 1):
        flat = int(np.argmax(s))
        a, b = divmod(flat, n)
        merges.append((float(s[a, b]), a, b))
        row = (s[a] * size[a] + s[b] * size[b]) / (size[a] + size[b])
        s[a, :] = row
        s[:, a] = row
        s[a, a] = -np.inf
        s[b, :] = -np.inf
        s[:, b] = -np.inf
        size[a] += size[b]
        alive[b] = False
    return merges


def cut(merges: list[tuple[float, int, int]], n: int, threshold: float) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for sim, a, b in merges:
        if sim < threshold:
            break
        parent[find(b)] = find(a)
    return [find(i) for i in range(n)]


def anchor(rows: list[dict], gold: list[str]) -> dict:
    x = tfidf_matrix([r["title"] + "\n" + r["text"] for r in rows])
    merges = average_link_merges(x @ x.T)
    best: dict = {}
    for k in range(5, 96):
        t = k / 100
        labels = cut(merges, len(rows), t)
        p, r, f = bcubed(labels, gold)
        if not best or f > best["f1"]:
            best = {"precision": p, "recall": r, "f1": f, "threshold": t,
                    "stories": len(set(labels))}
    return best


def embed_rows(rows: list[dict]) -> np.ndarray:
    from newsdesk.relate.embed import MiniLMEmbedder, embedding_text

    return MiniLMEmbedder().embed([embedding_text(r["title"], r["text"]) for r in rows])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--orders", type=int, default=5, help="shuffled orders to run")
    ap.add_argument("--embedding-weight", type=float, default=0.0)
    ap.add_argument("--conflict-factor", type=float, default=None,
                    help="score kept on contradicting event marks (1: marks off)")
    ap.add_argument("--no-protagonists", action="store_true",
                    help="a swap of protagonists is no conflict (event marks only)")
    ap.add_argument("--feed", action="store_true", help="start from FEED_SETTINGS")
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} not found")
        return 0
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    gold = [r["cluster"] for r in rows]
    embeddings = embed_rows(rows) if args.embedding_weight else None
    settings = FEED_SETTINGS if args.feed else DEFAULT_SETTINGS
    if args.conflict_factor is not None:
        settings = replace(settings, conflict_factor=args.conflict_factor)
    if args.no_protagonists:
        settings = replace(settings, protagonists=False)

    started = time.perf_counter()
    pred = stream(rows, range(len(rows)), args.embedding_weight, embeddings, settings)
    seconds = time.perf_counter() - started
    p, r, f = bcubed(pred, gold)
    shuffled = []
    for seed in range(1, args.orders + 1):
        order = list(range(len(rows)))
        random.Random(seed).shuffle(order)
        shuffled.append(bcubed(
            stream(rows, order, args.embedding_weight, embeddings, settings), gold))
    f_shuffled = [s[2] for s in shuffled]
    base = anchor(rows, gold)
    result = {
        "documents": len(rows), "events": len(set(gold)),
        "file_order": {"precision": p, "recall": r, "f1": f, "stories": len(set(pred)),
                       "ms_per_article": seconds / len(rows) * 1000},
        "shuffled": {"orders": len(shuffled),
                     "f1_mean": float(np.mean(f_shuffled)) if shuffled else None,
                     "f1_min": min(f_shuffled, default=None),
                     "f1_max": max(f_shuffled, default=None),
                     "precision_mean": float(np.mean([s[0] for s in shuffled]))
                     if shuffled else None,
                     "recall_mean": float(np.mean([s[1] for s in shuffled]))
                     if shuffled else None},
        "anchor_tfidf_average_link": base,
        "target_f1": TARGET_F1,
        "settings": vars(settings) | {"embedding_weight_run": args.embedding_weight},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"ECB+ dev: {len(rows)} documents, {len(set(gold))} events")
        print(f"stories (file order):  P {p:.3f}  R {r:.3f}  F1 {f:.3f}  "
              f"{len(set(pred))} stories  ({seconds / len(rows) * 1000:.2f} ms/article)")
        if shuffled:
            print(f"shuffled x{len(shuffled)}:          F1 mean {np.mean(f_shuffled):.3f}  "
                  f"min {min(f_shuffled):.3f}  max {max(f_shuffled):.3f}  "
                  f"(P mean {np.mean([s[0] for s in shuffled]):.3f}, "
                  f"R mean {np.mean([s[1] for s in shuffled]):.3f})")
        print(f"anchor TF-IDF + average link (threshold {base['threshold']:.2f} tuned here): "
              f"P {base['precision']:.3f}  R {base['recall']:.3f}  F1 {base['f1']:.3f}  "
              f"{base['stories']} stories")
        print(f"target F1 >= {TARGET_F1}: {'met' if f >= TARGET_F1 else 'NOT met'}")
    if args.errors:
        members: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(pred):
            members[s].append(i)
        for s, ix in members.items():
            mix = Counter(gold[i] for i in ix)
            if len(mix) > 1:
                print(f"{s}: {dict(mix)}  e.g. {rows[ix[0]]['title'][:70]!r}")
    return 0 if f >= TARGET_F1 else 1


if __name__ == "__main__":
    sys.exit(main())
