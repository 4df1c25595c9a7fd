"""The extractive engine: Article + Enrichment (+ earlier coverage) -> verified Brief."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from newsdesk.analyze.cues import remember_roles
from newsdesk.analyze.places import Gazetteer
from newsdesk.brief.background import select_background
from newsdesk.brief.insights import DURATIONS, build_insights
from newsdesk.brief.summary import select_summary, sentence_scores
from newsdesk.brief.verify import Lookup, verify_brief
from newsdesk.brief.voices import (
    brief_entities,
    quotes_and_entities,
    select_quotes,
    select_risks,
)
from newsdesk.models import (
    Article,
    Brief,
    Citation,
    CitedSentence,
    Enrichment,
    Figure,
    KeyFigure,
    PriorArticle,
    SourceRef,
    TagRef,
)

MAX_TAGS = 6
MAX_KEY_FIGURES = 6
ENGINE = "extractive"


# "The two countries", "both sides", "all three governments": a small count of the
# parties to a relation names who is meant, and is no key figure (it stays a figure of
# the article: news quantity corpora count it).
_PARTIES = frozenset(
    """
    country side government leader neighbour neighbor nation company party state economy
    capital president minister firm bank ally partner power
    """.split())
_DEFINITE = re.compile(r"\b(?:the|both|all)\s+$", re.IGNORECASE)


def _names_the_parties(article: Article, f: Figure) -> bool:
    if f.kind != "count" or f.value > 10 or f.unit not in _PARTIES:
        return False
    sentence = article.sentences[f.span.sentence] if f.span.sentence < len(
        article.sentences) else ""
    return _DEFINITE.search(sentence, max(0, f.span.start - 6), f.span.start) is not None


def select_key_figures(
    article: Article, enrichment: Enrichment, summary: list[int]
) -> list[KeyFigure]:
    """The figures a reader should see first: from the summary's sentences, then the
    rest of the article; changes and levels before counts; in reading order."""
    in_summary = set(summary)

    def rank(f: Figure) -> tuple[int, int, int]:
        return (f.span.sentence not in in_summary, f.kind == "count", f.subject is None)

    chosen = sorted(
        (f for f in enrichment.figures
         if f.role == "figure" and f.unit not in DURATIONS
         and not (f.kind == "count" and f.value < 2) and not _names_the_parties(article, f)),
        key=rank,
    )[:MAX_KEY_FIGURES]
    chosen.sort(key=lambda f: (f.span.sentence, f.span.start))
    return [
        KeyFigure(figure=f, citation=Citation(article_id=article.id, sentence=f.span.sentence))
        for f in chosen
    ]


def make_lookup(articles: list[Article]) -> Lookup:
    by_id = {a.id: a for a in articles}

    def lookup(c: Citation) -> str | None:
        art = by_id.get(c.article_id)
        if art is None or not 0 <= c.sentence < len(art.sentences):
            return None
        return art.sentences[c.sentence]

    return lookup


def compose_brief(
    article: Article,
    enrichment: Enrichment,
    gazetteer: Gazetteer,
    prior: list[PriorArticle] | None = None,
    now: datetime | None = None,
    same_story: frozenset[str] = frozenset(),
    continued: frozenset[str] = frozenset(),
) -> Brief:
    """Build the brief from cited sentences only, then verify it.

    `prior` is earlier coverage with its enrichment where the store has one: Background
    reads its sentences, the insights compare its figures with today's. `same_story`:
    the ids among `prior` that belong to the article's own story (listed first);
    `continued`: those from related stories (the running story it continues)."""
    prior = prior or []
    remember_roles(tuple(article.sentences), enrichment.sentence_roles)
    for prev, known in prior:  # their stored roles spare Background a rescan
        if known is not None:
            remember_roles(tuple(prev.sentences), known.sentence_roles)
    scores = sentence_scores(article, enrichment)
    summary = select_summary(article, enrichment, scores)
    background = select_background(article, enrichment, summary, prior, same_story, continued)
    found_quotes, entities = quotes_and_entities(article, enrichment, gazetteer)
    quotes = select_quotes(article, found_quotes, entities)
    risks = select_risks(article, enrichment)
    insights = build_insights(
        article, enrichment, scores, summary, quotes, prior, gazetteer,
        shown=frozenset(c.sentence for r in risks for c in r.evidence.citations),
    )
    cited_prior = set(background.prior_ids) | {
        c.article_id for insight in insights for b in insight.bullets for c in b.citations
    }
    refs = [
        SourceRef(article_id=p.id, title=p.title, source=p.source, published_at=p.published_at)
        for p, _ in prior
        if p.id in cited_prior
    ]
    brief = Brief(
        article_id=article.id,
        title=article.title,
        category=enrichment.category,
        region=enrichment.region,
        source=article.source,
        url=article.url,
        published_at=article.published_at,
        read_time_minutes=article.read_time_minutes,
        tags=[
            TagRef(tag=t.tag, label=t.label, score=t.score)
            for t in enrichment.topics[:MAX_TAGS]
        ],
        summary=[
            CitedSentence(
                text=article.sentences[i],
                citations=[Citation(article_id=article.id, sentence=i)],
            )
            for i in summary
        ],
        background=background.sentences,
        background_origin=background.origin,  # type: ignore[arg-type]
        background_note=background.note,
        references=refs,
        insights=insights,
        key_figures=select_key_figures(article, enrichment, summary),
        quotes=quotes,
        risks=risks,
        entities=brief_entities(entities),
        engine=ENGINE,
        created_at=now or datetime.now(UTC),
    )
    verified = verify_brief(brief, make_lookup([article, *(p for p, _ in prior)]), gazetteer)
    still_cited = {c.article_id for s in verified.background for c in s.citations} | {
        c.article_id for i in verified.insights for b in i.bullets for c in b.citations}
    if any(r.article_id not in still_cited for r in verified.references):
        # An earlier article whose only cited sentence was dropped is no source.
        verified = verified.model_copy(update={"references": [
            r for r in verified.references if r.article_id in still_cited]})
    return verified
