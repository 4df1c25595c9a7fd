"""Feeds to items: odd but real feeds must give usable items, never an exception."""

from __future__ import annotations

import json

from newsdesk.live.feeds import parse_feed


def test_relative_item_links_are_made_absolute() -> None:
    """A relative <link> or JSON Feed url would be refused by the fetcher (no scheme) and
    the item quarantined for good; it means a page on the feed's site."""
    rss = (b'<rss version="2.0"><channel><title>t</title><item><title>x</title>'
           b"<link>/a/1</link></item></channel></rss>")
    [item] = parse_feed(rss, "https://news.example/feeds/rss")
    assert item.url == "https://news.example/a/1" and item.key == "/a/1"
    jf = json.dumps({"version": "https://jsonfeed.org/version/1.1",
                     "items": [{"id": "1", "url": "s/2"}]}).encode()
    assert parse_feed(jf, "https://news.example/feeds/j.json")[0].url == \
        "https://news.example/feeds/s/2"


def test_json_feed_fields_of_the_wrong_type_are_ignored() -> None:
    """A number for a url or a list for content_html made the poll (TypeError) or the
    processing pass (a non-string URL) crash; such fields are dropped instead."""
    jf = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": ["x"], "items": [
        {"id": "1", "url": 123, "title": {"a": 1}, "content_html": ["x"], "tags": "a",
         "date_published": 5, "authors": {"name": "x"}},
        {"id": "2", "url": "https://news.example/2", "title": "ok", "content_text": "t"},
    ]}).encode()
    bad, good = parse_feed(jf, "https://news.example/j.json")
    assert (bad.url, bad.title, bad.html, bad.published, bad.authors, bad.tags,
            bad.source) == (None, None, None, None, [], [], None)
    assert bad.text_length == 0 and bad.record() == {}
    assert good.url == "https://news.example/2" and good.html == "<p>t</p>"
