"""The fact checker (newsdesk/brief/factcheck.py) as a factuality detector, on FRANK.

Every system summary of ../shared/datasets/summarization/frank-dev.jsonl (read at run
time) is checked against its article, parsed into sentences as newsdesk parses an article
(``record_to_document`` -> ``prepare``). The prediction "has a factual error" is
``factcheck.assess(summary, sentences).has_error``; the gold label is the human
``factuality`` score below 1.0 (1.0 = no error). Summaries without a human score (the
XSum reference summaries) are left out. The summaries are lower-cased, so nothing relies
on capitals.

Reported: balanced accuracy (mean of recall on "has error" and on "no error"), precision
and recall on "has error", the confusion matrix, the same per source set (cnndm, xsum),
and, from the same run, the naive baseline: a summary is flagged when more than 5% of its
content words (not in the stopword list, three letters or more) are absent from the
article, compared as written.

Target (issue 5, item 6): balanced accuracy >= 0.82 with precision on "has error" >= 0.90.
Exit status 1 below target; "skipped" and exit 0 when the data is missing.

    .venv/bin/python bench/factuality_eval.py [--data PATH] [--json] [--errors]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets" / "summarization" / "frank-dev.jsonl"
TARGET_BALANCED_ACCURACY = 0.82
TARGET_PRECISION = 0.90
NAIVE_SHARE = 0.05
_NAIVE_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def naive_has_error(summary: str, article: str) -> bool:
    """More than 5% of the summary's content words are absent from the article."""
    from newsdesk.brief.text import STOPWORDS

    vocabulary = set(_NAIVE_WORD.findall(article.lower()))
    content = [w for w in _NAIVE_WORD.findall(summary.lower())
               if w not in STOPWORDS and len(w) >= 3]
    absent = sum(1 for w in content if w not in vocabulary)
    return bool(content) and absent / len(content) > NAIVE_SHARE


class Confusion:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = 0

    def add(self, predicted: bool, gold: bool) -> None:
        if predicted and gold:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    def figures(self) -> dict[str, Any]:
        recall_error = self.tp / ((self.tp + self.fn) or 1)
        recall_ok = self.tn / ((self.tn + self.fp) or 1)
        return {
            "summaries": self.tp + self.fp + self.fn + self.tn,
            "balanced_accuracy": round((recall_error + recall_ok) / 2, 4),
            "precision_error": round(self.tp / ((self.tp + self.fp) or 1), 4),
            "recall_error": round(recall_error, 4),
            "recall_no_error": round(recall_ok, 4),
            "confusion": {"error_flagged": self.tp, "error_missed": self.fn,
                          "ok_flagged": self.fp, "ok_passed": self.tn},
        }


def evaluate(data: Path, show_errors: bool = False) -> dict[str, Any]:
    from newsdesk.brief.factcheck import assess
    from newsdesk.ingest.prepare import prepare
    from newsdesk.ingest.records import record_to_document

    ours, naive = Confusion(), Confusion()
    per_set: dict[str, Confusion] = {}
    kinds: Counter[str] = Counter()
    with data.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            article = prepare(record_to_document({"text": rec["text"]}, rec["id"], "jsonl"))
            for s in rec["system_summaries"]:
                if s.get("factuality") is None:
                    continue  # no human judgement
                gold = s["factuality"] < 1.0
                result = assess(s["summary"], article.sentences)
                ours.add(result.has_error, gold)
                per_set.setdefault(rec["dataset"], Confusion()).add(result.has_error, gold)
                naive.add(naive_has_error(s["summary"], rec["text"]), gold)
                if result.has_error:
                    kinds.update({i.kind for i in result.issues})
                if show_errors and result.has_error != gold:
                    what = "FALSE ALARM" if result.has_error else "MISSED"
                    print(f"{what} {rec['id']} {s['model']} factuality={s['factuality']:.2f}"
                          f" absent={result.absent_share:.2f}")
                    print(f"  summary: {s['summary']}")
                    for issue in result.issues:
                        print(f"  - {issue.kind}: {issue.reason}")
    return {
        "newsdesk": ours.figures(),
        "per_set": {k: v.figures() for k, v in sorted(per_set.items())},
        "naive_baseline": naive.figures(),
        "issue_kinds_in_flagged": dict(kinds.most_common()),
    }


def at_target(result: dict[str, Any]) -> bool:
    f = result["newsdesk"]
    return (f["balanced_accuracy"] >= TARGET_BALANCED_ACCURACY
            and f["precision_error"] >= TARGET_PRECISION)


def _line(name: str, f: dict[str, Any]) -> str:
    c = f["confusion"]
    return (f"{name:<16} {f['summaries']:>5} {f['balanced_accuracy']:>6.3f} "
            f"{f['precision_error']:>6.3f} {f['recall_error']:>6.3f} "
            f"{f['recall_no_error']:>6.3f}   TP {c['error_flagged']:>3} FN {c['error_missed']:>3}"
            f" FP {c['ok_flagged']:>3} TN {c['ok_passed']:>3}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="frank-dev.jsonl")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--errors", action="store_true",
                    help="print every missed error and false alarm with its issues")
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} not found")
        return 0
    result = evaluate(args.data, show_errors=args.errors)
    ok = at_target(result)
    if args.json:
        print(json.dumps({**result, "at_target": ok}, indent=2))
    else:
        print(f"{'':<16} {'n':>5} {'BA':>6} {'P_err':>6} {'R_err':>6} {'R_ok':>6}")
        print(_line("newsdesk", result["newsdesk"]))
        for name, f in result["per_set"].items():
            print(_line(f"  {name}", f))
        print(_line("naive baseline", result["naive_baseline"]))
        print("issue kinds among flagged summaries:", result["issue_kinds_in_flagged"])
        print(f"target (BA >= {TARGET_BALANCED_ACCURACY}, precision on has-error >= "
              f"{TARGET_PRECISION}):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
