"""The analyze stage: one pure function from an Article to its Enrichment.

Taxonomy and gazetteer are passed in (loaded once per process and cached), so the function
is picklable and can run in a worker pool without hidden state.
"""

from __future__ import annotations

from collections import Counter

from newsdesk.analyze.cues import context_score, encode_roles, roles_from_hits
from newsdesk.analyze.entities import find_entities
from newsdesk.analyze.figures import extract_figures
from newsdesk.analyze.places import Gazetteer
from newsdesk.analyze.quotes import extract_quotes
from newsdesk.analyze.signals import find_signals, tone
from newsdesk.analyze.topics import Taxonomy, scan_article, tag_article
from newsdesk.models import Article, Enrichment, Entity

MAX_CONTEXT_SENTENCES = 12
REGION_NAMES = frozenset({
    "global", "world", "international", "asia", "asia-pacific", "europe", "eurasia",
    "americas", "north america", "latin america", "africa", "middle east", "south asia",
    "central asia", "east asia", "southeast asia", "oceania",
})


def place_entities(places: dict[str, list[int]], gazetteer: Gazetteer) -> list[Entity]:
    entities = []
    for name, idx in sorted(places.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        place = gazetteer.places[name]
        entities.append(
            Entity(
                name=place.name,
                type="bloc" if place.kind == "bloc" else "country",
                canonical=place.name,
                region=place.region,
                mentions=len(idx),
                sentences=idx,
            )
        )
    return entities


def merge_entities(
    places: list[Entity], others: list[Entity], gazetteer: Gazetteer
) -> list[Entity]:
    """Places first, then people and organisations, each by mentions (both lists come
    sorted). A name that is a place or one of its aliases stays only a place."""
    place_names = {e.name for e in places}
    return places + [e for e in others if e.name not in place_names
                     and e.name not in gazetteer.alias_to_place]


def region_of(entities: list[Entity]) -> str | None:
    """The region the article is about; 'Global' when its main countries span regions."""
    countries = [e for e in entities if e.type == "country"]
    if not countries:
        return None
    top = countries[0].mentions
    main = [e for e in countries if e.mentions * 3 >= top][:4]
    regions = Counter(e.region for e in main if e.region)
    if len(regions) == 1:
        return next(iter(regions))
    return "Global"


def analyze(article: Article, taxonomy: Taxonomy, gazetteer: Gazetteer) -> Enrichment:
    places, place_spans = gazetteer.locate(article.sentences)
    by_theme, cue_hits, joined, starts = scan_article(article.sentences, taxonomy)
    roles = roles_from_hits(tuple(article.sentences), cue_hits, joined, starts)
    topics = tag_article(article.title, article.sentences, taxonomy, gazetteer, places,
                         by_theme=by_theme)
    places_found = place_entities(places, gazetteer)
    named = find_entities(article.sentences, gazetteer, place_spans=place_spans)
    quotes = extract_quotes(article.sentences, named)
    entities = merge_entities(places_found, named, gazetteer)
    scored = [
        (i, context_score(s, article.published_at, roles[i]))
        for i, s in enumerate(article.sentences)
    ]
    context = sorted(i for i, score in scored if score > 0)[:MAX_CONTEXT_SENTENCES]
    region, category = region_of(entities), article.category
    if category and category.casefold() in REGION_NAMES:
        # "Region: Asia" in a header is the outlet's region, not a subject category.
        region, category = category, None
    if category is None and topics:
        category = topics[0].group.title()
    figures = extract_figures(article.sentences, article.published_at)
    return Enrichment(
        article_id=article.id,
        topics=topics,
        entities=entities,
        quotes=quotes,
        speakers_scanned=True,
        region=region,
        category=category,
        background_cues=context,
        figures=figures,
        signals=find_signals(by_theme, roles, article.sentences),
        tone=tone(len(article.sentences), figures, roles),
        sentence_roles=encode_roles(roles),
    )
