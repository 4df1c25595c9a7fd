"""Risk signals and tone: what could go wrong, with the sentences that say so.

Signals come from themes the taxonomy already matched (no extra scan of the text):
sanctions, secondary sanctions, tariffs, export controls, conflict and defaults each map
to one theme; payment disruption is a sentence about payments that also reads as a
risk and says what goes wrong with the money. The tone is a deliberately simple,
explainable score in [-1, 1]: sentences whose figures go up or down, and sentences that
read as risks, over the number of sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsdesk.models import Figure, Signal

# signal kind -> the theme whose matches are its evidence
SIGNAL_THEMES = {
    "sanctions": "sanctions",
    "secondary_sanctions": "secondary-sanctions",
    "tariffs": "tariffs",
    "export_controls": "export-controls",
    "conflict": "conflict",
    "default": "property-and-debt",
}
PAYMENT_THEME = "trade-settlement"
# Where a theme is wider than its risk, what a sentence must also say to be evidence:
# "Property & Debt" matches "housing" and "real estate", which are no default, and
# "default" itself in "the default choice" or "by default" is none either.
_EVIDENCE = {
    "default": re.compile(
        r"(?<!\bby )\bdefault(?:s|ed|ing)?\b(?!\s+(?:choice|option|setting|mode|value|"
        r"position|answer|currency)s?\b)|\bdebt crisis\b|\binsolven|\bbankrupt",
        re.IGNORECASE),
    # A payments sentence that reads as a risk is a disruption only if it says what goes
    # wrong with the money: "more than 90% of payments are made in roubles and yuan, a
    # shift that accelerated after sanctions" is about currencies, not payments failing.
    "payment_disruption": re.compile(
        r"\b(?:(?:delay|stuck|frozen|freez|reject|restrict|halt|suspend|disrupt|struggl|"
        r"returned|tighten|scrutin|review|documentation|friction|bottleneck|problem|"
        r"difficult|wait|weak\s+link|risk|expos|remov|target)\w*|block(?:s|ed|ing|age)?\b"
        r"|ban(?:s|ned|ning)?\b|cut\b[^.,;]{0,40}\boff\b|fac(?:e|es|ed|ing)\s+"
        r"(?:\w+\s+){0,2}sanctions)|\bcosts?\b[^.]{0,20}\brise",
        re.IGNORECASE),
}


def find_signals(
    by_theme: dict[str, dict[int, int]], roles: tuple[frozenset[str], ...],
    sentences: Sequence[str],
) -> list[Signal]:
    """Signals with their evidence sentences, strongest (most sentences) first."""
    signals = []
    for kind, theme in SIGNAL_THEMES.items():
        found = sorted(by_theme.get(theme, ()))
        if (evidence := _EVIDENCE.get(kind)) is not None:
            found = [i for i in found if evidence.search(sentences[i])]
        if found:
            signals.append(Signal(kind=kind, sentences=found))  # type: ignore[arg-type]
    payments = sorted(i for i in by_theme.get(PAYMENT_THEME, {})
                      if "risk" in roles[i]
                      and _EVIDENCE["payment_disruption"].search(sentences[i]))
    if payments:
        signals.append(Signal(kind="payment_disruption", sentences=payments))
    signals.sort(key=lambda s: (-len(s.sentences), s.kind))
    return signals


def tone(n_sentences: int, figures: list[Figure], roles: tuple[frozenset[str], ...]) -> float:
    """(rising figures - falling figures - risk sentences / 2) per sentence, in [-1, 1]."""
    if n_sentences == 0:
        return 0.0
    ups = sum(1 for f in figures if f.direction == "up" and f.role == "figure")
    downs = sum(1 for f in figures if f.direction == "down" and f.role == "figure")
    risks = sum(1 for r in roles if "risk" in r)
    score = (ups - downs - 0.5 * risks) / n_sentences
    return round(max(-1.0, min(1.0, score)), 3)
