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
        if ordered and all(len(a) >= 2 and a[0].isalnum() for a in ordered):
            by_prefix: dict[str, list[str]] = defaultdict(list)
            for alias in ordered:
                by_prefix[alias[:2]].append(re.escape(alias))
            firsts = "".join(sorted({re.escape(a[0]) for a in ordered}))
            self.starts = re.compile(rf"(?<![\w.])[{firsts}]")
            self.groups = {
                prefix: re.compile(rf"(?:{'|'.join(alts)})(?![\w])")
                for prefix, alts in by_prefix.items()
            }

    def scan(self, text: str) -> Iterator[re.Match[str]]:
        """Non-overlapping alias matches, left to right."""
        if self.groups is None:
            yield from self.pattern.finditer(text)
            return
        resume = 0
        for w in self.starts.finditer(text):
            pos = w.start()
            if pos < resume:
                continue
            group = self.groups.get(text[pos:pos + 2])
            m = group.match(text, pos) if group is not None else None
            if m is not None:
                resume = m.end()
                yield m

    def canonical(self, match: re.Match[str]) -> str:
        return self.aliases[match.group(0)]
