"""Server-rendered pages: feed, brief, stories, topic dashboard, search, API docs.

Every page works without JavaScript (links, GET forms, :target highlighting of cited
sentences); /static/app.js only adds the hover/click highlighting of citations. Article
text is untrusted: templates autoescape everything and no article text is ever marked
safe; the only markup built in Python (snippet marks, SVG charts) escapes first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from newsdesk.brief.render import (
    citation_labels,
    cite_label,
    figure_baseline,
    figure_change,
    figure_value,
    format_time,
    new_citations,
    period_label,
    quote_groups,
    risk_label,
)
from newsdesk.brief.voices import RISK_LABELS
from newsdesk.errors import NotFoundError
from newsdesk.models import Article, Brief, Citation, FigurePoint
from newsdesk.web.api import SEARCH_MODES, Pool, brief_engine, search_hits
from newsdesk.web.charts import Series, line_chart, periods, ticks
from newsdesk.web.params import Filters, blank_to_none, parse_when

router = APIRouter(include_in_schema=False)
FEED_PAGE = 20
SEARCH_PAGE = 20
QUOTES_PAGE = 50
DASHBOARD_TAGS = 8
STORY_SERIES = 6
_MARKED = re.compile(r"\*\*(.+?)\*\*")
# Negative offsets are read as 0; a huge one is a 422 (SQLite cannot take it: it was a 500).
PageOffset = Annotated[int, Query(le=1_000_000)]


def marked(snippet: str) -> Markup:
    """A search snippet with the store's **match** marks as <mark>: escaped first, so
    only our marks become markup."""
    return Markup(_MARKED.sub(r"<mark>\1</mark>", str(escape(snippet))))


def anchor(c: Citation) -> str:
    """The id of a cited sentence on the brief page (ids are hex: safe in an id)."""
    return f"s-{c.article_id[:16]}-{c.sentence}"


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "undated"


@lru_cache(maxsize=1)
def templates() -> Environment:
    env = Environment(loader=PackageLoader("newsdesk.web", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=format_time, day=day, marked=marked)
    env.globals.update(figure_value=figure_value, figure_change=figure_change,
                       figure_baseline=figure_baseline, period_label=period_label,
                       risk_label=risk_label,
                       quote_groups=quote_groups, new_citations=new_citations,
                       anchor=anchor, urlencode=urlencode, risk_labels=RISK_LABELS)
    return env


def render(name: str, request: Request, **context: Any) -> HTMLResponse:
    html = templates().get_template(name).render(request=request, **context)
    return HTMLResponse(html)


# --- feed -----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def feed(request: Request, desks: Pool, tag: str | None = None, entity: str | None = None,
         source: str | None = None, since: str | None = None, until: str | None = None,
         offset: PageOffset = 0) -> HTMLResponse:
    filters = Filters.parse(tag, entity, source, since, until)
    store = desks.browse()
    offset = max(0, offset)
    rows = store.feed(FEED_PAGE + 1, offset, filters)
    tags = desks.cached("tag_totals", store.tag_totals)
    more = len(rows) > FEED_PAGE
    query = filters.query()
    return render("feed.html.j2", request, items=rows[:FEED_PAGE], tags=tags, f=filters,
                  since=since or "", until=until or "", offset=offset,
                  next_url="/?" + urlencode({**query, "offset": offset + FEED_PAGE})
                  if more else None,
                  prev_url="/?" + urlencode({**query, "offset": max(0, offset - FEED_PAGE)})
                  if offset else None)


# --- brief ----------------------------------------------------------------------------


def _cited(brief: Brief) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    sentences = [*brief.summary, *brief.background, *(r.evidence for r in brief.risks)]
    for insight in brief.insights:
        sentences += [insight.question, *insight.bullets]
    for s in sentences:
        out.update((c.article_id, c.sentence) for c in s.citations)
    out.update((kf.citation.article_id, kf.citation.sentence) for kf in brief.key_figures)
    out.update((c.article_id, c.sentence) for q in brief.quotes for c in q.citations)
    return out


@router.get("/briefs/{article_id}", response_class=HTMLResponse)
def brief_page(article_id: str, request: Request, desks: Pool,
               engine: str = "extractive") -> HTMLResponse:
    """The brief written by `engine` (?engine=llm for the language model's)."""
    brief_engine(engine)
    desk = desks.reader()
    full = desk.resolve(article_id)
    data = desks.browse().brief_json(full, engine)
    if data is None:
        data = desks.write(
            lambda d: d.brief(full, save=True, engine=engine).model_dump_json())
    brief = Brief.model_validate_json(data)
    articles = desk.store.get_articles([full, *(r.article_id for r in brief.references)])
    article = articles.get(full)
    if article is None:
        raise NotFoundError(f"article {full} vanished from the store")
    labels = citation_labels(brief)
    cited = _cited(brief)
    # Earlier articles show only the sentences the brief cites from them.
    earlier: list[tuple[str, Article, list[int]]] = []
    for ref in brief.references:
        other = articles.get(ref.article_id)
        if other is not None:
            wanted = sorted(n for a, n in cited if a == ref.article_id
                            and 0 <= n < len(other.sentences))
            earlier.append((labels[ref.article_id], other, wanted))
    story_id = desk.store.story_of(full)
    return render("brief.html.j2", request, brief=brief, article=article, earlier=earlier,
                  cited_keys=cited, story_id=story_id,
                  label=lambda c: cite_label(c, labels))


# --- stories --------------------------------------------------------------------------


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, desks: Pool) -> HTMLResponse:
    return render("stories.html.j2", request, stories=desks.reader().stories(100))


def series_chart(subject: str, points: list[FigurePoint]) -> Markup:
    """One figure series over publication time; undated points are left out."""
    dated = [p for p in points if p.published_at is not None]
    by_unit: dict[str, list[FigurePoint]] = defaultdict(list)
    for p in dated:
        by_unit[p.figure.unit or ""].append(p)
    unit, chosen = max(by_unit.items(), key=lambda kv: len(kv[1]), default=("", []))
    stamp = [(p.published_at.timestamp(), p) for p in chosen if p.published_at]
    series = Series(subject, [(t, p.figure.value, f"{p.figure.text}, {day(p.published_at)}")
                              for t, p in stamp])
    times = sorted({t for t, _ in stamp})
    x_ticks = [(t, datetime.fromtimestamp(t).strftime("%Y-%m")) for t in
               ([times[0], times[-1]] if len(times) > 1 else times)]
    return line_chart([series], x_ticks, title=f"{subject} ({unit or 'value'})",
                      unit=f" {unit}" if unit else "")


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(story_id: str, request: Request, desks: Pool) -> HTMLResponse:
    desk = desks.reader()
    view = desk.story(story_id)
    members = desk.store.get_articles(view.story.article_ids)
    ranked = sorted(view.series.items(), key=lambda kv: -len(kv[1]))[:STORY_SERIES]
    charts = [(subject, series_chart(subject, points), points) for subject, points in ranked]
    return render("story.html.j2", request, story=view.story, charts=charts,
                  members=[members[i] for i in view.story.article_ids if i in members])


# --- dashboard ------------------------------------------------------------------------


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, desks: Pool, bucket: str = "month", since: str | None = None,
              until: str | None = None) -> HTMLResponse:
    if bucket not in ("year", "month", "day"):
        bucket = "month"
    start, stop = parse_when(since, name="since"), parse_when(until, end=True, name="until")
    store = desks.browse()
    counts = store.tag_counts(bucket, None, start, stop)
    totals: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for c in counts:
        totals[c.tag] += c.count
        names[c.tag] = c.label
    top = sorted(totals, key=lambda t: (-totals[t], t))[:DASHBOARD_TAGS]
    buckets = periods([c.bucket for c in counts if c.bucket], bucket)
    table = {(c.tag, c.bucket or ""): c.count for c in counts}
    tag_series = [counted(names[t], buckets, t, table) for t in top]
    signals = store.signal_counts(bucket, start, stop)
    sig_buckets = periods([s.bucket for s in signals], bucket)
    sig_table = {(s.kind, s.bucket): s.count for s in signals}
    sig_series = [counted(RISK_LABELS.get(k, k), sig_buckets, k, sig_table)
                  for k in sorted({s.kind for s in signals})]
    return render(
        "dashboard.html.j2", request, bucket=bucket, since=since or "", until=until or "",
        tag_chart=line_chart(tag_series, ticks(buckets), title="Articles per tag"),
        signal_chart=line_chart(sig_series, ticks(sig_buckets),
                                title="Articles reporting each risk signal"),
        totals=sorted(((names[t], t, n) for t, n in totals.items()), key=lambda r: -r[2]))


def counted(name: str, buckets: list[str], key: str,
            table: Mapping[tuple[str, str], int]) -> Series:
    """The counts of `key` over every period, zero where none (x = period position)."""
    return Series(name, [(float(i), table.get((key, b), 0), b)
                         for i, b in enumerate(buckets)])


# --- search ---------------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, desks: Pool, q: str = "", mode: str = "hybrid",
                tag: str | None = None, entity: str | None = None, source: str | None = None,
                since: str | None = None, until: str | None = None) -> HTMLResponse:
    filters = Filters.parse(tag, entity, source, since, until)
    mode = mode if mode in SEARCH_MODES else "hybrid"
    query = blank_to_none(q)
    hits = search_hits(desks.reader(), query, SEARCH_MODES[mode], SEARCH_PAGE,
                       filters) if query else []
    return render("search.html.j2", request, q=q, mode=mode, hits=hits, f=filters,
                  since=since or "", until=until or "",
                  tags=desks.cached("tag_totals", desks.browse().tag_totals))


# --- who said what ---------------------------------------------------------------------


@router.get("/quotes", response_class=HTMLResponse)
def quotes_page(request: Request, desks: Pool, speaker: str | None = None,
                offset: PageOffset = 0) -> HTMLResponse:
    who = blank_to_none(speaker)
    offset = max(0, offset)
    items, total = desks.browse().quotes(QUOTES_PAGE, offset, who)
    query = {"speaker": who} if who else {}
    return render("quotes.html.j2", request, items=items, total=total, speaker=who or "",
                  next_url="/quotes?" + urlencode({**query, "offset": offset + QUOTES_PAGE})
                  if offset + QUOTES_PAGE < total else None)


# --- API docs (the OpenAPI document, rendered here: the usual viewers load a CDN) ------


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    return render("docs.html.j2", request, spec=spec, paths=spec.get("paths", {}))
