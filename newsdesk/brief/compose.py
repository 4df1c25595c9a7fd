"""The extractive engine: Article + Enrichment (+ earlier coverage) -> verified Brief."""

from __future__ import annotations

from datetime import UTC, datetime

from newsdesk.analyze.places import Gazetteer
from newsdesk.brief.background import select_background
from newsdesk.brief.insights import build_insights
from newsdesk.brief.summary import select_summary, sentence_scores
from newsdesk.brief.verify import Lookup, verify_brief
from newsdesk.models import (
    Article,
    Brief,
    Citation,
    CitedSentence,
    Enrichment,
    SourceRef,
    TagRef,
)

MAX_TAGS = 6
ENGINE = "extractive"


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
    prior: list[tuple[Article, Enrichment | None]] | None = None,
    now: datetime | None = None,
) -> Brief:
    """Build the brief from cited sentences only, then verify it."""
    prior = prior or []
    scores = sentence_scores(article, enrichment)
    summary = select_summary(article, enrichment, scores)
    background = select_background(article, enrichment, summary, prior)
    insights = build_insights(article, enrichment, scores, summary)
    refs = [
        SourceRef(article_id=p.id, title=p.title, source=p.source, published_at=p.published_at)
        for p, _ in prior
        if p.id in background.prior_ids
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
        engine=ENGINE,
        created_at=now or datetime.now(UTC),
    )
    return verify_brief(brief, make_lookup([article, *(p for p, _ in prior)]), gazetteer)
