"""Small text helpers shared by the brief stages: content tokens and light trimming."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves said says say year years new one two three per cent
    percent mr ms also its it's last first according told since while amid
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_LEADING = re.compile(
    r"^(?:however|meanwhile|in the meantime|still|yet|but|and|so|also|in part|moreover|"
    r"furthermore|indeed|on china's end|at the same time|in addition|separately)\s*,?\s+",
    re.I,
)


@lru_cache(maxsize=65536)
def content_tokens(sentence: str) -> frozenset[str]:
    """Lower-cased content words with a crude plural strip, for overlap measures."""
    out = set()
    for w in _WORD.findall(sentence.lower()):
        if w in STOPWORDS or len(w) < 3:
            continue
        out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def trim_lead(sentence: str) -> str:
    """Drop a leading connective ("However, ...") so a bullet stands alone.

    The result is still a contiguous part of the source sentence, which the verifier checks.
    """
    trimmed = _LEADING.sub("", sentence, count=1)
    if trimmed != sentence and trimmed:
        return trimmed[0].upper() + trimmed[1:]
    return sentence


def word_len(sentence: str) -> int:
    return len(sentence.split())
