"""Figure extraction against NewsQuant (../shared/datasets/figures/newsquant-dev.jsonl).

For every sentence the extractor's figures are matched one-to-one to the gold
quantities: a pair matches on value when the numbers agree (ranges on both ends, 0.5%
tolerance for rounding), and on value+unit when the unit agrees as well. The gold file
names units in its own vocabulary ("percentage", "dollar", "japanese yen", "mile"); our
canonical units are translated into it by name only (percent -> percentage, USD ->
dollar, from newsdesk/data/units.yaml), never by looking at the sentence. For counts the
gold unit is a noun phrase ("heart transplant") and ours its head noun ("transplant"):
they match when the head is one of the phrase's words. Where the two vocabularies name the
same written unit differently (the gold file normalises "118.5p" to "point", "lb-ft" to
"foot pound-force", "640bhp" to "brake horsepower"), the unit also agrees when the unit
token the annotator marked is the one our figure's text ends with: both read the same
unit, and only the naming differs.

Two of our records are written in the gold file's form before matching: a change "from X
to Y" is one figure Y with X as its `previous` baseline, which the gold file writes as the
range "X-Y"; a fraction of a group ("two-thirds of sales") is our unit `fraction`, which
the gold file writes as "% <group>".

Reported: precision, recall and F1 of value and of value+unit; accuracy of the change
field (=, ~, up, down, >, <) over matched pairs; token overlap of our `subject` with the
gold referred concepts. Targets (issue 3): value+unit P >= 0.95, R >= 0.90; change
accuracy >= 0.90.

    .venv/bin/python bench/figures_eval.py [--data PATH] [--errors] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

from newsdesk.analyze.figures import extract_figures
from newsdesk.config import packaged_data
from newsdesk.models import Figure

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets" / "figures" / "newsquant-dev.jsonl"
TARGETS = {"value_unit_precision": 0.95, "value_unit_recall": 0.90, "change_accuracy": 0.90}
_STOP = {"the", "a", "an", "of", "in", "on", "for", "to", "and", "its", "s", "-"}


def _currency_names() -> dict[str, str]:
    data = yaml.safe_load(packaged_data("units.yaml").read_text(encoding="utf-8"))
    return {c["code"]: c["name"] for c in data["currencies"]}


CURRENCY = _currency_names()


def gold_unit(fig: Figure) -> str:
    """Our unit in the gold file's vocabulary (a naming table, nothing more)."""
    unit = fig.unit or "-"
    if unit == "percent":
        return "percentage"
    if unit == "times":
        return "count"
    if unit in CURRENCY:
        return CURRENCY[unit]
    if " per " in unit and unit.split(" per ")[0] in CURRENCY:
        head, tail = unit.split(" per ", 1)
        return f"{CURRENCY[head]} per {tail}"
    return unit


def change(fig: Figure) -> str:
    if fig.qualifier == "approximate":
        return "~"
    if fig.direction in ("up", "down"):
        return fig.direction
    return {"more_than": ">", "less_than": "<"}.get(fig.qualifier, "=")


def parse_value(text: str) -> tuple[float, float | None]:
    parts = [p for p in re.split(r"(?<=\d)\s*-\s*(?=\d)", text.replace(",", "")) if p]
    try:
        low = float(parts[0])
        return low, float(parts[1]) if len(parts) > 1 else None
    except (ValueError, IndexError):
        return float("nan"), None


def close(a: float, b: float) -> bool:
    return abs(a - b) <= max(1e-9, 0.005 * max(abs(a), abs(b)))


def as_gold(figures: list[Figure]) -> list[Figure]:
    """Our records in the gold file's form: "from X to Y" becomes the range X-Y (not "Y,
    up from X", which the gold file keeps as two values)."""
    folded: set[tuple[int, float]] = set()
    out: list[Figure] = []
    for fig in figures:
        base = fig.baseline
        if (base is not None and base.kind == "previous" and base.text.lower().startswith(
                "from") and base.text.endswith(fig.text) and fig.value_high is None
                and base.value_high is None):
            folded.add((fig.span.sentence, base.value))
            fig = fig.model_copy(update={"value": base.value, "value_high": fig.value})
        out.append(fig)
    return [f for f in out if not (f.role == "baseline" and (f.span.sentence, f.value) in folded)]


def written_unit(fig: Figure) -> str:
    """The unit token as written after the number: '118.5p' -> 'p'."""
    m = re.search(r"[\d.,]+\s*(?:(?:thousand|million|billion|trillion|mn|bn|m|k)\b)?\s*"
                  r"(?P<u>[^\d\s].*)?$", fig.text, re.I)
    return (m.group("u") or "").strip().lower() if m else ""


def value_match(fig: Figure, gold: dict) -> bool:
    low, high = parse_value(str(gold["value"]))
    if not close(fig.value, low):
        return False
    if high is None:
        return fig.value_high is None or close(fig.value_high, fig.value)
    return fig.value_high is not None and close(fig.value_high, high)


def unit_match(fig: Figure, gold: dict) -> bool:
    ours, theirs = gold_unit(fig).lower(), str(gold["normalized_unit"]).lower()
    if ours == theirs:
        return True
    if ours == "fraction" and theirs.startswith("%"):
        return True
    surface = str(gold.get("unit", "")).strip().lower()
    if surface not in ("", "-") and written_unit(fig) in (surface, surface.rstrip("s")):
        return True
    singular = theirs[:-1] if theirs.endswith("s") else theirs
    if ours == singular or (theirs in ("-", "count") and fig.kind == "count"):
        return True
    # Counted nouns: the gold unit is the whole noun phrase ("heart transplant"), ours is
    # its head noun ("transplant"); the head must be one of the phrase's words.
    return fig.kind == "count" and ours in set(re.findall(r"[a-z-]+", theirs))


def tokens(text: str | None) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", (text or "").lower()) if t not in _STOP}


def evaluate(path: Path) -> tuple[dict, list[dict]]:
    n_gold = n_pred = v_tp = vu_tp = 0
    change_ok = change_n = 0
    overlaps: list[float] = []
    errors: list[dict] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        gold = rec["quantities"]
        preds = as_gold(extract_figures([rec["text"]]))
        n_gold += len(gold)
        n_pred += len(preds)
        free = list(range(len(gold)))
        matched: list[tuple[Figure, dict]] = []
        for fig in preds:
            both = [g for g in free if value_match(fig, gold[g]) and unit_match(fig, gold[g])]
            only = [g for g in free if value_match(fig, gold[g])]
            pick = (both or only or [None])[0]
            if pick is None:
                errors.append({"text": rec["text"], "extra": fig.text, "unit": gold_unit(fig)})
                continue
            free.remove(pick)
            v_tp += 1
            if both:
                vu_tp += 1
                matched.append((fig, gold[pick]))
            else:
                errors.append({"text": rec["text"], "unit_mismatch": fig.text,
                               "ours": gold_unit(fig), "gold": gold[pick]["normalized_unit"]})
        for g in free:
            errors.append({"text": rec["text"], "missed": gold[g]["value"],
                           "unit": gold[g]["unit"]})
        for fig, g in matched:
            change_n += 1
            if change(fig) == g["change"]:
                change_ok += 1
            else:
                errors.append({"text": rec["text"], "change": fig.text, "ours": change(fig),
                               "gold": g["change"]})
            concepts = tokens(g.get("referred_concepts"))
            if concepts:
                ours = tokens(fig.subject)
                inter = len(ours & concepts)
                p = inter / len(ours) if ours else 0.0
                r = inter / len(concepts)
                overlaps.append(2 * p * r / (p + r) if p + r else 0.0)

    def prf(tp: int) -> tuple[float, float, float]:
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    vp, vr, vf = prf(v_tp)
    up, ur, uf = prf(vu_tp)
    result = {
        "sentences": sum(1 for line in path.read_text().splitlines() if line.strip()),
        "gold_quantities": n_gold,
        "predicted": n_pred,
        "value_precision": round(vp, 4), "value_recall": round(vr, 4), "value_f1": round(vf, 4),
        "value_unit_precision": round(up, 4), "value_unit_recall": round(ur, 4),
        "value_unit_f1": round(uf, 4),
        "change_accuracy": round(change_ok / change_n, 4) if change_n else 0.0,
        "subject_token_f1": round(sum(overlaps) / len(overlaps), 4) if overlaps else 0.0,
        "subject_pairs": len(overlaps),
    }
    return result, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", action="store_true", help="print every mismatch")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: {args.data} not found (the evaluation data lives in ../shared)")
        return 0
    result, errors = evaluate(args.data)
    if args.errors:
        for e in errors:
            print(json.dumps(e, ensure_ascii=False))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['sentences']} sentences, {result['gold_quantities']} gold quantities, "
              f"{result['predicted']} predicted")
        for field in ("value", "value_unit"):
            print(f"  {field:<11} P {result[f'{field}_precision']:.3f}  "
                  f"R {result[f'{field}_recall']:.3f}  F1 {result[f'{field}_f1']:.3f}")
        print(f"  change      accuracy {result['change_accuracy']:.3f} (over matched pairs)")
        print(f"  subject     token F1 {result['subject_token_f1']:.3f} "
              f"over {result['subject_pairs']} pairs with gold concepts")
    missed = [k for k, t in TARGETS.items() if result[k] < t]
    if missed:
        print("below target: " + ", ".join(f"{k} < {TARGETS[k]}" for k in missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
