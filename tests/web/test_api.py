"""The REST API over a store holding the sample corpus: pages, filters, ETags, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
from fastapi.testclient import TestClient

from newsdesk.models import AlertArticle, AlertEvent
from newsdesk.store.journal import Journal
from newsdesk.store.sqlite import SQLiteStore
from newsdesk.web.config import WebConfig
from tests.web.conftest import app_client, hostile_id


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]


def test_articles_page_newest_first_with_next(client: TestClient) -> None:
    first = client.get("/api/v1/articles", params={"limit": 5}).json()
    assert first["total"] >= 40 and len(first["items"]) == 5 and first["next"] == 5
    dates = [i["published_at"] for i in first["items"] if i["published_at"]]
    assert dates == sorted(dates, reverse=True)
    second = client.get("/api/v1/articles", params={"limit": 5, "offset": 5}).json()
    assert not {i["article_id"] for i in first["items"]} & {i["article_id"] for i in second["items"]}
    last = client.get("/api/v1/articles", params={"limit": 5, "offset": first["total"] - 2}).json()
    assert len(last["items"]) == 2 and last["next"] is None
    assert all(i["has_brief"] and i["lead"] for i in first["items"])


def test_a_day_in_basic_iso_form_is_the_whole_day(client: TestClient) -> None:
    """until=20240307 is all of 7 March, like until=2024-03-07, not its first instant."""
    def ids(since: str, until: str) -> list[str]:
        page = client.get("/api/v1/articles", params={"since": since, "until": until}).json()
        return [i["article_id"] for i in page["items"]]

    assert ids("2024-03-07", "2024-03-07")
    assert ids("20240307", "20240307") == ids("2024-03-07", "2024-03-07")


def test_article_filters(client: TestClient) -> None:
    tags = client.get("/api/v1/tags").json()
    top = tags[0]
    tagged = client.get("/api/v1/articles", params={"tag": top["label"], "limit": 200}).json()
    assert tagged["total"] == top["count"]
    assert all(top["label"] in i["tags"] for i in tagged["items"])
    dated = client.get("/api/v1/articles", params={"since": "2024-01-01", "until": "2024-12-31",
                                                   "limit": 200}).json()
    assert 0 < dated["total"] < tagged["total"] + 100
    assert all(i["published_at"][:4] == "2024" for i in dated["items"])
    russia = client.get("/api/v1/articles", params={"entity": "Russia"}).json()
    assert russia["total"] > 0
    assert client.get("/api/v1/articles", params={"source": "no such outlet"}).json()["total"] == 0


def test_get_article_by_prefix_and_404(client: TestClient) -> None:
    some = client.get("/api/v1/articles", params={"limit": 1}).json()["items"][0]["article_id"]
    article = client.get(f"/api/v1/articles/{some[:8]}").json()
    assert article["id"] == some and article["sentences"]
    missing = client.get("/api/v1/articles/ffffffffffff")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_brief_etag_and_304(client: TestClient) -> None:
    some = client.get("/api/v1/articles", params={"limit": 1}).json()["items"][0]["article_id"]
    response = client.get(f"/api/v1/articles/{some}/brief")
    assert response.status_code == 200
    brief = response.json()
    assert brief["article_id"] == some and brief["summary"][0]["citations"]
    etag = response.headers["etag"]
    again = client.get(f"/api/v1/articles/{some}/brief", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    other = client.get(f"/api/v1/articles/{some}/brief", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200
    bad = client.get(f"/api/v1/articles/{some}/brief", params={"engine": "oracle"})
    assert bad.status_code == 422 and "engine" in error_of(bad)["message"]


def test_search_modes_and_filters(client: TestClient) -> None:
    for mode in ("keyword", "hybrid", "semantic"):
        response = client.get("/api/v1/search", params={"q": "yuan settlement", "mode": mode})
        assert response.status_code in (200, 422), response.text
        if mode == "keyword":
            hits = response.json()["items"]
            assert hits and any("yuan" in h["snippet"].lower() for h in hits)
    page = client.get("/api/v1/search", params={"q": "exports", "mode": "keyword",
                                                "limit": 3}).json()
    assert len(page["items"]) == 3 and page["next"] == 3
    nxt = client.get("/api/v1/search", params={"q": "exports", "mode": "keyword",
                                               "limit": 3, "offset": 3}).json()
    assert not {h["article_id"] for h in page["items"]} & {h["article_id"] for h in nxt["items"]}
    tagged = client.get("/api/v1/search", params={"q": "trade", "mode": "keyword",
                                                  "tag": "Sanctions"}).json()["items"]
    assert all("Sanctions" in h["tags"] for h in tagged)
    missing = client.get("/api/v1/search")
    assert missing.status_code == 422 and error_of(missing)["code"] == "invalid_input"
    bad_date = client.get("/api/v1/search", params={"q": "x", "since": "yesterday"})
    assert bad_date.status_code == 422 and "since" in error_of(bad_date)["message"]


def test_stories_with_timeline_and_series(client: TestClient) -> None:
    page = client.get("/api/v1/stories", params={"limit": 50}).json()
    assert page["total"] == len(page["items"]) or page["next"]
    biggest = max(page["items"], key=lambda s: len(s["article_ids"]))
    detail = client.get(f"/api/v1/stories/{biggest['id']}").json()
    assert detail["story"]["id"] == biggest["id"]
    assert len(detail["story"]["timeline"]) == len(biggest["article_ids"])
    for points in detail["series"].values():
        assert len({p["article_id"] for p in points}) >= 2
    assert client.get("/api/v1/stories/s0000000").status_code == 404


def test_tags_counts_over_time(client: TestClient) -> None:
    totals = {t["tag"]: t["count"] for t in client.get("/api/v1/tags").json()}
    monthly = client.get("/api/v1/tags/counts", params={"bucket": "month"}).json()
    assert monthly and all(len(c["bucket"]) == 7 for c in monthly)
    summed: dict[str, int] = {}
    for c in monthly:
        summed[c["tag"]] = summed.get(c["tag"], 0) + c["count"]
    assert all(summed[t] <= totals[t] for t in summed)
    yearly = client.get("/api/v1/tags/counts", params={"bucket": "year"}).json()
    assert sum(c["count"] for c in yearly) == sum(c["count"] for c in monthly)
    assert client.get("/api/v1/tags/counts", params={"bucket": "hour"}).status_code == 422
    signals = client.get("/api/v1/signals").json()
    assert signals and {s["kind"] for s in signals} <= {
        "sanctions", "secondary_sanctions", "tariffs", "export_controls", "conflict",
        "default", "payment_disruption"}


def test_figures_by_subject_entity_and_year(client: TestClient) -> None:
    page = client.get("/api/v1/figures", params={"subject": "exports", "limit": 200}).json()
    assert page["total"] > 0
    assert all("export" in (p["figure"]["subject"] or "").lower() for p in page["items"])
    years = {p["figure"]["period"]["year"] for p in page["items"]
             if p["figure"].get("period") and p["figure"]["period"].get("year")}
    if years:
        year = sorted(years)[0]
        in_year = client.get("/api/v1/figures", params={"subject": "exports", "year": year}).json()
        assert in_year["items"] and all(p["figure"]["period"]["year"] == year
                                        for p in in_year["items"])
    russia = client.get("/api/v1/figures", params={"entity": "Russia"}).json()
    assert russia["total"] > 0


def test_entities_and_quotes(client: TestClient) -> None:
    people = client.get("/api/v1/entities", params={"type": "person"}).json()
    assert people["total"] > 0 and all(e["type"] == "person" for e in people["items"])
    counts = [e["articles"] for e in people["items"]]
    assert counts == sorted(counts, reverse=True)
    quotes = client.get("/api/v1/quotes", params={"limit": 200}).json()
    assert quotes["total"] > 0
    speaker = next(q["quote"]["speaker"] for q in quotes["items"] if q["quote"]["speaker"])
    theirs = client.get("/api/v1/quotes", params={"speaker": speaker}).json()
    assert theirs["items"] and all(speaker.lower() in q["quote"]["speaker"].lower()
                                   for q in theirs["items"])
    one = client.get("/api/v1/quotes", params={"article": hostile_id(client)}).json()
    assert one["items"] and all(q["article_id"] == hostile_id(client) for q in one["items"])
    assert any("expect the rise" in q["quote"]["text"] for q in one["items"])


def test_pagination_bounds_are_validated(client: TestClient) -> None:
    for params in ({"limit": 0}, {"limit": 1000}, {"offset": -1}):
        response = client.get("/api/v1/articles", params=params)
        assert response.status_code == 422 and error_of(response)["code"] == "invalid_input"


def test_unknown_path_gets_the_error_body(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    wrong = client.delete("/api/v1/articles")
    assert wrong.status_code == 405 and error_of(wrong)["code"] == "method_not_allowed"


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/articles", "/api/v1/articles/{article_id}/brief", "/api/v1/search",
                 "/api/v1/stories/{story_id}", "/api/v1/tags/counts", "/api/v1/figures",
                 "/api/v1/entities", "/api/v1/quotes"):
        assert path in spec["paths"], path
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "/api/v1/search" in docs.text


def test_alerts_are_an_atom_feed(db_copy: Path) -> None:
    """The live desk's alerts (fired by `newsdesk watch`) are served as Atom; a title
    with markup stays text."""
    store = SQLiteStore(db_copy)
    with store.transaction():
        Journal(store).add_event(AlertEvent(
            rule="russia-exports", kind="figure", key="k1", title="Exports <b>fell</b>",
            created_at=datetime(2025, 9, 2, tzinfo=UTC),
            articles=[AlertArticle(id="abc123", title="Car exports dip",
                                   url="https://example.test/a")]), ["atom"])
    store.close()
    with app_client(db_copy, WebConfig()) as c:
        response = c.get("/api/v1/alerts.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.text)
    assert feed.version == "atom10" and len(feed.entries) == 1
    assert feed.entries[0].title == "Exports <b>fell</b>" and feed.entries[0].links
