"""Quoted words in tokenised text (``like this''), checked against the source's words.

`verify.unsupported_quotes` reads quotation marks as prose writes them (“ ” and ") and
compares the quoted words as written. System summaries and other model output are often
tokenised the Penn Treebank way instead: ``opening'' quotes as two backticks and two
apostrophes, or a lone backtick or a spaced apostrophe (` words ' / ' words '), and
contractions split ("was n't"). Those quotes went unchecked, although words put in
quotation marks claim to be someone's own words, the strongest claim a summary makes.

Here every quoted span, in either style, is compared with the source letters and digits
only (case, spaces, punctuation and the contraction split are ignored), so "``he was
n't going''" matches "“He wasn't going”". A placeholder token of a sequence model ("UNK")
stands for one word the model could not copy: it matches anything, the parts around it
must still occur in order. A span that crosses a sentence end is a mispaired mark, not a
quote, and is skipped, as are one-word quotes (a nickname, a 'term') and spans over
MAX_QUOTE_WORDS words (a mark left open).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Longer spans are a quotation mark left open, not one quote.
MAX_QUOTE_WORDS = 40
# Quotes of fewer words are terms or nicknames ('flipped'), often re-quoted loosely.
MIN_QUOTE_WORDS = 2

# Each opening mark with its own closing mark. A spaced apostrophe opens a quote, except
# after a word ending in "s": there it is the tokenised possessive of a plural
# ("magistrates ' court"), which would pair with the next quote's opening mark and check
# words nobody quoted. A single closing mark is an apostrophe not followed by a letter, so
# "he's" inside a quote does not close it.
_QUOTED = re.compile(
    r"``(?P<a>.+?)''"
    r"|“(?P<b>.+?)”"
    r'|"(?P<c>.+?)"'
    r"|(?<![\w`])`(?!`)(?P<d>.+?)'(?![\w'])"
    r"|(?:(?<=\s)|^)(?<!s\s)'\s(?P<e>.+?)\s'(?![\w'])"
)
_SENTENCE_END = re.compile(r"[.!?]\s+\S")
_PLACEHOLDER = re.compile(r"\[?\bunk\b\]?|<unk>", re.I)
_NOT_ALNUM = re.compile(r"[\W_]+")
_WORDS = re.compile(r"[^\W_]+")


@lru_cache(maxsize=256)
def squash(text: str) -> str:
    """Letters and digits only, lower-cased: "He wasn't going" -> "hewasntgoing"."""
    return _NOT_ALNUM.sub("", text.lower())


def quoted_spans(text: str) -> list[str]:
    """The quoted spans of `text` worth checking, in either quoting style."""
    spans = []
    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None).strip()
        n = len(_WORDS.findall(_PLACEHOLDER.sub(" ", inner)))
        if MIN_QUOTE_WORDS <= n <= MAX_QUOTE_WORDS and not _SENTENCE_END.search(inner):
            spans.append(inner)
    return spans


def in_source(quote: str, source_text: str) -> bool:
    """True when the quote's words occur in the source, placeholders matching anything."""
    haystack = squash(source_text)
    at = 0
    for part in _PLACEHOLDER.split(quote):
        needle = squash(part)
        if not needle:
            continue
        found = haystack.find(needle, at)
        if found < 0:
            return False
        at = found + len(needle)
    return True


def unsupported_quoted(text: str, source_text: str) -> list[str]:
    """Quoted spans of `text` (prose or tokenised quotes) that are not the source's words."""
    return [q for q in quoted_spans(text) if not in_source(q, source_text)]
