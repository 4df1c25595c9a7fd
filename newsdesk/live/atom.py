"""The alerts as an Atom feed: what a feed reader or another desk subscribes to.

`alerts_atom(store)` is all the web layer needs to mount it (GET /alerts.atom); the CLI
prints the same document with `newsdesk alerts feed`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from newsdesk.errors import StoreError
from newsdesk.ingest.sources import is_url
from newsdesk.store.base import Store
from newsdesk.store.journal import Journal
from newsdesk.store.sqlite import SQLiteStore

ATOM = "http://www.w3.org/2005/Atom"
FEED_ID = "urn:newsdesk:alerts"
# Characters XML 1.0 cannot carry at all (ElementTree writes them as they are, and the
# whole feed is then unreadable): article titles from feeds do hold the odd \x1b or \x0c.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def alerts_atom(store: Store, limit: int = 100, self_url: str | None = None) -> str:
    """The latest alerts, newest first, as an Atom 1.0 document; each entry links to
    the articles that fired it and quotes the sentence that did."""
    if not isinstance(store, SQLiteStore):
        raise StoreError("alerts are kept in the SQLite store")
    events = Journal(store).events(limit)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = FEED_ID
    ET.SubElement(feed, f"{{{ATOM}}}title").text = "newsdesk alerts"
    updated = max((e.created_at for e in events), default=datetime(1970, 1, 1, tzinfo=UTC))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "newsdesk"
    if self_url:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=_x(self_url))
    for event in events:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:newsdesk:alert:{event.id}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _x(event.title)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = event.created_at.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}category", term=_x(event.kind), label=_x(event.rule))
        for a in event.articles:
            # Only web addresses become links: a feed item's "javascript:..." URL would be
            # a script a reader runs on a click. Other URLs stay in the content as text.
            if a.url and is_url(a.url):
                ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=_x(a.url),
                              title=_x(a.title))
        lines = [f"Rule {event.rule} ({event.kind})."]
        for a in event.articles:
            when = f" ({a.published_at:%Y-%m-%d})" if a.published_at else ""
            lines.append(f"[{a.id[:12]}] {a.title}{when}" + (f': "{a.evidence}"'
                                                              if a.evidence else ""))
        ET.SubElement(entry, f"{{{ATOM}}}content", type="text").text = _x("\n".join(lines))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
