"""Cue phrases that say what job a sentence does: context, cause, risk, outlook, quote.

The extractive brief is built from these roles: Background wants sentences about earlier
events and policy history, the insights want causes, risks and forward-looking statements.
Patterns are deliberately plain so that a reviewer can see why a sentence was chosen.
All roles of all sentences of an article are found in one pass (`sentence_roles`).
"""

from __future__ import annotations

import re
from datetime import datetime

from newsdesk.analyze.matcher import MultiMatcher
from newsdesk.analyze.sentences import join_sentences, sentence_at

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

CUES: dict[str, list[str]] = {
    "context": [
        "since", "previously", "earlier", "historically", "traditionally", "long-standing",
        "longstanding", "for (?:decades|years)", "first term", "invasion", "began", "started",
        "launched", "initiated", "introduced", "imposed", "last year", "a year (?:earlier|ago)",
        "years? ago", "in the past", "record", "following", "back in", "has long", "have long",
        "had been", "has been", "have been", "was signed", "were imposed", "dating back",
        "over the past", "in recent years",
    ],
    "driver": [
        "because", "due to", "driven by", "drive", "drove", "helped", "boosted",
        "fuel(?:l?ed|s)?", "thanks to", "as a result", "amid", "owing to", "on the back of",
        "led to", "prompted", "pushed", "spurred", "compelled", "caused", "reflect(?:s|ed|ing)?",
        "stem(?:s|med) from", "in response to",
    ],
    "risk": [
        "risks?", "sanction(?:s|ed)?", "tariffs?", "tensions?", "threat(?:s|en|ened)?", "fears?",
        "halt(?:ed|s)?", "default(?:s|ed)?", "war", "pressure", "restrict(?:ions?|ed)?", "bans?",
        "banned", "penalt(?:y|ies)", "disrupt\\w*", "reject\\w*", "delay(?:s|ed)?",
        "block(?:s|ed)?", "stuck", "frozen", "volatil(?:e|ity)",
        "uncertain(?:ty)?", "alarm", "decline[ds]?", "slump(?:ed)?", "slowdown", "dip(?:ped)?",
        "fell", "weak(?:er|ness)?", "struggl\\w*", "scrutiny", "enforcement", "crackdown",
        "escalat\\w*", "retaliat\\w*",
    ],
    "outlook": [
        "could", "may", "might", "will", "would", "expect(?:s|ed|ing|ations?)?", "plans?",
        "planned",
        "aims? to", "likely", "forecasts?", "outlook", "next year", "coming (?:months|years)",
        "in the future", "set to", "poised", "intends?", "projected", "signal(?:s|led)?",
        "room to grow", "potential(?:ly)?", "prospects?",
    ],
    "attribution": [
        "said", "says", "told", "noted", "argued", "added", "stated", "warned", "according to",
        "acknowledged", "explained", "wrote", "insisted", "stressed",
    ],
}
QUOTE = re.compile(r"[\"“][^\"”\n]{12,}[\"”]")
FIGURE = re.compile(r"(?:[$€£¥]\s?\d|\d(?:[\d,.]*\d)?\s?(?:%|per ?cent|percent|billion|"
                    r"million|trillion|bn|tonnes?|barrels?|cubic metres?|bcm))", re.I)


def _compile(alternatives: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{a})" for a in alternatives) + r")\b", re.I)


PATTERNS = {role: _compile(alts) for role, alts in CUES.items()}
CONTEXT = PATTERNS["context"]
DRIVER = PATTERNS["driver"]
RISK = PATTERNS["risk"]
OUTLOOK = PATTERNS["outlook"]
ATTRIBUTION = PATTERNS["attribution"]
_MATCHER = MultiMatcher({role: (PATTERNS[role], alts) for role, alts in CUES.items()})


ROLE_CODES = {"context": "c", "driver": "d", "risk": "r", "outlook": "o",
              "attribution": "a", "quote": "q", "figure": "f"}
_CODE_ROLES = {v: k for k, v in ROLE_CODES.items()}
_CACHE: dict[tuple[str, ...], tuple[frozenset[str], ...]] = {}
_CACHE_MAX = 8192


def encode_roles(roles: tuple[frozenset[str], ...]) -> list[str]:
    """Compact form stored with the enrichment: 'cr' = context + risk."""
    return ["".join(sorted(ROLE_CODES[r] for r in rs)) for rs in roles]


def remember_roles(sentences: tuple[str, ...], encoded: list[str]) -> None:
    """Seed the cache from a stored enrichment, so a brief need not rescan the text."""
    if len(encoded) == len(sentences) and sentences not in _CACHE:
        _store(sentences, tuple(frozenset(_CODE_ROLES[c] for c in code) for code in encoded))


def _store(sentences: tuple[str, ...], roles: tuple[frozenset[str], ...]) -> None:
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[sentences] = roles


def sentence_roles(sentences: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """The cue roles of each sentence ('context', 'driver', 'risk', 'outlook',
    'attribution', plus 'quote' and 'figure'). Cached: earlier articles are re-read for
    every brief that draws background from them."""
    cached = _CACHE.get(sentences)
    if cached is None:
        cached = _scan_roles(sentences)
        _store(sentences, cached)
    return cached


def _scan_roles(sentences: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    joined, starts = join_sentences(sentences)
    hits: dict[str, set[int]] = {}
    for role, m in _MATCHER.finditer(joined):
        hits.setdefault(role, set()).add(sentence_at(starts, m.start()))
    return roles_from_hits(sentences, hits, joined, starts)


def roles_from_hits(
    sentences: tuple[str, ...], hits: dict[str, set[int]], joined: str, starts: list[int]
) -> tuple[frozenset[str], ...]:
    """Roles from cue-phrase hits (role -> sentence indexes) plus figures and quotes;
    the result is cached like `sentence_roles`. Lets the analyze stage find theme and
    cue phrases in one pass of a combined matcher."""
    roles: list[set[str]] = [set() for _ in sentences]
    for role, idx in hits.items():
        for i in idx:
            roles[i].add(role)
    for m in FIGURE.finditer(joined):
        roles[sentence_at(starts, m.start())].add("figure")
    for m in QUOTE.finditer(joined):
        i = sentence_at(starts, m.start())
        if "attribution" in roles[i] or sentences[i].lstrip()[:1] in "\"“":
            roles[i].add("quote")
    result = tuple(frozenset(r) for r in roles)
    _store(sentences, result)
    return result


def context_score(sentence: str, published: datetime | None,
                  roles: frozenset[str] | None = None) -> float:
    """How much a sentence reads as background: history cues and years before publication."""
    score = 0.0
    if roles is not None:
        if "context" in roles:
            score += 1.0
    elif CONTEXT.search(sentence):
        score += 1.0
    if published is not None and any(
        int(y) < published.year for y in _YEAR.findall(sentence)
    ):
        score += 1.0
    return score


def has(pattern: re.Pattern[str], sentence: str) -> bool:
    return pattern.search(sentence) is not None


def is_quote(sentence: str) -> bool:
    return bool(QUOTE.search(sentence)) and (
        bool(ATTRIBUTION.search(sentence)) or sentence.lstrip()[:1] in "\"“"
    )
