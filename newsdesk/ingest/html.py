"""HTML pages: trafilatura finds the article body and its metadata, boilerplate stays out."""

from __future__ import annotations

import re
from typing import Any

from newsdesk.errors import InputError
from newsdesk.models import RawDocument

# Full timestamps with their offset, which trafilatura's date (a bare day) would lose.
_PUBLISHED = [
    re.compile(
        r"<meta[^>]+(?:property|name|itemprop)\s*=\s*[\"'](?:article:published_time|"
        r"og:published_time|datePublished|pubdate|publishdate)[\"'][^>]*>",
        re.I,
    ),
    re.compile(r"\"datePublished\"\s*:\s*\"([^\"]+)\"", re.I),
    re.compile(r"<time[^>]+datetime\s*=\s*[\"']([^\"']+)[\"']", re.I),
]
_CONTENT = re.compile(r"content\s*=\s*[\"']([^\"']+)[\"']", re.I)


def published_time(html: str) -> str | None:
    """The most precise publication time the page declares (meta, JSON-LD, <time>)."""
    head = html[:200_000]
    for pattern in _PUBLISHED:
        m = pattern.search(head)
        if not m:
            continue
        if m.groups():
            return m.group(1).strip()
        if c := _CONTENT.search(m.group(0)):
            return c.group(1).strip()
    return None


def parse_html(html: str, origin: str, url: str | None = None) -> RawDocument:
    """Extract text, title, author, date and site name from a page."""
    import trafilatura  # a quarter of a second to import: only when a page is read

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
        )
    except Exception as exc:  # trafilatura/lxml raise many types on malformed markup
        raise InputError(f"{origin}: the HTML could not be parsed ({type(exc).__name__})") from exc
    meta: dict[str, Any] = (
        doc if isinstance(doc, dict) else doc.as_dict() if doc is not None else {}
    )
    text = (meta.get("text") or "").strip()
    title = (meta.get("title") or "").strip()
    # trafilatura puts one newline between blocks (paragraphs, headings, list items):
    # each is its own paragraph, never glued into a neighbour's sentence.
    text = re.sub(r"\n+", "\n\n", text)
    if title and text.split("\n", 1)[0].strip() == title:
        text = text.split("\n", 1)[1].strip() if "\n" in text else ""
    if not text:
        raise InputError(f"{origin}: no article text found in the HTML (is it an article page?)")
    authors = [a.strip() for a in (meta.get("author") or "").split(";") if a.strip()]
    return RawDocument(
        origin=origin,
        title=meta.get("title") or None,
        text=text,
        url=url or meta.get("url") or None,
        source=meta.get("sitename") or None,
        authors=authors,
        published_raw=published_time(html) or meta.get("date") or None,
        language=meta.get("language") or None,
        source_tags=[t for t in (meta.get("tags") or []) if t][:20],
        format="html",
    )
