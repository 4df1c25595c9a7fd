"""Countries and blocs mentioned in an article, from the shipped gazetteer.

"Moscow", "the Kremlin" and "Russian" all mean Russia for tagging: the gazetteer maps every
alias to one canonical place, and one compiled alternation finds them all in a single pass.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsdesk.analyze.aliases import AliasScanner
from newsdesk.analyze.sentences import join_sentences, sentence_at
from newsdesk.config import packaged_data, read_yaml


@dataclass(frozen=True)
class Place:
    name: str
    short: str
    kind: str
    region: str


@dataclass(frozen=True, eq=False)
class Gazetteer:
    places: dict[str, Place]
    alias_to_place: dict[str, str]
    scanner: AliasScanner

    def scan(self, text: str) -> Iterator[re.Match[str]]:
        """Non-overlapping place-alias matches."""
        return self.scanner.scan(text)

    def find(self, sentences: list[str] | tuple[str, ...]) -> dict[str, list[int]]:
        """Canonical place name -> indexes of the sentences that mention it."""
        return self.locate(sentences)[0]

    def locate(
        self, sentences: list[str] | tuple[str, ...]
    ) -> tuple[dict[str, list[int]], list[tuple[int, int]]]:
        """`find`, plus the span of every match in the sentences joined by newlines
        (`join_sentences`), so entity recognition can skip places without a rescan."""
        joined, starts = join_sentences(sentences)
        found: dict[str, list[int]] = defaultdict(list)
        spans: list[tuple[int, int]] = []
        for m in self.scan(joined):
            name = self.alias_to_place[m.group(0)]
            i = sentence_at(starts, m.start())
            if not found[name] or found[name][-1] != i:
                found[name].append(i)
            spans.append(m.span())
        return dict(found), spans

    def names_in(self, text: str) -> frozenset[str]:
        """Canonical places named in one piece of text (cached: briefs ask repeatedly)."""
        return _names_in(self, text)


@lru_cache(maxsize=32768)
def _names_in(gazetteer: Gazetteer, text: str) -> frozenset[str]:
    return frozenset(gazetteer.alias_to_place[m.group(0)] for m in gazetteer.scan(text))


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    data = read_yaml(path or packaged_data("gazetteer.yaml"), "gazetteer")
    places: dict[str, Place] = {}
    aliases: dict[str, str] = {}
    for entry in data.get("places", []):
        place = Place(
            name=entry["name"],
            short=entry.get("short") or entry["name"],
            kind=entry.get("kind", "country"),
            region=entry.get("region", "Global"),
        )
        places[place.name] = place
        for alias in [place.name, *entry.get("aliases", [])]:
            aliases.setdefault(str(alias), place.name)
    return Gazetteer(places=places, alias_to_place=aliases, scanner=AliasScanner(aliases))


@lru_cache(maxsize=4)
def default_gazetteer() -> Gazetteer:
    return load_gazetteer()
