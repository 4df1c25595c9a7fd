"""What a stored article becomes: the rows of every table, serialised once.

Workers build these (JSON encoding is part of the parallel work); the writer process
only executes the inserts. Plain tuples and strings also cross process boundaries far
more cheaply than model objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from newsdesk.models import Article, Enrichment, Figure
from newsdesk.relate.features import ArticleTerms, article_terms
from newsdesk.relate.neardup import signature
from newsdesk.relate.stories import StoryArticle
from newsdesk.store.facets import facet_text

SUMMARY_CHARS = 200


def utc_text(dt: datetime | None) -> str | None:
    """Sortable UTC text for range queries; the original offset stays in the record."""
    return dt.astimezone(UTC).isoformat() if dt else None


NO_DATE = -(2**63)  # `epoch_us` of an article without a date: before any `since`
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_us(text: str | None) -> int:
    """Microseconds since the epoch of a `utc_text` value (NO_DATE for None): integers
    that order as the texts do, for date filters over arrays."""
    if not text:
        return NO_DATE
    delta = datetime.fromisoformat(text) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_META_FIELDS = ("title", "source", "authors", "published_at", "url", "category",
                "source_tags", "language")


def meta_key(meta: dict[str, object]) -> str:
    """What a reader would call the article's metadata (not where it was read from):
    a corrected headline or date makes a re-ingest an update, a new file path does not."""
    return json.dumps([meta.get(k) for k in _META_FIELDS], ensure_ascii=False, default=str)


@dataclass(frozen=True)
class ArticleRows:
    id: str
    title: str
    content_hash: str
    duplicate_of: str | None
    published_utc: str | None
    # (id, url, title, source, published_at, published_utc, content_hash, duplicate_of,
    #  text, sentences_json, meta_json)
    article: tuple[str | None, ...]
    enrichment: tuple[str, str, str] | None  # (article_id, version, json)
    tags: tuple[tuple[object, ...], ...]
    places: tuple[tuple[object, ...], ...]
    figures: tuple[tuple[object, ...], ...]
    # Tag, place and year tokens for the full-text index (store.facets; originals only).
    facets: str = ""
    # MinHash signature of the body (originals only: copies are found through them).
    signature: bytes | None = None
    # Story features (originals only): term counts, timeline line and key figure.
    terms: ArticleTerms | None = None
    story_summary: str | None = None
    story_figure: Figure | None = None

    @property
    def meta_key(self) -> str:
        return meta_key(json.loads(str(self.article[10])))

    def as_duplicate(self, original: str) -> ArticleRows:
        """The same article stored as a copy of `original`: no enrichment, no index rows."""
        values = list(self.article)
        values[7] = original
        meta = json.loads(str(values[10]))
        meta["duplicate_of"] = original
        values[10] = json.dumps(meta, ensure_ascii=False)
        return replace(self, duplicate_of=original, article=tuple(values), enrichment=None,
                       tags=(), places=(), figures=(), facets="", signature=None, terms=None,
                       story_summary=None, story_figure=None)

    def story_article(self) -> StoryArticle:
        """What story assignment needs, from the rows (no model objects rebuilt)."""
        published = self.article[4]
        return StoryArticle(
            id=self.id, title=self.title, text=str(self.article[8]),
            published_at=datetime.fromisoformat(published) if published else None,
            summary=self.story_summary, figure=self.story_figure,
        )


def timeline_fields(article: Article, enrichment: Enrichment) -> tuple[str, Figure | None]:
    """A story timeline's line for an article: its lead sentence (clipped), and its key
    figure: the first figure of the earliest sentence that has one."""
    lead = article.sentences[0] if article.sentences else article.title
    lead = " ".join(lead.split())
    if len(lead) > SUMMARY_CHARS:
        lead = lead[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    figures = [f for f in enrichment.figures if f.role == "figure"]
    key = min(figures, key=lambda f: f.span.sentence) if figures else None
    return lead, key


def story_input(article: Article, enrichment: Enrichment) -> tuple[StoryArticle, ArticleTerms]:
    """The same story input `article_rows` prepares, from a stored article (replay)."""
    summary, figure = timeline_fields(article, enrichment)
    return (StoryArticle(id=article.id, title=article.title, text=article.text,
                         published_at=article.published_at, summary=summary, figure=figure),
            article_terms(article.title, article.text, sentences=article.sentences))


def article_rows(article: Article, enrichment: Enrichment | None) -> ArticleRows:
    meta = article.model_dump(mode="json", exclude={"text", "sentences"})
    published_utc = utc_text(article.published_at)
    values: tuple[str | None, ...] = (
        article.id, article.url, article.title, article.source,
        article.published_at.isoformat() if article.published_at else None,
        published_utc, article.content_hash, article.duplicate_of, article.text,
        json.dumps(article.sentences, ensure_ascii=False), json.dumps(meta, ensure_ascii=False),
    )
    if enrichment is None:
        return ArticleRows(article.id, article.title, article.content_hash,
                           article.duplicate_of, published_utc, values, None, (), (), (),
                           facets=facet_text((), (), published_utc))
    e = enrichment
    summary, key_figure = timeline_fields(article, e)
    places = [p.canonical for p in e.entities if p.type in ("country", "bloc")]
    return ArticleRows(
        id=article.id,
        title=article.title,
        content_hash=article.content_hash,
        duplicate_of=article.duplicate_of,
        published_utc=published_utc,
        article=values,
        enrichment=(e.article_id, e.version, e.model_dump_json()),
        tags=tuple((e.article_id, t.tag, t.label, t.group, t.score, published_utc)
                   for t in e.topics),
        places=tuple((e.article_id, p.canonical, p.mentions, published_utc)
                     for p in e.entities if p.type in ("country", "bloc")),
        facets=facet_text(((t.tag, t.label) for t in e.topics), places, published_utc),
        figures=tuple(
            (e.article_id, n, f.span.sentence, f.subject, f.unit, f.value, f.value_high,
             f.kind, f.direction, f.period.year if f.period else None, published_utc,
             f.model_dump_json())
            for n, f in enumerate(e.figures) if f.role == "figure"
        ),
        signature=signature(article.text),
        terms=article_terms(article.title, article.text, sentences=article.sentences),
        story_summary=summary,
        story_figure=key_figure,
    )
