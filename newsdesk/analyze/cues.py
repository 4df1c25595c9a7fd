"""Cue phrases that say what job a sentence does: context, cause, risk, outlook, quote.

The extractive brief is built from these roles: Background wants sentences about earlier
events and policy history, the insights want causes, risks and forward-looking statements.
Patterns are deliberately plain so that a reviewer can see why a sentence was chosen.
"""

from __future__ import annotations

import re
from datetime import datetime

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

CONTEXT = re.compile(
    r"\b(?:since|previously|earlier|historically|traditionally|long-standing|longstanding|"
    r"for (?:decades|years)|first term|invasion|began|started|launched|initiated|"
    r"introduced|imposed|last year|a year (?:earlier|ago)|years? ago|in the past|"
    r"record|following|back in|has long|have long|had been|has been|have been|"
    r"was signed|were imposed|dating back|over the past|in recent years)\b",
    re.I,
)
DRIVER = re.compile(
    r"\b(?:because|due to|driven by|drive|drove|helped|boosted|fuel(?:l?ed|s)?|thanks to|"
    r"as a result|amid|owing to|on the back of|led to|prompted|pushed|spurred|"
    r"compelled|caused|reflect(?:s|ed|ing)?|stem(?:s|med) from|in response to)\b",
    re.I,
)
RISK = re.compile(
    r"\b(?:risks?|sanction(?:s|ed)?|tariffs?|tensions?|threat(?:s|en|ened)?|fears?|"
    r"halt(?:ed|s)?|default(?:s|ed)?|war|pressure|restrict(?:ions?|ed)?|bans?|banned|"
    r"penalt(?:y|ies)|disrupt(?:ion|ed|s)?|volatil(?:e|ity)|uncertain(?:ty)?|alarm|"
    r"decline[ds]?|slump(?:ed)?|slowdown|dip(?:ped)?|fell|weak(?:er|ness)?|struggl\w*|"
    r"scrutiny|enforcement|crackdown|escalat\w*|retaliat\w*)\b",
    re.I,
)
OUTLOOK = re.compile(
    r"\b(?:could|may|might|will|would|expected?|expects|plans?|planned|aims? to|likely|"
    r"forecasts?|outlook|next year|coming (?:months|years)|in the future|set to|poised|"
    r"intends?|projected|signal(?:s|led)?|room to grow|potential(?:ly)?|prospects?)\b",
    re.I,
)
QUOTE = re.compile(r"[\"“][^\"”]{12,}[\"”]")
ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|noted|argued|added|stated|warned|according to|acknowledged|"
    r"explained|wrote|insisted|stressed)\b",
    re.I,
)
FIGURE = re.compile(r"(?:[$€£¥]\s?\d|\d(?:[\d,.]*\d)?\s?(?:%|per ?cent|percent|billion|"
                    r"million|trillion|bn|tonnes?|barrels?|cubic metres?|bcm))", re.I)


def context_score(sentence: str, published: datetime | None) -> float:
    """How much a sentence reads as background: history cues and years before publication."""
    score = 0.0
    if CONTEXT.search(sentence):
        score += 1.0
    if published is not None:
        years = [int(y) for y in _YEAR.findall(sentence)]
        if any(y < published.year for y in years):
            score += 1.0
    return score


def has(pattern: re.Pattern[str], sentence: str) -> bool:
    return pattern.search(sentence) is not None


def is_quote(sentence: str) -> bool:
    return bool(QUOTE.search(sentence)) and (
        bool(ATTRIBUTION.search(sentence)) or sentence.lstrip()[:1] in "\"“"
    )
