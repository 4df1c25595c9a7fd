"""Who a report is about: the person its lead names, and the people a story keeps naming.

Two events of the same kind in one place (two Chargers players arrested for drunk
driving a month apart, two actors cast as the Doctor) share nearly every word and name,
and their texts state no age or ordinal that tells them apart (relate/marks.py). What
differs is *who*: the first report of the second event leads with a person that no
report of the first event ever named (the team's defensive tackle, Jamal Williams),
while the person every report of the first event names (Vincent Jackson) is at most
mentioned in passing.

So an article and a story *swap protagonists* when all of this holds:

- the article's lead (first body sentence; the headline too unless it is in Title Case,
  where every word is capitalised and pairs are unreliable) names a person, written as
  "First Surname", whose surname the article repeats and also uses alone, as one does
  for the subject of a report;
- no member of the story ever named that surname (not even in passing);
- the story has a *constant* person: one named as "First Surname" by at least
  `CONSTANT_SHARE` of its members, and it has at least `MIN_MEMBERS` members (a person
  constant over two reports says little);
- the article mentions that constant person less often than its own protagonist.

Story assignment then treats the pair like contradicting event marks (half the score).
It is never a reason to join, only to keep apart.

Persons are read by shape only, without a tagger: two capitalised words that are not
part of a longer name ("San Diego Chargers"), not after a preposition ("at Cliffside
Malibu": a place), not before a speech verb or a facility ("Tishana King says": a
witness; "Betty Ford Center"), and with no word that is a title, a place word or an
institution ("President Obama", "Eastern Conference", "Bible Church").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from newsdesk.relate.openers import OPENERS

MIN_MEMBERS = 4  # a story needs this many members before its constant person counts
CONSTANT_SHARE = 0.7  # named by at least this share of the story's members
MIN_MENTIONS = 2  # a lead protagonist is named at least this often in the article

# A capitalised word ("Smith", "Smith's", "Al-Maliki"); two of them one space apart are a
# candidate "First Surname". Pairs overlap: "When Matt Smith" yields "When Matt" and
# "Matt Smith". Names such as "O'Brien" or "McCain" are not read: a name missed only
# makes a swap less likely, never more.
_WORD = r"[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?"
_FIRST = re.compile(rf"(?<![\w'’-]){_WORD} (?=[A-Z])")  # a capitalised word, then another
_SECOND = re.compile(rf"{_WORD}(?![\w'’-])")
_NEXT_CAPITAL = re.compile(r" [A-Z]")
_PREVIOUS_WORD = re.compile(r"([A-Z][\w'’.-]*) $")
_PREPOSITION_BEFORE = re.compile(r"\b(?:at|in|into|to|from|of|near)\s+$", re.IGNORECASE)
# A source quoted ("King says", "Cornstein, told", "Jones, the coach, said") or a
# facility ("Cliffside Malibu resort") rather than the subject of the report.
_SOURCE_OR_FACILITY_AFTER = re.compile(
    r"\s*(?:,[^,]{0,40},\s*|,\s*)?"
    r"(?:says|said|told|tells|according|resort|center|centre|clinic|hospital|rehab"
    r"|facility|['’]s\s+(?:resort|center|centre|clinic))\b",
    re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")

# Capitalised words that are not (parts of) a person's name: those that open sentences
# (OPENERS, as in the names view), days and months, titles, and words of places and
# institutions.
_NOT_PERSON = OPENERS | frozenset(
    """
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    June July August September October November December
    President Senior Vice General Head Coach Secretary Minister Prime Chief Director
    Manager Assistant Executive Officer Police Department Conference City County State
    University College Court Street Team Club Church Center Centre Clinic Hospital
    Institute Foundation Hall Park Bay North South East West Eastern Western Northern
    Southern National International United
    """.split())


def _longer_name_before(text: str, start: int) -> bool:
    """Whether the pair at `start` continues a capitalised word ("New York Yankees")."""
    previous = _PREVIOUS_WORD.search(text, max(0, start - 30), start)
    if previous is None:
        return False
    word = previous.group(1)
    return word not in _NOT_PERSON and not word.endswith(".")


def person_surnames(text: str) -> set[str]:
    """Surnames of the people `text` names as "First Surname" (possessive dropped)."""
    out: set[str] = set()
    for pair in _FIRST.finditer(text):
        m = _SECOND.match(text, pair.end())
        if m is None:
            continue
        first, last = pair.group()[:-1], _POSSESSIVE.sub("", m.group())
        if first in _NOT_PERSON or last in _NOT_PERSON:
            continue
        start, end = pair.start(), m.end()
        if (_NEXT_CAPITAL.match(text, end) or _longer_name_before(text, start)
                or _SOURCE_OR_FACILITY_AFTER.match(text, end)
                or _PREPOSITION_BEFORE.search(text, max(0, start - 8), start)):
            continue
        out.add(last)
    return out


def _used_alone(surname: str, text: str) -> bool:
    """Whether `text` uses `surname` on its own ("Williams was ...") more often than
    after another capitalised word ("Jamal Williams"): how a report refers to its
    subject once introduced."""
    word = re.escape(surname)
    every = len(re.findall(rf"(?<![\w'’-]){word}(?![\w-])", text))
    after_capital = len(re.findall(rf"[A-Z][\w'’.-]* {word}(?![\w-])", text))
    return every > after_capital


def _title_case(title: str) -> bool:
    words = title.split()
    return sum(w[:1].isupper() for w in words) > 0.6 * len(words)


@dataclass(frozen=True)
class People:
    """The people one article names: its lead protagonists, and every person."""

    lead: frozenset[str] = frozenset()  # surnames
    named: frozenset[str] = frozenset()  # surnames of every "First Surname" in the text


NO_PEOPLE = People()


def article_people(title: str, sentences: Iterable[str],
                   name_counts: Mapping[str, int]) -> People:
    """The lead protagonists and named people of an article.

    `sentences`: the body split into sentences (the first is the lead); `name_counts`:
    how often the article uses each name (the names view's counts)."""
    body_sentences = list(sentences)
    first = body_sentences[0] if body_sentences else ""
    lead_text = ("" if _title_case(title) else title) + "\n" + first
    body = "\n".join([title, *body_sentences])
    lead = frozenset(
        n for n in person_surnames(lead_text)
        if name_counts.get(n, 0) >= MIN_MENTIONS and _used_alone(n, body))
    named = frozenset(person_surnames(body))
    if not lead and not named:
        return NO_PEOPLE
    return People(lead=lead, named=named)


@dataclass
class SeenPeople:
    """How many of a story's members named each person."""

    members: int = 0
    named: Counter[str] = field(default_factory=Counter)

    def add(self, people: People) -> None:
        self.members += 1
        self.named.update(people.named)

    def swapped_by(self, people: People, name_counts: Mapping[str, int],
                   story_names: Mapping[str, float] | set[str]) -> bool:
        """True when the article leads with a person no member named (`story_names`:
        every name the members used) while the person this story keeps naming is,
        in the article, mentioned less than that newcomer."""
        if not people.lead or self.members < MIN_MEMBERS:
            return False
        newcomers = [n for n in people.lead if n not in story_names]
        if not newcomers:
            return False
        top = max(name_counts.get(n, 0) for n in newcomers)
        need = CONSTANT_SHARE * self.members
        return any(k >= need and name_counts.get(n, 0) < top
                   for n, k in self.named.items())
