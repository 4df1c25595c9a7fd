"""Find any of many fixed names in a text: the shared engine of places and entities.

One alternation of ~1,500 aliases tried at every position of an article is slow in
Python's regex engine; here a small alternation per two-letter prefix is tried only at
word starts whose first letter begins some alias. Longest alias first, case-sensitive,
whole words only; results are those of the one big alternation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator


class AliasScanner:
    def __init__(self, aliases: dict[str, str]) -> None:
        """`aliases`: alias as written -> canonical name."""
        self.aliases = dict(aliases)
        ordered = sorted(self.aliases, key=len, reverse=True)
        alternation = "|".join(re.escape(a) for a in ordered) or "(?!)"
        self.pattern = re.compile(rf"(?<![\w.])(?:{alternation})(?![\w])")
        self.groups: dict[str, re.Pattern[str]] | None = None
        self.starts = re.compile(r"(?!)")
        # Aliases that start in lower case ("the West") would make every "the" a
        # candidate: they get one small alternation of their own, scanned separately.
        lower = [a for a in ordered if not a[:1].isupper()]
        upper = [a for a in ordered if a[:1].isupper()]
        self.lower = (
            re.compile(rf"(?<![\w.])(?:{'|'.join(re.escape(a) for a in lower)})(?![\w])")
            if lower else None
        )
        if upper and all(len(a) >= 2 for a in upper):
            by_prefix: dict[str, list[str]] = defaultdict(list)
            for alias in upper:
                by_prefix[alias[:2]].append(re.escape(alias))
            firsts = "".join(sorted({re.escape(a[0]) for a in upper}))
            self.starts = re.compile(rf"(?<![\w.])[{firsts}]")
            self.groups = {
                prefix: re.compile(rf"(?:{'|'.join(alts)})(?![\w])")
                for prefix, alts in by_prefix.items()
            }

    def scan(self, text: str) -> Iterator[re.Match[str]]:
        """Non-overlapping alias matches, left to right (longest alias first)."""
        if self.groups is None:
            yield from self.pattern.finditer(text)
            return
        pending = list(self.lower.finditer(text)) if self.lower is not None else []
        k = 0
        resume = 0
        for w in self.starts.finditer(text):
            pos = w.start()
            while k < len(pending) and pending[k].start() <= pos:
                if pending[k].start() >= resume:
                    resume = pending[k].end()
                    yield pending[k]
                k += 1
            if pos < resume:
                continue
            group = self.groups.get(text[pos:pos + 2])
            m = group.match(text, pos) if group is not None else None
            if m is not None:
                resume = m.end()
                yield m
        for m in pending[k:]:
            if m.start() >= resume:
                resume = m.end()
                yield m

    def canonical(self, match: re.Match[str]) -> str:
        return self.aliases[match.group(0)]
