"""The watch pass end to end against local servers: feeds of every kind, pages, a
folder; conditional polls; quarantine and retry."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.live.config import LiveConfig
from newsdesk.live.fetch import Fetcher
from newsdesk.live.retry import retry_quarantine
from newsdesk.live.watch import Watcher
from newsdesk.models import LiveSource
from newsdesk.relate.embed import HashingEmbedder
from tests.live.feedkit import atom, corpus_docs, json_feed, page_html, rss, sitemap
from tests.live.server import Reply, serve


@pytest.fixture
def desk(tmp_path: Path):
    d = Desk.open(Settings(db_path=tmp_path / "live.db"), embedder=HashingEmbedder())
    yield d
    d.close()


def watcher(desk: Desk, *sources: LiveSource) -> Watcher:
    return Watcher(desk, LiveConfig(sources=list(sources)),
                   Fetcher(rate=0, sleep=lambda s: None, retries=0))


def src(name: str, url: str, kind: str = "feed", **kw) -> LiveSource:
    return LiveSource(name=name, kind=kind, url=url, local=True, rate=0, **kw)


def counts(desk: Desk) -> tuple[int, int, int]:
    c = desk.store.conn  # type: ignore[attr-defined]
    one = lambda q: c.execute(q).fetchone()[0]  # noqa: E731
    return (one("SELECT count(*) FROM articles"),
            one("SELECT count(*) FROM briefs"),
            one("SELECT count(*) FROM fetched_items WHERE state = 'done'"))


def test_rss_full_text_then_304(desk: Desk) -> None:
    docs = corpus_docs(8)
    feed = {"body": b""}

    def route(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(200, feed["body"], {"ETag": '"v1"', "Content-Type": "application/rss+xml"})
    with serve({"/feed": route}) as srv:
        feed["body"] = rss(docs, srv.base)
        w = watcher(desk, src("wire", srv.url("/feed")))
        report = w.run_once()
        assert (report.new_items, report.accepted, report.briefs) == (8, 8, 8)
        assert counts(desk) == (8, 8, 8)
        again = w.run_once()
        assert again.new_items == 0 and again.processed == 0
        assert srv.requests[-1][1].get("if-none-match") == '"v1"'
    article = desk.store.get_article(desk.store.conn.execute(  # type: ignore[attr-defined]
        "SELECT article_id FROM fetched_items LIMIT 1").fetchone()[0])
    assert article is not None and article.url and article.url.startswith(srv.base + "/a/")


def test_new_articles_get_vectors_once_the_desk_keeps_them(desk: Desk) -> None:
    """Hybrid search must cover the newest articles too: after `newsdesk embed`, each
    pass embeds what it adds; before it, the watcher loads no model."""
    docs = corpus_docs(12)
    feed = {"body": b""}
    with serve({"/feed": lambda h: Reply(200, feed["body"],
                                         {"Content-Type": "application/rss+xml"})}) as srv:
        feed["body"] = rss(docs[:8], srv.base)
        w = watcher(desk, src("wire", srv.url("/feed")))
        assert w.run_once().embedded == 0
        assert desk.embed()["embedded"] == 8
        feed["body"] = rss(docs, srv.base)
        report = w.run_once()
    assert (report.accepted, report.embedded) == (4, 4)
    assert dict(desk.store.embedding_models()) == {desk.embedder.name: 12}


def test_a_failing_embedder_does_not_hold_the_batch(desk: Desk,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    docs = corpus_docs(4)
    with serve({"/feed": lambda h: Reply(200, rss(docs, srv.base),
                                         {"Content-Type": "application/rss+xml"})}) as srv:
        monkeypatch.setattr(desk, "keeps_vectors", lambda: True)
        monkeypatch.setattr(desk, "embed", lambda **kw: 1 / 0)
        report = watcher(desk, src("wire", srv.url("/feed"))).run_once()
    assert (report.accepted, report.briefs, report.embedded) == (4, 4, 0)
    assert counts(desk) == (4, 4, 4)  # stored, briefed, and done: `embed` catches up


def test_teaser_feed_fetches_pages_and_atom_json_sitemap(desk: Desk) -> None:
    docs = corpus_docs(12)
    with serve() as srv:
        srv.routes["/teasers"] = Reply(body=rss(docs[:3], srv.base, full=False))
        for n, d in enumerate(docs):
            srv.routes[f"/a/{n}"] = Reply(body=page_html(d).encode(),
                                          headers={"Content-Type": "text/html; charset=utf-8"})
        srv.routes["/atom"] = Reply(body=atom(docs[3:6], srv.base))
        srv.routes["/json"] = Reply(body=json_feed(docs[6:9], srv.base))
        srv.routes["/sitemap.xml"] = Reply(body=sitemap([
            (srv.url(f"/a/{n}"), docs[n].title or "", "2024-03-01") for n in range(9, 12)]))
        w = watcher(desk, src("teasers", srv.url("/teasers")), src("atom", srv.url("/atom")),
                    src("json", srv.url("/json")),
                    src("sitemap", srv.url("/sitemap.xml"), kind="sitemap"))
        report = w.run_once()
        assert report.poll_errors == 0 and report.quarantined == 0
        assert report.accepted == 12, report
        for n in (0, 1, 2, 9, 10, 11):  # the teasers' and the sitemap's pages were fetched
            assert srv.hits(f"/a/{n}") == 1
        titles = {desk.store.get_article(i).title  # type: ignore[union-attr]
                  for (i,) in desk.store.conn.execute(  # type: ignore[attr-defined]
                      "SELECT id FROM articles")}
        assert {d.title for d in docs} == titles


def test_watched_folder_picks_up_new_and_changed_files(desk: Desk, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    docs = corpus_docs(3)
    (folder / "one.txt").write_text(f"{docs[0].title}\n\n{docs[0].text}")
    w = watcher(desk, LiveSource(name="drop", kind="folder", path=str(folder)))
    assert w.run_once().accepted == 1
    (folder / "two.txt").write_text(f"{docs[1].title}\n\n{docs[1].text}")
    report = w.run_once()
    assert (report.new_items, report.accepted) == (1, 1)
    assert w.run_once().new_items == 0


def test_failures_quarantined_then_retried(desk: Desk) -> None:
    docs = corpus_docs(2)
    with serve() as srv:
        srv.routes["/teasers"] = Reply(body=rss(docs, srv.base, full=False))
        srv.routes["/a/0"] = Reply(body=page_html(docs[0]).encode())
        srv.routes["/a/1"] = Reply(500)  # the page is down
        w = watcher(desk, src("t", srv.url("/teasers")))
        report = w.run_once()
        assert report.accepted == 1 and report.quarantined == 1
        [q] = w.journal.open_quarantine()
        assert "HTTP 500" in q.reason and q.attempts == 1 and q.next_retry is not None
        # not due yet: the next pass leaves it alone
        assert w.run_once().processed == 0
        srv.routes["/a/1"] = Reply(body=page_html(docs[1]).encode())
        result = retry_quarantine(w, [int(q.id or 0)])
        assert result.resolved == [q.id]
        assert w.journal.open_quarantine() == []
        assert counts(desk) == (2, 2, 2)


def test_bad_item_quarantined_with_reason_batch_goes_on(desk: Desk) -> None:
    docs = corpus_docs(2)
    with serve() as srv:
        body = rss(docs, srv.base).replace(
            b"</channel>", b"<item><title>Empty</title><link>" + srv.base.encode()
            + b"/a/9</link><guid>empty</guid></item></channel>")
        srv.routes["/feed"] = Reply(body=body)
        srv.routes["/a/9"] = Reply(body=b"\x89PNG\r\n\x1a\n" + bytes(200),
                                   headers={"Content-Type": "text/html"})
        w = watcher(desk, src("t", srv.url("/feed")))
        report = w.run_once()
    assert report.accepted == 2 and report.quarantined == 1
    [q] = w.journal.open_quarantine()
    assert "PNG image" in q.reason and q.item_id is not None


def test_blocked_item_link_is_quarantined_not_fetched(desk: Desk) -> None:
    """A local feed whose item links to the metadata address: `local` covers the
    source's own host, not wherever its items point."""
    docs = corpus_docs(1)
    with serve() as srv:
        body = rss(docs, "http://169.254.169.254", full=False)
        srv.routes["/feed"] = Reply(body=body)
        w = watcher(desk, src("t", srv.url("/feed")))
        report = w.run_once()
    assert report.quarantined == 1
    [q] = w.journal.open_quarantine()
    assert "metadata" in q.reason and q.next_retry is None  # never retried by itself


def test_quarantine_retry_of_a_batch_item_counts_attempts(desk: Desk, tmp_path: Path) -> None:
    """A row from a plain `ingest` (no journal item) is retried from its stored payload;
    failing again, the new row counts the attempt and the old one closes."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "No body here"}')
    desk.ingest([str(bad)])
    w = watcher(desk)
    [first] = w.journal.open_quarantine()
    result = retry_quarantine(w, [int(first.id or 0)])
    assert result.failed == [first.id]
    [second] = w.journal.open_quarantine()
    assert second.id != first.id and second.attempts == 1 and second.next_retry is not None
    assert "no article text" in second.reason


def test_item_whose_fetch_crashes_is_quarantined_and_the_batch_goes_on(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception fetching one page (not an InputError) aborted the whole
    batch, and as the oldest pending item it came back first on every pass."""
    docs = corpus_docs(3)
    with serve() as srv:
        srv.routes["/teasers"] = Reply(body=rss(docs, srv.base, full=False))
        for n, d in enumerate(docs):
            srv.routes[f"/a/{n}"] = Reply(body=page_html(d).encode(),
                                          headers={"Content-Type": "text/html; charset=utf-8"})
        w = watcher(desk, src("teasers", srv.url("/teasers")))
        real_get = w.fetcher.get

        def get(url: str, **kw):
            if url.endswith("/a/0"):
                raise RuntimeError("boom")
            return real_get(url, **kw)

        monkeypatch.setattr(w.fetcher, "get", get)
        report = w.run_once()
    assert report.accepted == 2 and report.quarantined == 1
    assert counts(desk)[2] == 2
    [q] = w.journal.open_quarantine()
    assert "RuntimeError: boom" in q.reason


def test_a_source_failing_for_weeks_does_not_crash_the_pass(desk: Desk) -> None:
    """The poll backoff was interval * 2 ** failures: after some 48 failures in a row (a
    dead feed, about eleven days at the 6 h cap) it overflowed and every pass crashed."""
    with serve({"/gone": Reply(404)}) as srv:
        w = watcher(desk, src("dead", srv.url("/gone")))
        w.journal.conn.execute("INSERT INTO source_state (source, failures) VALUES (?, ?)",
                               ("dead", 60))
        report = w.run_once()
    assert report.poll_errors == 1
    assert int(w.journal.source_state("dead")["failures"]) == 61


def test_local_source_items_may_not_reach_another_port_of_its_host(desk: Desk) -> None:
    """`local = true` allowed private addresses on the source's host at any port: a local
    feed's item could send the desk to the database or admin port beside it."""
    with serve() as srv, serve({"/admin": Reply(body=b"secret " * 200)}) as other:
        item = other.url("/admin").replace("127.0.0.1", "localhost")
        feed = (f'<rss version="2.0"><channel><title>t</title><item><title>x</title>'
                f"<link>{item}</link></item></channel></rss>").encode()
        srv.routes["/feed"] = Reply(body=feed)
        w = watcher(desk, src("lan", srv.url("/feed").replace("127.0.0.1", "localhost")))
        report = w.run_once()
        assert other.hits("/admin") == 0
    assert report.quarantined == 1
    [q] = w.journal.open_quarantine()
    assert "is this machine" in q.reason and q.next_retry is None


def test_quarantine_row_of_an_item_is_matched_exactly(desk: Desk) -> None:
    """The row was found with LIKE: the '_' of one item's URL matched another item's row,
    which was then linked to the wrong item."""
    from newsdesk.store.journal import JournalItem

    w = watcher(desk)
    with desk.store.transaction():
        other = desk.store.quarantine("https://news.example/a-b#2", "bad", None)
        mine = desk.store.quarantine("https://news.example/a_b#1", "bad", None)
    item = JournalItem(1, "s", "k", "https://news.example/a_b", None, "page", None, 0)
    twin = JournalItem(2, "s", "k2", "https://news.example/a-b", None, "page", None, 0)
    assert w._quarantine_row(item, 0) == mine
    assert w._quarantine_row(twin, 0) == other
    assert w._quarantine_row(JournalItem(3, "s", "k3", "https://news.example/a%", None,
                                         "page", None, 0), 0) is None
