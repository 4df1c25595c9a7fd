"""Entities: the people, organisations and places an article names, in canonical form.

Known names come from the shipped gazetteer (countries, capitals and demonyms map to
their country; central banks, state companies and leaders to their full names). Names
the gazetteer lacks are recognised by shape: a run of capitalised words introduced by a
title ("Foreign Minister", "analyst"), followed by a role ("Chen Mingyu, a trade
economist at ..."), or ending in an organisation word ("... Institute", "... Bank").
A later mention by surname alone ("Chen said") resolves to the full name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsdesk.analyze.aliases import AliasScanner
from newsdesk.analyze.places import Gazetteer
from newsdesk.analyze.sentences import join_sentences
from newsdesk.config import packaged_data, read_yaml
from newsdesk.models import Entity, Span


@dataclass(frozen=True)
class Known:
    name: str
    type: str  # "person" | "organisation"
    role: str | None = None
    country: str | None = None


@dataclass(frozen=True, eq=False)
class Directory:
    known: dict[str, Known]
    scanner: AliasScanner


def load_directory(path: Path | None = None) -> Directory:
    data = read_yaml(path or packaged_data("gazetteer.yaml"), "gazetteer")
    known: dict[str, Known] = {}
    aliases: dict[str, str] = {}
    for section, kind in (("organisations", "organisation"), ("people", "person")):
        for entry in data.get(section, []) or []:
            item = Known(name=entry["name"], type=kind, role=entry.get("role"),
                         country=entry.get("country"))
            known[item.name] = item
            for alias in [item.name, *(entry.get("aliases") or [])]:
                aliases.setdefault(str(alias), item.name)
    return Directory(known=known, scanner=AliasScanner(aliases))


@lru_cache(maxsize=2)
def default_directory() -> Directory:
    return load_directory()


# --- names the gazetteer does not know ------------------------------------------------------

_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?|[A-Z]{2,5}|[A-Z]\.)"
_NAME_MORE = (r"(?: (?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?|[A-Z]{2,5}|[A-Z]\.|of|the|and|for|de|"
              r"van|von|bin|al|&))")
# A run of up to six capitalised words (and connectors) standing alone.
_NAME = re.compile(rf"(?<![\w.'’-]){_NAME_WORD}{_NAME_MORE}{{0,5}}(?![\w'’-])")
# The same runs when they have two words or more: the first word is _NAME_WORD with its
# capital letter taken out front and the "nothing before it" check made after it, so the
# pattern starts with a character class and the engine skips in C to capital letters.
# Matches are exactly those of _NAME that contain a space (each of its words can be read
# only one way, so dropping the one-word runs moves no other match; tested).
_NAME_MULTI = re.compile(
    rf"[A-Z](?<![\w.'’-].)(?:[a-z]+(?:[-'’][A-Z]?[a-z]+)?|[A-Z]{{1,4}}|\.)"
    rf"{_NAME_MORE}{{1,5}}(?![\w'’-])"
)
TITLES = (
    "President|Vice President|Prime Minister|Deputy Prime Minister|Premier|Chancellor|"
    "Foreign Minister|Finance Minister|Trade Minister|Economy Minister|Energy Minister|"
    "Commerce Minister|Minister|Secretary|Treasury Secretary|Commerce Secretary|"
    "Secretary of State|Governor|Deputy Governor|Chairman|Chairwoman|Chair|Ambassador|"
    "Senator|Representative|Spokesman|Spokeswoman|Spokesperson|General|Admiral|Director|"
    "Professor|Dr\\.?|Mr\\.?|Mrs\\.?|Ms\\.?|CEO|Chief Executive|King|Crown Prince|Sheikh|"
    "Commissioner|Envoy|Mayor|Ayatollah|Emir"
)
_TITLE_BEFORE = re.compile(rf"(?:\b(?P<title>{TITLES})\s+)$")
_ROLE_AFTER = re.compile(
    r",\s(?P<role>(?:a|an|the)\s[^,.;\"“”]{3,90}?|(?:chief|senior|head|deputy|director|"
    r"president|chairman|founder|professor|partner|spokes\w+|analyst|economist|strategist|"
    r"researcher|minister|governor|ambassador|adviser|advisor|managing)[^,.;\"“”]{0,90}?)"
    r"(?=[,.;]|\s(?:said|says|told|added|warned|noted)\b|$)"
)
_SAID_AFTER = re.compile(r"^\s(?:said|says|told|added|warned|noted|argued|wrote|stressed)\b")
_ROLE_WORDS = re.compile(
    r"\b(?:analyst|economist|strategist|researcher|director|chief|head|professor|"
    r"minister|spokes\w+|official|adviser|advisor|governor|chairman|partner|trader|"
    r"executive|founder|manager|president|ambassador|envoy|secretary|fellow|lecturer)\b",
    re.I,
)
_ORG_HEADS = frozenset(
    """
    Bank Group Ministry Council Institute Company Corp Corporation Ltd Limited Agency
    Exchange Association University Fund Committee Administration Commission Office Service
    Authority Partners Capital Advisory Research Union Organisation Organization Forum
    Holdings Motors Motor Energy Airlines Railways Post Times Review Wire Monitor Daily
    Courier Observer Ledger News Foundation Centre Center Academy Chamber Federation Board
    Investments Securities Markets Consulting Analytics Economics Insights Group Trust
    Alliance Party Parliament Court Department Bureau Inc Co Industries Shipping Logistics
    Guard Command TV Police Army Navy Force Forces Media Radio Television Network Press Club
    Team Agency Ministry Post Journal Tribune Herald Gazette Telegraph Standard Institution
    """.split()
)
_NOT_NAMES = frozenset(
    """
    The A An In On At By For From To Of And But Or If As It Its This That These Those
    He She They We I You His Her Their Our My Your Since While When After Before During
    Although However Meanwhile Still Yet So Then Also Last Next First Second Third New Some
    Many Most More Both All Each Every Such No Not Only Even Just Over Under About Around
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    May June July August September October November December Asked Speaking According
    Analysts Officials Traders Economists Exporters Importers Investors Shipments Exports
    Imports Trade Sales Prices Growth Chinese Russian Western European American Yesterday
    Today Tomorrow Former Democrat Republican Prosecutor Ecologist Assemblywoman Assemblyman
    Officer Lawmaker Police Judge Justice Colonel Captain Lieutenant Sergeant
    """.split()
)
_SURNAME_REF = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?(?![\w'’-])")


_TITLE_START = re.compile(rf"^(?:{TITLES}) ")


@lru_cache(maxsize=65536)
def _trim(name: str) -> str:
    """Drop leading function words, titles and trailing connectors: 'In Moscow' ->
    'Moscow', 'The Washington Post' -> 'Washington Post', 'President Andrzej Duda' ->
    'Andrzej Duda' (the title is read separately), 'China and' -> 'China'."""
    words = name.split()
    while words and (words[0] in _NOT_NAMES or words[0] in ("the",)):
        words = words[1:]
    while words and _TITLE_START.match(" ".join(words) + " ") and len(words) > 2:
        title = _TITLE_START.match(" ".join(words) + " ")
        assert title is not None
        words = " ".join(words)[title.end():].split()
    while words and words[-1] in ("of", "the", "and", "for", "de", "&", "van", "von", "bin",
                                  "al"):
        words = words[:-1]
    return " ".join(words)


@dataclass
class _Found:
    name: str
    type: str
    role: str | None
    sentences: list[int]
    spans: list[Span]


_CONNECTORS = frozenset(("of", "the", "and", "for", "de", "&", "van", "von", "bin", "al"))


def _intersects(spans: list[tuple[int, int]], ends: list[int], start: int, end: int) -> bool:
    """Does [start, end) intersect one of `spans` (sorted, non-overlapping; `ends` their
    ends)? Only the first span ending after `start` can."""
    k = bisect_right(ends, start)
    return k < len(spans) and spans[k][0] < end


def _inside(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Is [start, end) contained in one of `spans` (sorted, non-overlapping)?"""
    k = bisect_right(starts, start) - 1
    return k >= 0 and end <= spans[k][1]


def find_entities(
    sentences: list[str] | tuple[str, ...],
    gazetteer: Gazetteer,
    directory: Directory | None = None,
    *,
    place_spans: list[tuple[int, int]] | None = None,
) -> list[Entity]:
    """People and organisations (known and recognised), with mentions and spans.

    Places are found by `Gazetteer.find` (they carry regions for tagging) and merged by
    the caller; here a run of capitals that is a place is skipped. `place_spans`, the
    place matches in the sentences joined by newlines (`Gazetteer.locate`), saves a
    second scan when the caller already has them."""
    directory = directory or default_directory()
    joined, starts = join_sentences(sentences)
    found: dict[str, _Found] = {}

    def add(name: str, kind: str, role: str | None, start: int, end: int) -> None:
        i = bisect_right(starts, start) - 1
        item = found.get(name)
        if item is None:
            item = found[name] = _Found(name, kind, role, [], [])
        if role and not item.role:
            item.role = role
        if not item.sentences or item.sentences[-1] != i:
            item.sentences.append(i)
        offset = starts[i]
        item.spans.append(Span(sentence=i, start=start - offset, end=end - offset))

    known_spans: list[tuple[int, int]] = []
    for m in directory.scanner.scan(joined):
        k = directory.known[directory.scanner.canonical(m)]
        add(k.name, k.type, k.role, m.start(), m.end())
        known_spans.append(m.span())
    known_ends = [e for _, e in known_spans]
    if place_spans is None:
        place_spans = [m.span() for m in gazetteer.scan(joined)]
    place_starts = [s for s, _ in place_spans]

    # Recognised names: a name skipped when it overlaps a known name or lies inside a
    # place. Names recognised earlier in this loop end before the next match starts, so
    # only the known names need checking here.
    recognised: list[tuple[int, int]] = []
    # A one-word run counts only as a name already found, and the only one-word names
    # found are known names, which the directory scan has already claimed wherever they
    # stand alone: so one-word runs can be skipped, unless a directory was built with a
    # one-word name that is not among its own aliases.
    lone = any(" " not in n and n not in directory.scanner.aliases for n in found)
    for m in (_NAME if lone else _NAME_MULTI).finditer(joined):
        raw = m.group(0)
        if " " not in raw:
            # A single capitalised word counts only as a name already found.
            if raw not in found or raw in _NOT_NAMES:
                continue
            name, offset = raw, 0
        else:
            name = _trim(raw)
            if not name or " " not in name and name not in found:
                continue
            offset = raw.find(name)
            if offset < 0:
                continue
        start = m.start() + offset
        end = start + len(name)
        if _intersects(known_spans, known_ends, start, end) or _inside(
            place_spans, place_starts, start, end
        ) or "\n" in name:
            continue
        line_start = joined.rfind("\n", 0, start) + 1
        before = joined[max(line_start, start - 40):start]
        after = joined[end:end + 120]
        title = _TITLE_BEFORE.search(before) or _TITLE_START.match(raw[:offset + 1] if offset
                                                                   else "")
        role_m = _ROLE_AFTER.match(after)
        last = name.rsplit(" ", 1)[-1]
        if last in _ORG_HEADS and " of " in name:
            left, right = name.split(" of ", 1)
            if len(left.split()) >= 2 and left.split()[-1] not in _ORG_HEADS and len(
                right.split()
            ) >= 2:  # "Carl Lipo of Binghamton University": a person and an organisation
                add(left, "person", None, start, start + len(left))
                r_start = start + len(left) + 4
                add(right, "organisation", None, r_start, r_start + len(right))
                recognised.append((start, start + len(left)))
                recognised.append((r_start, r_start + len(right)))
                continue
        if last in _ORG_HEADS:
            add(name, "organisation", None, start, end)
            recognised.append((start, end))
        elif title or (role_m and _ROLE_WORDS.search(role_m.group("role"))) or (
            _SAID_AFTER.match(after) and 2 <= len(name.split()) <= 3
        ):
            role = title.group("title") if title else None
            if role_m and _ROLE_WORDS.search(role_m.group("role")):
                role = role_m.group("role").strip()
            if all(w[0].isupper() for w in name.split()) and len(name.split()) <= 4:
                add(name, "person", role, start, end)
                recognised.append((start, end))

    # Surnames alone ("Chen said") refer to the person already named in full.
    people = {n.split()[-1]: n for n, f in found.items() if f.type == "person" and " " in n}
    if people:
        taken = sorted(known_spans + recognised)
        taken_ends = [e for _, e in taken]
        # Where each surname occurs as a whole word (what `_SURNAME_REF.finditer` would
        # yield for it), found with str.find rather than a loop over every capitalised word.
        hits = []
        for surname, full in people.items():
            pos = joined.find(surname)
            while pos >= 0:
                ref = _SURNAME_REF.match(joined, pos)
                if ref is not None and ref.end() - pos == len(surname):
                    hits.append((pos, pos + len(surname), full))
                pos = joined.find(surname, pos + len(surname))
        for start, end, full in sorted(hits):
            if not _intersects(taken, taken_ends, start, end) and not _inside(
                place_spans, place_starts, start, end
            ):
                add(full, "person", None, start, end)
    return [
        Entity(name=f.name, type=f.type, canonical=f.name, role=f.role,  # type: ignore[arg-type]
               mentions=len(f.spans), sentences=f.sentences, spans=f.spans)
        for f in sorted(found.values(), key=lambda f: (-len(f.spans), f.name))
    ]


def by_sentence(entities: list[Entity]) -> dict[int, list[Entity]]:
    out: dict[int, list[Entity]] = defaultdict(list)
    for e in entities:
        for i in e.sentences:
            out[i].append(e)
    return out
