"""News Summary quality of the offline (extractive) engine, in ROUGE, against LEAD-k.

For every article of the CNN/DailyMail part of ``frank-dev.jsonl`` and of ``bbc-dev.jsonl``
(both in ../shared/datasets/summarization, read at run time), the article record is read
exactly as ``newsdesk ingest`` reads a JSONL record (``record_to_document`` ->
``prepare``), analysed (``analyze``) and its News Summary chosen the way ``compose_brief``
chooses it (``sentence_scores`` -> ``select_summary``). The summary is scored against the
reference with ROUGE-1, ROUGE-2 and ROUGE-Lsum (package rouge-score, Porter stemming on;
summary-level LCS over sentences one per line). In the same run the LEAD-3 and LEAD-4
baselines take the first three / four sentences of the same split.

Target (issue 5, item 7): the extractive summary >= LEAD-3 in ROUGE-1, ROUGE-2 and
ROUGE-Lsum on both sets. Exit status 1 below target; "skipped" and exit 0 when the data
is missing.

    .venv/bin/python bench/summary_eval.py [--data DIR] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets" / "summarization"
METRICS = ("rouge1", "rouge2", "rougeLsum")
SYSTEMS = ("newsdesk", "lead3", "lead4")
_SPACED_STOP = re.compile(r"\s+\.\s+")


def records(data: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(set name, record): CNN/DailyMail articles of FRANK, then the BBC articles."""
    with (data / "frank-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["dataset"] == "cnndm":
                yield "cnndm", rec
    with (data / "bbc-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            yield "bbc", json.loads(line)


def reference_lines(reference: str) -> str:
    """One reference sentence a line (CNN/DM highlights are tokenised: " . " ends one)."""
    from newsdesk.analyze.sentences import split_sentences

    text = _SPACED_STOP.sub(".\n", reference.strip())
    return "\n".join(s for line in text.splitlines() for s in split_sentences(line))


def summaries(rec: dict[str, Any], origin: str) -> dict[str, list[str]]:
    from newsdesk.analyze.enrich import analyze
    from newsdesk.analyze.places import default_gazetteer
    from newsdesk.analyze.topics import cached_taxonomy
    from newsdesk.brief.summary import select_summary, sentence_scores
    from newsdesk.ingest.prepare import prepare
    from newsdesk.ingest.records import record_to_document

    fields = {k: v for k, v in rec.items() if k in ("title", "text", "category")}
    article = prepare(record_to_document(fields, origin, "jsonl"))
    enrichment = analyze(article, cached_taxonomy(), default_gazetteer())
    picked = select_summary(article, enrichment, sentence_scores(article, enrichment))
    s = article.sentences
    return {"newsdesk": [s[i] for i in picked], "lead3": s[:3], "lead4": s[:4]}


def evaluate(data: Path, limit: int | None = None) -> dict[str, Any]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    sums: dict[str, dict[str, dict[str, float]]] = {}
    counts: dict[str, int] = {}
    lengths: dict[str, dict[str, int]] = {}
    for name, rec in records(data):
        if limit is not None and counts.get(name, 0) >= limit:
            continue
        counts[name] = counts.get(name, 0) + 1
        ref = reference_lines(rec["reference"])
        per_set = sums.setdefault(name, {sys_: dict.fromkeys(METRICS, 0.0) for sys_ in SYSTEMS})
        lens = lengths.setdefault(name, dict.fromkeys(SYSTEMS, 0))
        for system, sents in summaries(rec, f"{name}:{rec.get('id', counts[name])}").items():
            scores = scorer.score(ref, "\n".join(sents))
            for m in METRICS:
                per_set[system][m] += scores[m].fmeasure
            lens[system] += len(sents)
    result: dict[str, Any] = {}
    for name, per_set in sums.items():
        n = counts[name]
        result[name] = {
            "articles": n,
            **{system: {**{m: round(100 * v / n, 2) for m, v in per_set[system].items()},
                        "sentences": round(lengths[name][system] / n, 2)}
               for system in SYSTEMS},
        }
    return result


def at_target(result: dict[str, Any]) -> bool:
    return all(result[name]["newsdesk"][m] >= result[name]["lead3"][m]
               for name in result for m in METRICS)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA,
                    help="folder holding frank-dev.jsonl and bbc-dev.jsonl")
    ap.add_argument("--limit", type=int, help="at most N articles per set (a quick look)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if not ((args.data / "frank-dev.jsonl").exists() and (args.data / "bbc-dev.jsonl").exists()):
        print(f"skipped: {args.data} lacks frank-dev.jsonl / bbc-dev.jsonl")
        return 0
    try:
        import rouge_score  # noqa: F401
    except ImportError:
        print("skipped: package rouge-score is not installed (pip install -e '.[test]')")
        return 0
    result = evaluate(args.data, args.limit)
    ok = at_target(result)
    if args.json:
        print(json.dumps({"sets": result, "at_target": ok}, indent=2))
    else:
        for name, r in result.items():
            print(f"{name}: {r['articles']} articles (ROUGE F1 x100, stemming on)")
            print(f"  {'system':<10} {'R1':>6} {'R2':>6} {'RLsum':>6} {'sentences':>9}")
            for system in SYSTEMS:
                v = r[system]
                print(f"  {system:<10} {v['rouge1']:>6.2f} {v['rouge2']:>6.2f} "
                      f"{v['rougeLsum']:>6.2f} {v['sentences']:>9.2f}")
        print("target (newsdesk >= LEAD-3 in R1, R2, RLsum on both sets):",
              "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
