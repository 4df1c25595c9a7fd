"""Feeds written for the tests from the sample corpus: RSS 2.0, Atom and JSON Feed
documents whose items carry the full article, or only a teaser with a link to a page
the same local server serves."""

from __future__ import annotations

import html
import json
from email.utils import format_datetime
from pathlib import Path

from newsdesk.errors import InputError
from newsdesk.ingest.sources import expand, read_unit
from newsdesk.models import RawDocument

CORPUS = Path(__file__).resolve().parents[2] / "samples" / "corpus"


def corpus_docs(n: int | None = None) -> list[RawDocument]:
    docs: list[RawDocument] = []
    for unit in expand([str(CORPUS)]):
        for item in read_unit(unit, 10 * 1024 * 1024):
            if not isinstance(item, InputError):
                docs.append(item)
    return docs[:n] if n else docs


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def page_html(doc: RawDocument) -> str:
    when = doc.published_at.isoformat() if doc.published_at else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(doc.title or '')}"
            f"</title><meta property='article:published_time' content='{when}'></head><body>"
            f"<article><h1>{html.escape(doc.title or '')}</h1>{paragraphs_html(doc.text)}"
            "</article></body></html>")


def rss(docs: list[RawDocument], base: str, *, full: bool = True, title: str = "Test Wire",
        start: int = 0) -> bytes:
    items = []
    for n, doc in enumerate(docs, start=start):
        when = format_datetime(doc.published_at) if doc.published_at else ""
        body = paragraphs_html(doc.text) if full else html.escape(doc.text[:160])
        items.append(
            f"<item><title>{html.escape(doc.title or '')}</title>"
            f"<link>{base}/a/{n}</link><guid isPermaLink='false'>item-{n}</guid>"
            f"<pubDate>{when}</pubDate><description>{html.escape(doc.text[:160])}"
            f"</description>"
            + (f"<content:encoded><![CDATA[{body}]]></content:encoded>" if full else "")
            + "</item>")
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
            "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
            f"<title>{title}</title><link>{base}/</link><description>t</description>"
            + "".join(items) + "</channel></rss>").encode("utf-8")


def atom(docs: list[RawDocument], base: str) -> bytes:
    entries = []
    for n, doc in enumerate(docs):
        when = doc.published_at.isoformat() if doc.published_at else "2024-01-01T00:00:00Z"
        entries.append(
            f"<entry><id>urn:test:{n}</id><title>{html.escape(doc.title or '')}</title>"
            f"<link href='{base}/atom/{n}'/><updated>{when}</updated>"
            f"<content type='html'>{html.escape(paragraphs_html(doc.text))}</content></entry>")
    return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            "<title>Atom Wire</title><id>urn:test</id><updated>2024-01-01T00:00:00Z</updated>"
            + "".join(entries) + "</feed>").encode("utf-8")


def json_feed(docs: list[RawDocument], base: str) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "JSON Wire",
        "items": [{"id": f"j{n}", "url": f"{base}/json/{n}", "title": d.title,
                   "content_text": d.text,
                   "date_published": d.published_at.isoformat() if d.published_at else None}
                  for n, d in enumerate(docs)]}).encode("utf-8")


def sitemap(urls: list[tuple[str, str, str]]) -> bytes:
    """A news sitemap of (url, title, date)."""
    rows = "".join(
        f"<url><loc>{html.escape(u)}</loc><news:news><news:title>{html.escape(t)}</news:title>"
        f"<news:publication_date>{d}</news:publication_date></news:news></url>"
        for u, t, d in urls)
    return ("<?xml version='1.0' encoding='UTF-8'?><urlset "
            "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>" + rows
            + "</urlset>").encode("utf-8")
