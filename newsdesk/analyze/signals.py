"""Risk signals and tone: what could go wrong, with the sentences that say so.

Signals come from themes the taxonomy already matched (no extra scan of the text):
sanctions, secondary sanctions, tariffs, export controls, conflict and defaults each map
to one theme; payment disruption is a sentence about payments that also reads as a
risk. The tone is a deliberately simple, explainable score in [-1, 1]: sentences whose
figures go up or down, and sentences that read as risks, over the number of sentences.
"""

from __future__ import annotations

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


def find_signals(
    by_theme: dict[str, dict[int, int]], roles: tuple[frozenset[str], ...]
) -> list[Signal]:
    """Signals with their evidence sentences, strongest (most sentences) first."""
    signals = [
        Signal(kind=kind, sentences=sorted(by_theme[theme]))  # type: ignore[arg-type]
        for kind, theme in SIGNAL_THEMES.items() if by_theme.get(theme)
    ]
    payments = sorted(i for i in by_theme.get(PAYMENT_THEME, {}) if "risk" in roles[i])
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
