"""Find any of many fixed names in a text: the shared engine of places and entities.

One flat alternation of ~1,500 aliases tried at every position of an article is slow in
Python's regex engine: it tries the aliases one by one. Here the aliases are compiled
into one regex shaped as a trie (one branch per first letter, then per next letter, ...),
so the engine follows a single path per position, and the branches all start with a
literal, which lets it skip in C to the positions where some alias can start. Longest
alias first, case-sensitive, whole words only; the results are those of the one flat
alternation (`reference_pattern`, kept for tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A trie node: next character -> node; the key "" marks the end of an alias.
_Trie = dict[str, "_Trie"]


def _trie_body(node: _Trie) -> str:
    """Regex for the rest of the aliases below `node`: longer continuations first, so
    the first match the engine finds is the longest alias (only one child can match the
    next character of the text, and an alias that ends here is tried last)."""
    alts = [re.escape(ch) + _trie_body(child) for ch, child in sorted(node.items()) if ch]
    if "" in node:
        alts.append("")
    if len(alts) == 1:
        return alts[0]
    return "(?:" + "|".join(alts) + ")"


def trie_pattern(aliases: list[str]) -> re.Pattern[str]:
    """`(?<![\\w.])(?:alias|...)(?![\\w])` with the alternation folded into a trie.

    The "no word character or period before" check is made after the first letter (as
    a two-character lookbehind), so every top-level branch starts with a literal and the
    engine can search for the possible first letters without entering the pattern."""
    trie: _Trie = {}
    for alias in aliases:
        node = trie
        for ch in alias:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return re.compile(r"(?!)")
    top = [re.escape(ch) + r"(?<![\w.].)" + _trie_body(child)
           for ch, child in sorted(trie.items()) if ch]
    return re.compile("(?:" + "|".join(top) + r")(?![\w])")


class AliasScanner:
    def __init__(self, aliases: dict[str, str]) -> None:
        """`aliases`: alias as written -> canonical name."""
        self.aliases = dict(aliases)
        self.pattern = trie_pattern([a for a in self.aliases if a])

    def reference_pattern(self) -> re.Pattern[str]:
        """The plain alternation `scan` is equivalent to (slow; for tests)."""
        ordered = sorted(self.aliases, key=len, reverse=True)
        alternation = "|".join(re.escape(a) for a in ordered if a) or "(?!)"
        return re.compile(rf"(?<![\w.])(?:{alternation})(?![\w])")

    def scan(self, text: str) -> Iterator[re.Match[str]]:
        """Non-overlapping alias matches, left to right (longest alias first)."""
        return self.pattern.finditer(text)

    def canonical(self, match: re.Match[str]) -> str:
        return self.aliases[match.group(0)]
