"""Marks in a text of *which occurrence* of a recurring event it reports.

Two reports of different events of the same kind (two title defences by one boxer, two
castings of the same television role) share nearly all their words and names, so no
similarity tells them apart. What often does is a mark of time or of sequence that the
text states outright:

- **a person's age**: "Klitschko, 32," or "the 36-year-old champion Klitschko". An age is
  a clock: the same person at two ages is two moments at least a year apart.
- **an ordinal in the headline**: "Capaldi revealed as 12th Doctor", "stops Thompson in
  6th round". The Nth of something names one occurrence in a series.
- **a reversal in the headline**: "Obama overturns Bush endangered species rule". Undoing
  an act (overturn, reverse, revoke, rescind, repeal, undo) is an event of its own, later
  than the act it undoes, whose reports share nearly all of the act's words and names.

Story assignment keeps the marks of a story's members (`SeenMarks`) and lowers the score
of an article whose marks *contradict* them: the same key (surname; the word after the
ordinal) with only different values, or a headline reversal when no member's headline
reported one (the reversal of what the story reports, not more of it; once a story holds
a reversal report, more reports of it join freely). Marks that agree, and ages or
ordinals only one side has, change nothing, and most articles carry no marks at all, so
this never pulls articles together; it only keeps apart what the text itself says are
different occurrences.

Left out on purpose: "first" (mostly "for the first time", not a position in a series),
ordinals of time units ("third day of protests" is one ongoing story), and dates and years
mentioned in the text (on ECB+ the years in a lead are mostly background, "the first
since 2005", and a dated feed already has the publication date; see docs/design-notes.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

AGE_TOLERANCE = 1  # years: a birthday between two reports of one event is no conflict

# Both patterns start with literal text, which `re` finds fast; the rest is read around
# each match. "Smith, 26," : the age follows the name between commas.
_AGE_AFTER = re.compile(r",\s(\d\d),\s")
_NAME_BEFORE = re.compile(r"\b([A-Z][\w'’-]*[A-Za-z])$")
# "the 26-year-old (actor) Matt Smith"; also the spaced tokenisation "26 - year - old".
_AGE_BEFORE = re.compile(
    r"year\s?-\s?old\s+(?:[a-z][\w-]*\s+){0,3}((?:[A-Z][\w'’-]*\s+){0,2}[A-Z][\w'’-]*[A-Za-z])")
_YEARS_BEFORE = re.compile(r"\b(\d{1,2})\s?-\s?$")
_ORDINAL_WORDS = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}
_ORDINAL = re.compile(
    r"\b(?:(\d{1,3})(?:st|nd|rd|th)|(" + "|".join(_ORDINAL_WORDS) + r"))\s+([A-Za-z][\w-]*)",
    re.IGNORECASE)
# Ordinals of these count the duration of one ongoing event, not separate occurrences.
_DURATIONS = frozenset(
    """
    minute minutes hour hours day days night nights week weeks month months year years
    straight consecutive successive time-out
    """.split())
_NOT_HEADS = frozenset("of the a an in on at to for and or".split())
# Verbs of undoing an earlier act, used transitively ("overturns the ruling"; not "bus
# overturns in ...", "overturned on appeal": a preposition or nothing follows).
_REVERSAL = re.compile(
    r"\b(?:overturn(?:s|ed|ing)?|revers(?:es|ed|ing)|revok(?:es|ed|ing)"
    r"|rescind(?:s|ed|ing)?|repeal(?:s|ed|ing)?|undo(?:es|ing)?|undid)\b"
    r"(?=\s+(?!(?:in|on|at|near|after|as|into|off|over|and|to|of|for|with)\b)[\w'’-])",
    re.IGNORECASE)


@dataclass(frozen=True)
class EventMarks:
    """The marks one article carries: (key, value) pairs."""

    ages: frozenset[tuple[str, int]] = frozenset()  # (surname, age)
    ordinals: frozenset[tuple[str, int]] = frozenset()  # (following word, N), headline only
    reversal: bool = False  # the headline reports undoing an earlier act

    def __bool__(self) -> bool:
        return bool(self.ages or self.ordinals or self.reversal)


NO_MARKS = EventMarks()


def _surname(name: str) -> str:
    """The last word of a name, without a possessive; a shouted one in title case (the
    names view does the same: "KLITSCHKO" and "Klitschko" are one name)."""
    last = name.split()[-1]
    if last[-2:].lower() in ("'s", "’s"):
        last = last[:-2]
    return last.title() if last.isupper() and len(last) > 4 else last


def event_marks(title: str, text: str) -> EventMarks:
    """Ages of named people anywhere in the article; ordinals and a reversal in its
    headline."""
    body = title + "\n" + text
    ages = set()
    for m in _AGE_AFTER.finditer(body):
        name = _NAME_BEFORE.search(body, max(0, m.start() - 40), m.start())
        if name:
            ages.add((_surname(name.group(1)), int(m.group(1))))
    for m in _AGE_BEFORE.finditer(body):
        age = _YEARS_BEFORE.search(body, max(0, m.start() - 6), m.start())
        if age:
            ages.add((_surname(m.group(1)), int(age.group(1))))
    ordinals = set()
    for m in _ORDINAL.finditer(title):
        n = int(m.group(1)) if m.group(1) else _ORDINAL_WORDS[m.group(2).lower()]
        head = m.group(3).lower()
        if n > 1 and head not in _DURATIONS and head not in _NOT_HEADS:
            ordinals.add((head, n))
    reversal = _REVERSAL.search(title) is not None
    if not ages and not ordinals and not reversal:
        return NO_MARKS
    return EventMarks(ages=frozenset(ages), ordinals=frozenset(ordinals), reversal=reversal)


def _clash(mine: Iterable[tuple[str, int]], seen: Mapping[str, set[int]], tolerance: int
           ) -> bool:
    by_key: dict[str, list[int]] = {}
    for key, value in mine:
        by_key.setdefault(key, []).append(value)
    for key, values in by_key.items():
        known = seen.get(key)
        if known and all(abs(v - k) > tolerance for v in values for k in known):
            return True
    return False


@dataclass
class SeenMarks:
    """The marks of a story's members, by key."""

    ages: dict[str, set[int]] = field(default_factory=dict)
    ordinals: dict[str, set[int]] = field(default_factory=dict)
    reversal: bool = False  # some member's headline reported a reversal

    def add(self, marks: EventMarks) -> None:
        self.reversal = self.reversal or marks.reversal
        for key, value in marks.ages:
            self.ages.setdefault(key, set()).add(value)
        for key, value in marks.ordinals:
            self.ordinals.setdefault(key, set()).add(value)

    def contradicted_by(self, marks: EventMarks) -> bool:
        """True when `marks` give a key these marks know only other values for: a
        person's age more than AGE_TOLERANCE years off every age seen for that surname,
        or an ordinal of the same word that no member had; or when they report a
        reversal and no member did."""
        if not marks:
            return False
        return (_clash(marks.ages, self.ages, AGE_TOLERANCE)
                or _clash(marks.ordinals, self.ordinals, 0)
                or (marks.reversal and not self.reversal))
