"""REST API under /api/v1: thin routes over the Desk and the store's browse queries.

Reads run on the request thread's own Desk; writes (ingest, regenerate) go through the
single writer thread and need `require_writer`. Lists are pages ({items, total, limit,
offset, next}); errors are the one error body (newsdesk.web.errors).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from newsdesk.config import ENGINES
from newsdesk.desk import Desk, subject_words
from newsdesk.errors import InputError, NotFoundError
from newsdesk.live.atom import alerts_atom
from newsdesk.models import (
    Article,
    Brief,
    EntityCount,
    ErrorBody,
    FeedItem,
    FigurePoint,
    IngestReport,
    Page,
    QuoteHit,
    SearchHit,
    SignalCount,
    Story,
    StoryDetail,
    TagCount,
)
from newsdesk.web.desks import DeskPool
from newsdesk.web.ingest import ingest_upload, ingest_url
from newsdesk.web.params import Filters, Limit, Offset, next_offset
from newsdesk.web.security import require_writer

SEARCH_MODES = {"keyword": "bm25", "bm25": "bm25", "semantic": "vector", "vector": "vector",
                "hybrid": "hybrid"}

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 413, 422)}
router = APIRouter(prefix="/api/v1", responses=ERRORS)


def pool(request: Request) -> DeskPool:
    return request.app.state.desks


Pool = Annotated[DeskPool, Depends(pool)]
Tag = Annotated[str | None, Query(description="Tag id or label, e.g. 'Sanctions'.")]
Entity = Annotated[str | None, Query(description="A country or bloc the article names.")]
Source = Annotated[str | None, Query(description="Part of the source name.")]
Since = Annotated[str | None, Query(description="YYYY-MM-DD or ISO time (inclusive).")]
Until = Annotated[str | None, Query(description="YYYY-MM-DD (the whole day) or ISO time.")]
Engine = Annotated[str, Query(description=f"Brief engine: {', '.join(ENGINES)}.")]


def brief_etag(data: str) -> str:
    return '"' + hashlib.sha256(data.encode("utf-8")).hexdigest()[:32] + '"'


def brief_engine(engine: str) -> str:
    """`engine` when the desk has it, else a clear 4xx (API and pages alike)."""
    if engine not in ENGINES:
        raise InputError(f"unknown brief engine '{engine}': use {', '.join(ENGINES)}")
    return engine


# --- articles -------------------------------------------------------------------------


@router.get("/articles", response_model=Page[FeedItem], tags=["articles"])
def list_articles(desks: Pool, limit: Limit = 20, offset: Offset = 0, tag: Tag = None,
                  entity: Entity = None, source: Source = None, since: Since = None,
                  until: Until = None) -> Page[FeedItem]:
    """Stored articles (originals), newest first, with the opening of their brief."""
    filters = Filters.parse(tag, entity, source, since, until)
    store = desks.browse()
    total = store.count_articles(filters)
    return Page[FeedItem](items=store.feed(limit, offset, filters), total=total, limit=limit,
                          offset=offset, next=next_offset(offset, limit, total))


@router.get("/articles/{article_id}", response_model=Article, tags=["articles"])
def get_article(article_id: str, desks: Pool) -> Article:
    """One article (full id or a unique prefix of at least 6 characters)."""
    desk = desks.reader()
    article = desk.store.get_article(desk.resolve(article_id))
    if article is None:
        raise NotFoundError(f"no stored article with id '{article_id}'")
    return article


@router.post("/articles", response_model=IngestReport, status_code=201, tags=["articles"],
             dependencies=[Depends(require_writer)])
def ingest(desks: Pool,
           file: Annotated[UploadFile | None, File(description="An article file: text, "
                                                   "HTML, JSON or JSONL.")] = None,
           url: Annotated[str | None, Form(description="Or a page to fetch.")] = None,
           brief: Annotated[bool, Query(description="Write briefs of new articles.")] = True,
           ) -> JSONResponse:
    """Ingest an uploaded file or a URL (multipart form). 201 when an article was stored,
    200 when nothing new was (duplicates, unchanged), 422 when all of it was
    quarantined (the reason is the message)."""
    if (file is None) == (not url):
        raise InputError("send either a file (field 'file') or a URL (field 'url')")
    if file is not None:
        name, data = file.filename or "upload", file.file.read()
        report = desks.write(lambda d: ingest_upload(d, name, data, briefs=brief))
    else:
        assert url is not None
        report = desks.write(lambda d: ingest_url(d, url, briefs=brief))
    if report.outcomes and all(o.status == "quarantined" for o in report.outcomes):
        raise InputError(report.outcomes[0].reason or "nothing could be ingested")
    stored = any(o.status in ("accepted", "updated") for o in report.outcomes)
    return JSONResponse(report.model_dump(mode="json"), status_code=201 if stored else 200)


# --- briefs ---------------------------------------------------------------------------


def _brief_response(request: Request, data: str) -> Response:
    etag = brief_etag(data)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    wanted = request.headers.get("if-none-match", "")
    if etag in [t.strip().removeprefix("W/") for t in wanted.split(",")] or wanted == "*":
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/json", headers=headers)


@router.get("/articles/{article_id}/brief", response_model=Brief, tags=["briefs"],
            responses={304: {"description": "Not modified (If-None-Match matched)."}})
def get_brief(article_id: str, request: Request, desks: Pool,
              engine: Engine = "extractive") -> Response:
    """The stored brief, with an ETag (send it back as If-None-Match for a 304). A brief
    never written yet is composed and stored on first read, so its ETag is stable."""
    brief_engine(engine)
    full = desks.reader().resolve(article_id)
    data = desks.browse().brief_json(full, engine)
    if data is None:
        data = desks.write(
            lambda d: d.brief(full, save=True, engine=engine).model_dump_json())
    return _brief_response(request, data)


@router.post("/articles/{article_id}/brief", response_model=Brief, tags=["briefs"],
             dependencies=[Depends(require_writer)])
def regenerate_brief(article_id: str, request: Request, desks: Pool,
                     engine: Engine = "extractive") -> Response:
    """Compose the brief again (after a taxonomy change, or with another engine)."""
    brief_engine(engine)
    full = desks.reader().resolve(article_id)
    data = desks.write(lambda d: d.brief(full, save=True, engine=engine).model_dump_json())
    return _brief_response(request, data)


# --- search ---------------------------------------------------------------------------


@router.get("/search", response_model=Page[SearchHit], tags=["search"])
def search(desks: Pool, q: Annotated[str, Query(min_length=1, max_length=500)],
           mode: Literal["hybrid", "keyword", "semantic", "bm25", "vector"] = "hybrid",
           limit: Limit = 10, offset: Offset = 0, tag: Tag = None, entity: Entity = None,
           source: Source = None, since: Since = None,
           until: Until = None) -> Page[SearchHit]:
    """Keyword (BM25), semantic (vectors) or hybrid (both, fused by reciprocal rank)."""
    filters = Filters.parse(tag, entity, source, since, until)
    hits = search_hits(desks.reader(), q, SEARCH_MODES[mode], limit + offset + 1, filters)
    more = len(hits) > offset + limit
    return Page[SearchHit](items=hits[offset:offset + limit], total=None, limit=limit,
                           offset=offset, next=offset + limit if more else None)


def search_hits(desk: Desk, q: str, mode: str, limit: int, f: Filters) -> list[SearchHit]:
    return desk.search(q, f, mode=mode, limit=limit)


# --- stories --------------------------------------------------------------------------


@router.get("/stories", response_model=Page[Story], tags=["stories"])
def list_stories(desks: Pool, limit: Limit = 20, offset: Offset = 0) -> Page[Story]:
    """Stories, most recently active first."""
    desk = desks.reader()
    total = desk.store.story_count()
    items = desk.stories(offset + limit)[offset:]
    return Page[Story](items=items, total=total, limit=limit, offset=offset,
                       next=next_offset(offset, limit, total))


@router.get("/stories/{story_id}", response_model=StoryDetail, tags=["stories"])
def get_story(story_id: str, desks: Pool) -> StoryDetail:
    """A story's timeline and the figure series of its members."""
    view = desks.reader().story(story_id)
    return StoryDetail(story=view.story, series=view.series)


# --- tags, signals --------------------------------------------------------------------


Bucket = Annotated[Literal["year", "month", "day"], Query(description="Period size.")]


@router.get("/tags", response_model=list[TagCount], tags=["tags"])
def list_tags(desks: Pool) -> list[TagCount]:
    """Every tag with the number of articles carrying it."""
    return desks.browse().tag_totals()


@router.get("/tags/counts", response_model=list[TagCount], tags=["tags"])
def tag_counts(desks: Pool, bucket: Bucket = "month",
               tag: Annotated[list[str] | None, Query(description="Tag ids (repeat).")] = None,
               since: Since = None, until: Until = None) -> list[TagCount]:
    """Articles per tag per period: what the topic dashboard charts."""
    f = Filters.parse(None, None, None, since, until)
    return desks.browse().tag_counts(bucket, tag, f.since, f.until)


@router.get("/signals", response_model=list[SignalCount], tags=["tags"])
def signal_counts(desks: Pool, bucket: Bucket = "month", since: Since = None,
                  until: Until = None) -> list[SignalCount]:
    """Articles reporting each kind of risk signal, per period."""
    f = Filters.parse(None, None, None, since, until)
    return desks.browse().signal_counts(bucket, f.since, f.until)


@router.get("/alerts.atom", tags=["alerts"],
            responses={200: {"content": {"application/atom+xml": {}}}})
def alerts_feed(request: Request, desks: Pool,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Response:
    """The latest alerts of the live desk's watchlists as an Atom feed (`newsdesk watch`
    fires them); each entry links to the articles that fired it."""
    xml = alerts_atom(desks.reader().store, limit=limit, self_url=str(request.url))
    return Response(xml, media_type="application/atom+xml; charset=utf-8")


# --- figures, entities, quotes --------------------------------------------------------


@router.get("/figures", response_model=Page[FigurePoint], tags=["figures"])
def figures(desks: Pool, limit: Limit = 50, offset: Offset = 0,
            subject: Annotated[str | None, Query(description="What is measured.")] = None,
            unit: Annotated[str | None, Query(description="'percent', 'USD'...")] = None,
            entity: Entity = None,
            year: Annotated[int | None, Query(ge=1900, le=2200,
                                              description="The year a figure is for.")] = None,
            since: Since = None, until: Until = None) -> Page[FigurePoint]:
    """Figures across stored articles, oldest first."""
    f = Filters.parse(None, entity, None, since, until)
    items, total = desks.browse().find_figures(
        limit, offset, subject_words(subject or ""), unit or None, f.entity, year, f.since, f.until)
    return Page[FigurePoint](items=items, total=total, limit=limit, offset=offset,
                             next=next_offset(offset, limit, total))


@router.get("/entities", response_model=Page[EntityCount], tags=["entities"])
def entities(desks: Pool, limit: Limit = 50, offset: Offset = 0,
             type: Annotated[Literal["person", "organisation", "country", "bloc", "place",
                                     "other"] | None, Query()] = None,
             name: Annotated[str | None, Query(description="Part of the name.")] = None,
             ) -> Page[EntityCount]:
    """People, organisations and places, by the number of articles naming them."""
    items, total = desks.browse().entities(limit, offset, type, name or None)
    return Page[EntityCount](items=items, total=total, limit=limit, offset=offset,
                             next=next_offset(offset, limit, total))


@router.get("/quotes", response_model=Page[QuoteHit], tags=["entities"])
def quotes(desks: Pool, limit: Limit = 50, offset: Offset = 0,
           speaker: Annotated[str | None, Query(description="Part of the name.")] = None,
           article: Annotated[str | None, Query(description="An article id.")] = None,
           ) -> Page[QuoteHit]:
    """Who said what, newest first."""
    article_id = desks.reader().resolve(article) if article else None
    items, total = desks.browse().quotes(limit, offset, speaker or None, article_id)
    return Page[QuoteHit](items=items, total=total, limit=limit, offset=offset,
                          next=next_offset(offset, limit, total))
