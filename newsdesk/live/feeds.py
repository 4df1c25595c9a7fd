"""Feeds and sitemaps to items: RSS 2.0 / Atom (feedparser), JSON Feed 1.x, news sitemaps.

An item is what the journal records: a stable key (the guid, else the link), the link,
and whatever article the feed itself carries. A feed that carries the full text needs no
second request; one that carries a summary only is completed by fetching the page.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.html
from lxml import etree

from newsdesk.errors import InputError

# A feed entry with less text than this is a teaser: the page holds the article.
FULL_TEXT_MIN = 600
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class FeedItem:
    key: str
    url: str | None
    title: str | None = None
    html: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str | None = None

    @property
    def text_length(self) -> int:
        return len(" ".join(_TAGS.sub(" ", self.html or "").split()))

    def record(self) -> dict[str, Any]:
        """The item as a JSON article record (newsdesk/ingest/records.py reads it). The
        feed's HTML is the article body already: it becomes paragraphs of text here,
        which spares a full-page extraction (trafilatura) per item."""
        text = html_paragraphs(self.html) if self.html else None
        rec: dict[str, Any] = {"title": self.title, "text": text, "url": self.url,
                               "published": self.published, "source": self.source,
                               "authors": self.authors, "tags": self.tags}
        return {k: v for k, v in rec.items() if v not in (None, "", [])}

    def content_hash(self) -> str:
        """What identifies this version of the item (an edited item is a new version)."""
        blob = json.dumps([self.key, self.url, self.title, self.html, self.published],
                          ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


_BLOCKS = frozenset({"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
                     "pre", "section", "article", "tr", "br", "figcaption"})


def html_paragraphs(markup: str) -> str:
    """Text of an HTML fragment, one paragraph per block element; scripts and styles
    dropped."""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return " ".join(_TAGS.sub(" ", markup).split())
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n\n" + (el.tail or "")
    paragraphs = (" ".join(p.split()) for p in root.text_content().split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def parse_feed(body: bytes, origin: str) -> list[FeedItem]:
    """Items of an RSS, Atom or JSON feed, in feed order; InputError if it is none."""
    head = body.lstrip()[:1]
    if head in (b"{", b"["):
        return _json_feed(body, origin)
    with warnings.catch_warnings():  # feedparser's notice about `updated`, on every read
        warnings.simplefilter("ignore", DeprecationWarning)
        # No sanitising: the HTML is never rendered, only turned into text (scripts and
        # styles dropped), and sanitising a large feed costs seconds.
        parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=True)
        return _feed_items(parsed, origin)


def _text(value: Any) -> str | None:
    """A feed field as text; None when it is missing or not a string (a JSON feed can put
    a number or an object anywhere, and one such item must not break the feed)."""
    return value if isinstance(value, str) and value.strip() else None


def _link(origin: str, value: Any) -> str | None:
    """An item link made absolute against the feed's URL (feeds do give '/story/1')."""
    link = _text(value)
    if link and origin.lower().startswith(("http://", "https://")):
        return urljoin(origin, link.strip())
    return link


def _feed_items(parsed: Any, origin: str) -> list[FeedItem]:
    if not parsed.entries:
        if not parsed.get("version"):
            why = parsed.get("bozo_exception")
            raise InputError(f"{origin}: not an RSS, Atom or JSON feed"
                             + (f" ({why})" if why else ""))
        return []
    site = (parsed.feed.get("title") or "").strip() or None
    items: list[FeedItem] = []
    for e in parsed.entries:
        key = e.get("id") or e.get("link")
        link = _link(origin, e.get("link"))
        if not key:
            continue  # nothing stable to know it by next time
        content = e.get("content") or []
        html = max((c.get("value", "") for c in content), key=len, default="") or \
            e.get("summary") or None
        authors = [a.get("name", "") for a in e.get("authors", []) if a.get("name")]
        items.append(FeedItem(
            key=str(key), url=link, title=(e.get("title") or "").strip() or None, html=html,
            published=e.get("published") or e.get("updated") or None,
            authors=authors or ([e["author"]] if e.get("author") else []),
            tags=[t.get("term") for t in e.get("tags", []) if t.get("term")], source=site,
        ))
    return items


def _json_feed(body: bytes, origin: str) -> list[FeedItem]:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{origin}: invalid JSON feed ({exc})") from exc
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise InputError(f"{origin}: JSON but not a JSON Feed (no jsonfeed.org version)")
    site = data.get("title") or None
    items: list[FeedItem] = []
    for e in data.get("items") or []:
        if not isinstance(e, dict):
            continue
        key = e.get("id") or e.get("url")
        if not key:
            continue
        text = _text(e.get("content_text"))
        html = _text(e.get("content_html")) or (
            "<p>" + text.replace("\n\n", "</p><p>") + "</p>" if text else None
        ) or _text(e.get("summary"))
        people = e.get("authors") or ([e["author"]] if e.get("author") else [])
        tags: list[Any] = e["tags"] if isinstance(e.get("tags"), list) else []
        items.append(FeedItem(
            key=str(key), url=_link(origin, e.get("url")) or _link(origin, e.get("external_url")),
            title=_text(e.get("title")), html=html,
            published=_text(e.get("date_published")) or _text(e.get("date_modified")),
            authors=[p["name"] for p in people if isinstance(p, dict) and _text(p.get("name"))]
            if isinstance(people, list) else [],
            tags=[str(t) for t in tags], source=_text(site),
        ))
    return items


_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
       "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def parse_sitemap(body: bytes, origin: str) -> tuple[list[FeedItem], list[str]]:
    """(page items, child sitemap URLs) of a sitemap or sitemap index. News sitemaps give
    a title and publication date; the page is fetched for the article itself. Entities
    and network access are off in the XML parser."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{origin}: not a valid sitemap ({exc})") from exc
    children = [str(x).strip() for x in root.xpath("/sm:sitemapindex/sm:sitemap/sm:loc/text()",
                                                    namespaces=_NS)]
    items: list[FeedItem] = []
    for node in root.xpath("/sm:urlset/sm:url", namespaces=_NS):
        loc = "".join(node.xpath("sm:loc/text()", namespaces=_NS)).strip()
        if not loc:
            continue
        title = "".join(node.xpath("news:news/news:title/text()", namespaces=_NS)).strip()
        when = "".join(node.xpath("news:news/news:publication_date/text()", namespaces=_NS)
                       ).strip() or "".join(node.xpath("sm:lastmod/text()", namespaces=_NS)
                                            ).strip()
        items.append(FeedItem(key=loc, url=loc, title=title or None, published=when or None))
    if root.tag not in (f"{{{_NS['sm']}}}urlset", f"{{{_NS['sm']}}}sitemapindex"):
        raise InputError(f"{origin}: XML but not a sitemap (root <{root.tag}>)")
    return items, children
