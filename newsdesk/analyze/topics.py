"""Topic tags from a YAML taxonomy, each with a score and the sentences that earned it.

A theme is a set of regular expressions. Its score adds up the sentences that match
(lead sentences and the headline count more, a second distinct match in one sentence a
little), and a threshold that grows slowly with article length keeps passing mentions out.
Country-pair tags ("China-Russia Trade") fire when two countries are prominent and the
sentences that mention them carry a trade theme.

Users extend the taxonomy by writing their own YAML file in the same shape and naming it
in NEWSDESK_TAXONOMY (several files separated by ':'); a theme with an existing id
replaces the shipped one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import combinations
from pathlib import Path
from typing import TypeVar

from newsdesk.analyze.matcher import MultiMatcher
from newsdesk.analyze.places import Gazetteer
from newsdesk.analyze.sentences import join_sentences, sentence_at
from newsdesk.config import packaged_data, read_yaml
from newsdesk.errors import InputError
from newsdesk.models import Topic

GROUPS = ("geopolitics", "trade", "energy", "finance", "technology", "security", "economy")
DEFAULT_THRESHOLD = 2.0
LEAD_SENTENCES = 2
PAIR_RELATIVE_CUTOFF = 0.5


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    group: str
    description: str
    pattern: re.Pattern[str]
    sources: tuple[str, ...] = ()  # the YAML patterns, for the prefix index


@dataclass(frozen=True)
class PairRule:
    themes: frozenset[str]
    label: str = "{a}-{b} Trade"
    threshold: float = 2.0
    min_mentions: int = 2
    # Sentences where these themes match are about restricting trade ("US sanctions on
    # Russia"), not about trade between the two countries: they count for less.
    discount: frozenset[str] = frozenset()
    discount_weight: float = 0.25


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    threshold: float = DEFAULT_THRESHOLD
    pairs: PairRule | None = None

    @cached_property
    def matcher(self) -> MultiMatcher:
        return MultiMatcher({t.id: (t.pattern, list(t.sources)) for t in self.themes})

    @cached_property
    def combined(self) -> MultiMatcher:
        """Themes and cue phrases ("cue:<role>") in one matcher: one pass per article."""
        from newsdesk.analyze.cues import CUES, PATTERNS

        patterns = {t.id: (t.pattern, list(t.sources)) for t in self.themes}
        patterns.update({f"cue:{r}": (PATTERNS[r], alts) for r, alts in CUES.items()})
        return MultiMatcher(patterns)

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)


def _compile_theme(entry: dict, source: Path) -> Theme:
    where = f"{source}: theme {entry.get('id', '?')!r}"
    missing = [k for k in ("id", "label", "patterns") if not entry.get(k)]
    if missing:
        raise InputError(f"{where}: missing {', '.join(missing)}")
    group = entry.get("group", "geopolitics")
    if group not in GROUPS:
        raise InputError(f"{where}: group {group!r} is not one of {', '.join(GROUPS)}")
    if not isinstance(entry["patterns"], list):
        raise InputError(f"{where}: 'patterns' must be a list of regular expressions")
    bad = [p for p in entry["patterns"] if not isinstance(p, str)]
    if bad:
        raise InputError(
            f"{where}: pattern {bad[0]!r} is not text; quote patterns that contain ': '"
        )
    patterns = list(entry["patterns"])
    for p in patterns:
        try:
            compiled = re.compile(p, re.I)
        except re.error as exc:
            raise InputError(f"{where}: pattern {p!r} is not a valid regex ({exc})") from exc
        if compiled.fullmatch(""):
            raise InputError(f"{where}: pattern {p!r} matches the empty string")
    alternation = "|".join(f"(?:{p})" for p in patterns)
    return Theme(
        id=str(entry["id"]),
        label=str(entry["label"]),
        group=group,
        description=str(entry.get("description", "")),
        pattern=re.compile(rf"\b(?:{alternation})\b", re.I),
        sources=tuple(patterns),
    )



N = TypeVar("N", int, float)


def _number(value: object, kind: type[N], key: str, path: Path) -> N:
    try:
        return kind(value)  # type: ignore[arg-type,call-overload]
    except (TypeError, ValueError):
        raise InputError(f"{path}: {key} {value!r} is not a number") from None


def load_taxonomy(extra: Iterable[Path] = ()) -> Taxonomy:
    """The shipped taxonomy, then each extra file in order (same id replaces)."""
    themes: dict[str, Theme] = {}
    threshold = DEFAULT_THRESHOLD
    pairs: PairRule | None = None
    for path in [packaged_data("taxonomy.yaml"), *extra]:
        data = read_yaml(Path(path), "taxonomy")
        if not isinstance(data.get("themes", []), list):
            raise InputError(f"{path}: expected a mapping with a 'themes' list")
        for entry in data.get("themes", []):
            if not isinstance(entry, dict):
                raise InputError(f"{path}: theme {entry!r} is not a mapping with id, label "
                                 "and patterns")
            theme = _compile_theme(entry, Path(path))
            themes[theme.id] = theme
        threshold = _number(data.get("threshold", threshold), float, "threshold", path)
        if rule := data.get("country_pairs"):
            if not isinstance(rule, dict):
                raise InputError(f"{path}: country_pairs must be a mapping (see the shipped "
                                 "taxonomy.yaml)")
            pairs = PairRule(
                themes=frozenset(rule.get("themes", [])),
                label=rule.get("label", "{a}-{b} Trade"),
                threshold=_number(rule.get("threshold", 2.0), float,
                                  "country_pairs.threshold", path),
                min_mentions=_number(rule.get("min_mentions", 2), int,
                                     "country_pairs.min_mentions", path),
                discount=frozenset(rule.get("discount_themes", [])),
                discount_weight=_number(rule.get("discount_weight", 0.25), float,
                                        "country_pairs.discount_weight", path),
            )
    return Taxonomy(themes=tuple(themes.values()), threshold=threshold, pairs=pairs)


@lru_cache(maxsize=8)
def cached_taxonomy(extra: tuple[Path, ...] = ()) -> Taxonomy:
    return load_taxonomy(extra)


def _hits_by_theme(sentences: list[str], taxonomy: Taxonomy) -> dict[str, dict[int, int]]:
    """Theme id -> sentence index -> number of distinct matching phrases, in one pass."""
    joined, starts = join_sentences(sentences)
    found: dict[str, dict[int, set[str]]] = {}
    for key, m in taxonomy.matcher.finditer(joined):
        i = sentence_at(starts, m.start())
        found.setdefault(key, {}).setdefault(i, set()).add(m.group(0).lower())
    return {k: {i: len(v) for i, v in per.items()} for k, per in found.items()}


def scan_article(
    sentences: list[str], taxonomy: Taxonomy
) -> tuple[dict[str, dict[int, int]], dict[str, set[int]], str, list[int]]:
    """One pass for themes and cue phrases: (theme hits, cue role -> sentences, joined
    text, sentence start offsets)."""
    joined, starts = join_sentences(sentences)
    themes: dict[str, dict[int, set[str]]] = {}
    cues: dict[str, set[int]] = {}
    for key, m in taxonomy.combined.finditer(joined):
        i = sentence_at(starts, m.start())
        if key.startswith("cue:"):
            cues.setdefault(key[4:], set()).add(i)
        else:
            themes.setdefault(key, {}).setdefault(i, set()).add(m.group(0).lower())
    hits = {k: {i: len(v) for i, v in per.items()} for k, per in themes.items()}
    return hits, cues, joined, starts


def theme_hits(sentences: list[str], theme: Theme) -> dict[int, int]:
    """Sentence index -> number of distinct matching phrases (one theme, plain scan)."""
    hits: dict[int, set[str]] = {}
    for i, sentence in enumerate(sentences):
        for m in theme.pattern.finditer(sentence):
            hits.setdefault(i, set()).add(m.group(0).lower())
    return {i: len(v) for i, v in hits.items()}


def _sentence_weight(i: int, n_hits: int) -> float:
    return (1.5 if i < LEAD_SENTENCES else 1.0) + 0.25 * min(n_hits - 1, 2)


def length_threshold(base: float, n_sentences: int) -> float:
    """Long articles mention more in passing: the bar rises with sqrt of length past 20."""
    return base * max(1.0, math.sqrt(n_sentences / 20))


def tag_article(
    title: str,
    sentences: list[str],
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    places: dict[str, list[int]] | None = None,
    by_theme: dict[str, dict[int, int]] | None = None,
) -> list[Topic]:
    """Tags above the threshold, strongest first, each with its evidence sentences.

    `by_theme` (theme id -> sentence -> distinct matches) may come from a combined scan
    (`scan_article`); otherwise the themes are matched here."""
    threshold = length_threshold(taxonomy.threshold, len(sentences))
    topics: list[Topic] = []
    all_hits: dict[str, dict[int, int]] = {}
    if by_theme is None:
        by_theme = _hits_by_theme(sentences, taxonomy)
    title_themes = {key for key, _ in taxonomy.matcher.finditer(title)} if title else set()
    for theme in taxonomy.themes:
        hits = by_theme.get(theme.id, {})
        in_title = theme.id in title_themes
        if not hits and not in_title:
            continue
        all_hits[theme.id] = hits
        score = sum(_sentence_weight(i, n) for i, n in hits.items()) + (1.5 if in_title else 0)
        if score >= threshold and hits:
            topics.append(
                Topic(
                    tag=theme.id, label=theme.label, group=theme.group,
                    score=round(score, 2), evidence=sorted(hits),
                )
            )
    if taxonomy.pairs:
        if places is None:
            places = gazetteer.find(sentences)
        topics.extend(_pair_topics(title, sentences, taxonomy, gazetteer, places, all_hits))
    topics.sort(key=lambda t: (-t.score, t.label))
    return topics


def _pair_topics(
    title: str,
    sentences: list[str],
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    places: dict[str, list[int]],
    all_hits: dict[str, dict[int, int]],
) -> list[Topic]:
    rule = taxonomy.pairs
    assert rule is not None
    trade = {i for tid in rule.themes for i in all_hits.get(tid, {})}
    restricted = {i for tid in rule.discount for i in all_hits.get(tid, {})}

    def weight(i: int) -> float:
        return rule.discount_weight if i in restricted else 1.0

    if not trade:
        return []
    title_places = set(gazetteer.find([title])) if title else set()
    prominent = sorted(
        (
            name for name, idx in places.items()
            if gazetteer.places[name].kind == "country"
            and (len(idx) >= rule.min_mentions or name in title_places)
        ),
        key=lambda n: -len(places[n]),
    )[:5]
    # "Trade between China and Russia ..., a US order": a sentence that names its pair
    # is evidence for that pair only, not for every country it also mentions.
    named = {i: pair for i in trade if (pair := _named_pair(sentences[i], gazetteer))}
    # A title naming three countries ("US chip rules squeeze China and Russia") singles out
    # the pair the article mentions most; the others get half the title's weight.
    in_title_count = len(title_places & set(prominent))
    lead = set(prominent[:2])
    out: list[Topic] = []
    for a, b in combinations(prominent, 2):
        ia, ib = set(places[a]), set(places[b])
        both = trade & ia & ib
        only_a, only_b = (trade & ia) - both, (trade & ib) - both
        core = sum(rule.discount_weight if named.get(i, {a, b}) != {a, b} else weight(i)
                   for i in both)
        # Each country trading on its own adds a little, but only as much as the less
        # engaged one: a pair needs both sides, not one busy country and a bystander.
        side = min(sum(weight(i) for i in only_a), sum(weight(i) for i in only_b))
        in_title = a in title_places and b in title_places
        title_bonus = 1.0 if in_title_count <= 2 or {a, b} == lead else 0.5
        score = core + 0.5 * side + (title_bonus if in_title else 0.0)
        if score < rule.threshold or core < (1.0 if in_title and title_bonus == 1.0 else 1.5):
            continue
        pa, pb = sorted((gazetteer.places[a], gazetteer.places[b]), key=lambda p: p.short)
        out.append(
            Topic(
                tag=f"pair:{_slug(pa.short)}-{_slug(pb.short)}:trade",
                label=rule.label.format(a=pa.short, b=pb.short),
                group="trade",
                score=round(score, 2),
                evidence=sorted(both),  # where the two trade with each other
            )
        )
    # A pair far weaker than the article's main pair is a passing mention.
    best = max((t.score for t in out), default=0.0)
    return [t for t in out if t.score >= PAIR_RELATIVE_CUTOFF * best]


def _named_pair(sentence: str, gazetteer: Gazetteer) -> frozenset[str] | None:
    """The two places of "between A and B" in a sentence, if it has that form."""
    m = _BETWEEN.search(sentence)
    if m is None:
        return None
    names = [gazetteer.alias_to_place[x.group(0)] for x in gazetteer.scan(m.group(1))]
    return frozenset(names[:2]) if len(set(names[:2])) == 2 else None


_BETWEEN = re.compile(r"\bbetween\s+(.{3,80}?\band\b.{2,40}?)(?:[,;.]|\s(?:rose|fell|grew|"
                      r"reached|hit|jumped|climbed|is|was|were|has|have|had)\b|$)")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
