"""Alerts: each rule kind fires on the articles that match it and only those, cites
them, and is delivered once per channel (log, webhook with retries, Atom feed)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.live.atom import alerts_atom
from newsdesk.live.config import LiveConfig, Webhook
from newsdesk.live.fetch import Fetcher
from newsdesk.live.watch import Watcher
from newsdesk.models import AlertEvent, AlertRule, LiveSource
from newsdesk.relate.embed import HashingEmbedder
from tests.live.feedkit import corpus_docs, rss
from tests.live.server import Reply, serve


@pytest.fixture
def desk(tmp_path: Path):
    d = Desk.open(Settings(db_path=tmp_path / "alerts.db"), embedder=HashingEmbedder())
    yield d
    d.close()


RULES = [
    AlertRule(name="fall", kind="figure", subject="exports to Russia", below=0),
    AlertRule(name="yuan", kind="keyword", value="yuan"),
    AlertRule(name="sanctions", kind="tag", value="Sanctions"),
    AlertRule(name="mongolia", kind="entity", value="Mongolia"),
    AlertRule(name="stories", kind="new_story"),
]


def originals(desk: Desk) -> list:
    ids = [r[0] for r in desk.store.conn.execute(  # type: ignore[attr-defined]
        "SELECT id FROM articles WHERE duplicate_of IS NULL")]
    found = desk.store.get_articles(ids)
    return [(found[i], desk.store.get_enrichment(i)) for i in ids]


def test_rules_fire_on_exactly_the_matching_articles_and_deliver_once(desk: Desk) -> None:
    docs = corpus_docs()
    printed: list[AlertEvent] = []
    with serve() as srv:
        srv.routes["/feed"] = Reply(body=rss(docs, srv.base))
        srv.routes["/hook"] = Reply(500)  # down at first
        config = LiveConfig(
            sources=[LiveSource(name="wire", kind="feed", url=srv.url("/feed"), local=True,
                                rate=0)],
            alerts=RULES, webhooks=[Webhook(url=srv.url("/hook"), local=True)])
        w = Watcher(desk, config, Fetcher(rate=0, sleep=lambda s: None, retries=0))
        w.alerts.sink = printed.append
        report = w.run_once()
        events = w.journal.events(1000)
        assert report.alerts == len(events) > 0
        assert len(printed) == len(events)  # the log channel got each one
        hook_posts = len(srv.posted)
        assert hook_posts == 3 * len(events)  # each tried three times (post retries), all 500

        by_rule: dict[str, list[AlertEvent]] = {}
        for e in events:
            by_rule.setdefault(e.rule, []).append(e)
        stored = originals(desk)
        # keyword: exactly the originals whose title or text says "yuan"
        word = re.compile(r"(?<!\w)yuan(?!\w)", re.I)
        expect = {a.id for a, _ in stored if word.search(a.title) or
                  any(word.search(s) for s in a.sentences)}
        assert {e.articles[0].id for e in by_rule["yuan"]} == expect
        for e in by_rule["yuan"]:
            assert e.articles[0].evidence is None or word.search(e.articles[0].evidence)
        # tag and entity: the stored analysis decides
        assert {e.articles[0].id for e in by_rule["sanctions"]} == {
            a.id for a, en in stored if any(t.label == "Sanctions" for t in en.topics)}
        assert {e.articles[0].id for e in by_rule["mongolia"]} == {
            a.id for a, en in stored if any(x.canonical == "Mongolia" for x in en.entities)}
        # new story: one alert per story
        n_stories = desk.store.conn.execute(  # type: ignore[attr-defined]
            "SELECT count(*) FROM stories").fetchone()[0]
        assert len(by_rule["stories"]) == n_stories
        # figure: every alert cites a falling figure on exports to Russia, quoting it
        assert by_rule["fall"]
        for e in by_rule["fall"]:
            _, en = next(x for x in stored if x[0].id == e.articles[0].id)
            evidence = e.articles[0].evidence or ""
            assert any(f.direction == "down" and f.text in evidence for f in en.figures)
            assert "exports to russia" in evidence.lower() or "export" in evidence.lower()

        # a second pass: nothing new fires, nothing is delivered twice
        again = w.run_once()
        assert again.alerts == 0 and len(printed) == len(events)
        # the webhook comes back; its deliveries are due after their backoff
        srv.routes["/hook"] = Reply(200)
        w.alerts.clock = lambda: datetime.now(UTC) + timedelta(minutes=5)
        assert w.alerts.deliver() == len(events)
        delivered = srv.posted[hook_posts:]
        ids = [json.loads(body)["id"] for _, body in delivered]
        assert sorted(ids) == sorted(e.id for e in events)
        assert json.loads(delivered[0][1])["articles"][0]["id"]
        assert w.alerts.deliver() == 0  # once

    feed = feedparser.parse(alerts_atom(desk.store))
    assert feed.version == "atom10" and len(feed.entries) == len(events)
    assert all(entry.links for entry in feed.entries)


def test_volume_spike_against_trailing_mean(desk: Desk) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    docs = corpus_docs()
    tagged = [d for d in docs if "Sanctions" in (d.source_tags or [])][:4]
    assert len(tagged) == 4
    today = [d.model_copy(update={"published_at": now - timedelta(minutes=n)})
             for n, d in enumerate(tagged)]
    with serve() as srv:
        srv.routes["/feed"] = Reply(body=rss(today[:2], srv.base))
        rule = AlertRule(name="spike", kind="spike", value="Sanctions", min_count=3,
                         factor=2.0, days=7)
        config = LiveConfig(sources=[LiveSource(name="w", kind="feed", url=srv.url("/feed"),
                                                local=True, rate=0)], alerts=[rule])
        w = Watcher(desk, config, Fetcher(rate=0, sleep=lambda s: None, retries=0))
        assert w.run_once().alerts == 0  # two today: under min_count
        srv.routes["/feed"] = Reply(body=rss(today, srv.base))
        assert w.run_once().alerts == 1
        [event] = w.journal.events()
        tagged_today = {r[0] for r in desk.store.conn.execute(  # type: ignore[attr-defined]
            "SELECT article_id FROM article_tags WHERE label = 'Sanctions'")}
        assert event.kind == "spike" and len(tagged_today) >= 3
        assert {a.id for a in event.articles} == tagged_today
        assert w.run_once().alerts == 0  # once a day


def test_a_new_rule_fires_on_new_articles_not_on_the_history(desk: Desk) -> None:
    docs = [d for d in corpus_docs() if "yuan" in d.text.lower()][:4]
    with serve() as srv:
        srv.routes["/feed"] = Reply(body=rss(docs[:2], srv.base))
        config = LiveConfig(sources=[LiveSource(name="w", kind="feed", url=srv.url("/feed"),
                                                local=True, rate=0)])
        w = Watcher(desk, config, Fetcher(rate=0, sleep=lambda s: None, retries=0))
        assert w.run_once().accepted == 2
        config.alerts.append(AlertRule(name="yuan", kind="keyword", value="yuan"))
        assert w.run_once().alerts == 0  # the two stored before the rule: no alert
        srv.routes["/feed"] = Reply(body=rss(docs, srv.base))
        assert w.run_once().alerts == 2  # the two stored after it
        fired = {e.articles[0].title for e in w.journal.events()}
        assert fired == {d.title for d in docs[2:]}


def test_webhook_to_a_private_address_is_refused_unless_local(desk: Desk) -> None:
    from newsdesk.live.fetch import post_json
    from newsdesk.live.guard import BlockedURL

    with serve({"/hook": Reply(200)}) as srv, Fetcher(sleep=lambda s: None) as f:
        with pytest.raises(BlockedURL):
            post_json(f, srv.url("/hook"), {"x": 1})
        assert srv.posted == []
        assert post_json(f, srv.url("/hook"), {"x": 1}, allow_local=True) == 200
        assert json.loads(srv.posted[0][1]) == {"x": 1}


def test_atom_feed_stays_well_formed_with_control_characters(desk: Desk) -> None:
    """A feed title with an ESC or form feed went into the XML as is: not XML 1.0, and
    every reader refused the whole alerts feed."""
    from xml.etree import ElementTree as ET

    from newsdesk.models import AlertArticle
    from newsdesk.store.journal import Journal

    journal = Journal(desk.store)  # type: ignore[arg-type]
    with desk.store.transaction():
        journal.add_event(AlertEvent(
            rule="r\x01", kind="keyword", key="k", title="Port \x1b[31mnews\x0c",
            created_at=datetime(2024, 3, 1, tzinfo=UTC),
            articles=[AlertArticle(id="a" * 32, title="T\x0bitle", url="https://x/\x08",
                                   evidence="said \x00it")]), ["log"])
    root = ET.fromstring(alerts_atom(desk.store))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.findtext("a:entry/a:title", namespaces=ns) == "Port [31mnews"


def test_atom_feed_links_only_web_addresses(desk: Desk) -> None:
    """An article URL from a feed item can be anything: "javascript:..." as an Atom link
    is a script a reader runs on a click. Only http(s) URLs become links."""
    from xml.etree import ElementTree as ET

    from newsdesk.models import AlertArticle
    from newsdesk.store.journal import Journal

    journal = Journal(desk.store)  # type: ignore[arg-type]
    with desk.store.transaction():
        journal.add_event(AlertEvent(
            rule="r", kind="keyword", key="k", title="Port news",
            created_at=datetime(2024, 3, 1, tzinfo=UTC),
            articles=[AlertArticle(id="a" * 32, title="Bad", url="javascript:alert(1)"),
                      AlertArticle(id="b" * 32, title="Good", url="HTTPS://wire.test/a")]),
            ["log"])
    root = ET.fromstring(alerts_atom(desk.store))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    hrefs = [link.get("href") for link in root.findall("a:entry/a:link", ns)]
    assert hrefs == ["HTTPS://wire.test/a"]
