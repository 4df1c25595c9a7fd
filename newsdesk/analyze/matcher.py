"""Run many word-bounded regular expressions over one text, fast.

Scanning an article once per theme costs ~50 full regex passes per article, most of them
finding nothing. Nearly every theme pattern must start with one of a few known letter
prefixes ("sanction", "tariff", "the west"), so the text's words are looked up in a prefix
index and a pattern is tried (anchored) only where a word starts with one of its
prefixes. Patterns whose start cannot be read off the regex are scanned the slow way.
Results are the same as `pattern.finditer` for patterns wrapped in `\\b(?:...)`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from re import _constants, _parser  # type: ignore[attr-defined]  # stable since 3.11

PREFIX_LEN = 3
WORD_CACHE_MAX = 200_000
# An alternative made only of letters, digits and regex operators matches one word.
_ONE_WORD = re.compile(r"(?:[A-Za-z0-9]|\\w|[?*+()|:\[\]{}])+")


class _Word:
    """A match-like view of one word (start, end, group), for the cached one-word path."""

    __slots__ = ("_text", "_start", "_end")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, _: int = 0) -> str:
        return self._text[self._start:self._end]
_WORD = re.compile(r"\w+")


def _extend(partials: set[str], seq: Iterable, done: set[str]) -> set[str] | None:
    """Prefixes after matching `seq`; finished ones move to `done`. None: unreadable."""
    for op, arg in seq:
        if not partials:
            return partials
        if op is _constants.AT:
            continue
        if op is _constants.LITERAL:
            nxt: set[str] = set()
            for p in partials:
                q = p + chr(arg).lower()
                (done if len(q) >= PREFIX_LEN else nxt).add(q)
            partials = nxt
        elif op is _constants.SUBPATTERN:
            result = _extend(partials, arg[-1], done)
            if result is None:
                return None
            partials = result
        elif op is _constants.BRANCH:
            merged: set[str] = set()
            for alternative in arg[1]:
                result = _extend(set(partials), alternative, done)
                if result is None:
                    return None
                merged |= result
            partials = merged
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT):
            low, high, sub = arg
            once = _extend(set(partials), sub, done)
            if once is None:
                return None
            if high == 1:  # optional part: go on both with and without it
                partials = once | partials if low == 0 else once
                continue
            # After a longer repeat the text may go on in many ways: stop at what is sure.
            done |= once
            if low == 0:
                done |= partials
            partials = set()
        else:  # a class, a wildcard, a lookaround: the prefix ends here
            done |= partials
            partials = set()
    return partials


def prefixes(pattern: str, flags: int = re.I) -> frozenset[str] | None:
    """Lower-case prefixes one of which starts every match; None when unknown or empty."""
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    done: set[str] = set()
    rest = _extend({""}, list(parsed), done)
    if rest is None:
        return None
    done |= rest
    if not done or any(not p or not (p[0].isalnum() or p[0] == "_") for p in done):
        return None
    return frozenset(done)


class MultiMatcher:
    """Find all matches of many patterns (keys -> `\\b(?:...)\\b` regexes) in a text.

    The index maps a prefix to the (key, alternatives) that can start with it; where a
    word starts with indexed prefixes, only those alternatives are tried, in their
    original order, as a small regex compiled once per combination.
    """

    def __init__(self, patterns: dict[str, tuple[re.Pattern[str], list[str]]]) -> None:
        """`patterns`: key -> (compiled whole pattern, its source alternatives)."""
        self.compiled = {k: v[0] for k, v in patterns.items()}
        self.alternatives = {k: list(v[1]) for k, v in patterns.items()}
        bits: dict[str, dict[str, int]] = defaultdict(dict)
        self.slow: list[str] = []
        # Alternatives that match one whole word ("sanctions?", "geopolitic\\w*") depend
        # only on that word: their result is computed once per distinct word and cached.
        self.word_rx: dict[str, re.Pattern[str]] = {}
        word_bits: dict[str, dict[str, int]] = defaultdict(dict)
        self.word_cache: dict[str, tuple[tuple[str, ...], bool | None]] = {}
        for key, (compiled, alternatives) in patterns.items():
            per_alt = [prefixes(alt) for alt in alternatives]
            if not per_alt or any(p is None for p in per_alt):
                self.slow.append(key)
                continue
            single = [_ONE_WORD.fullmatch(a) is not None for a in alternatives]
            if any(single):
                self.word_rx[key] = re.compile(
                    "|".join(f"(?:{a})" for a, one in zip(alternatives, single, strict=True)
                             if one), compiled.flags)
            for n, found in enumerate(per_alt):
                target = word_bits if single[n] else bits
                for prefix in found or ():
                    target[prefix][key] = target[prefix].get(key, 0) | (1 << n)
        self.word_index = {prefix: tuple(keys) for prefix, keys in word_bits.items()}
        self.word_lengths = sorted({len(p) for p in self.word_index})
        self.index = {prefix: tuple(keys.items()) for prefix, keys in bits.items()}
        self.sorted_lengths = sorted({len(p) for p in self.index})
        self.longest = max(self.sorted_lengths, default=0)
        # First two letters of every prefix (one-letter prefixes stand for themselves):
        # most words fail this one set lookup and cost nothing more.
        self.heads = frozenset(p[:2] for p in self.index)
        self._subs: dict[tuple[str, int], re.Pattern[str]] = {}
        # The regexes to try where a word starts with a given head (its first `longest`
        # characters): they depend on the head alone, so they are worked out once.
        self._tries: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}
        # Per word: (one-word keys, regexes to try there), the latter None for words
        # shorter than a head, where the characters after the word decide.
        self._plans: dict[str, tuple[tuple[str, ...],
                                     tuple[tuple[str, re.Pattern[str]], ...] | None]] = {}

    def _word_keys(self, token: str) -> tuple[tuple[str, ...], bool | None]:
        """(keys with a one-word alternative matching this whole lower-cased word, whether
        a multi-word alternative may start here: None when the next character decides)."""
        candidates: set[str] = set()
        for n in self.word_lengths:
            candidates.update(self.word_index.get(token[:n], ()))
        keys = tuple(k for k in self.word_rx if k in candidates
                     and self.word_rx[k].fullmatch(token) is not None)
        multi = (token[:2] in self.heads or token[0] in self.heads) if len(token) > 1 else None
        if len(self.word_cache) < WORD_CACHE_MAX:
            self.word_cache[token] = (keys, multi)
        return keys, multi

    def _sub(self, key: str, mask: int) -> re.Pattern[str]:
        alts = [a for n, a in enumerate(self.alternatives[key]) if mask >> n & 1]
        rx = re.compile(
            r"\b(?:" + "|".join(f"(?:{a})" for a in alts) + r")\b", self.compiled[key].flags
        )
        self._subs[(key, mask)] = rx
        return rx

    def _tries_at(self, head: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(key, regex of its alternatives that may start with `head`), in index order."""
        cands: dict[str, int] = {}
        for n in self.sorted_lengths:
            for key, mask in self.index.get(head[:n], ()):
                cands[key] = cands.get(key, 0) | mask
        tries = tuple((key, self._subs.get((key, mask)) or self._sub(key, mask))
                      for key, mask in cands.items())
        if len(self._tries) < WORD_CACHE_MAX:
            self._tries[head] = tries
        return tries

    def _plan(
        self, token: str
    ) -> tuple[tuple[str, ...], tuple[tuple[str, re.Pattern[str]], ...] | None]:
        keys, multi = self.word_cache.get(token) or self._word_keys(token)
        tries: tuple[tuple[str, re.Pattern[str]], ...] | None = None
        if multi is False:
            tries = ()
        elif multi and len(token) >= self.longest:
            head = token[:self.longest]
            tries = self._tries.get(head)
            if tries is None:
                tries = self._tries_at(head)
        if len(self._plans) < WORD_CACHE_MAX:
            self._plans[token] = (keys, tries)
        return keys, tries

    def finditer(self, text: str) -> Iterator[tuple[str, re.Match[str] | _Word]]:
        """(key, match) for every non-overlapping match of each pattern, per key in order."""
        resume: dict[str, int] = {}
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters change length when lowered
            lowered = "".join(c.lower()[:1] or c for c in text)
        longest, heads = self.longest, self.heads
        plans, plan_of = self._plans, self._plan
        tries_cache, tries_at = self._tries, self._tries_at
        for word in _WORD.finditer(lowered):
            start = word.start()
            token = word.group()
            plan = plans.get(token)
            if plan is None:
                plan = plan_of(token)
            keys_here, tries = plan
            for key in keys_here:
                if resume.get(key, -1) <= start:
                    resume[key] = word.end()
                    yield key, _Word(text, start, word.end())
            if tries is None:  # a short word: what follows it decides
                if lowered[start:start + 2] not in heads and lowered[start] not in heads:
                    continue
                head = lowered[start:start + longest]
                tries = tries_cache.get(head)
                if tries is None:
                    tries = tries_at(head)
            for key, rx in tries:
                if resume.get(key, -1) > start:
                    continue
                m = rx.match(text, start)
                if m is not None:
                    resume[key] = max(m.end(), start + 1)
                    yield key, m
        for key in self.slow:
            for m in self.compiled[key].finditer(text):
                yield key, m
