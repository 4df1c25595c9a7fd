"""The HTML pages: layout of the brief page, citations, escaping, charts, snippets."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from newsdesk.models import LlmUsage
from newsdesk.store.sqlite import SQLiteStore
from newsdesk.web.charts import Series, line_chart, periods
from newsdesk.web.config import WebConfig
from newsdesk.web.pages import marked
from tests.web.conftest import app_client, hostile_id

HTML = {"Accept": "text/html"}


def test_feed_lists_newest_briefs_and_filters(client: TestClient) -> None:
    page = client.get("/").text
    titles = re.findall(r'<h2><a href="/briefs/([0-9a-f]+)">', page)
    api = client.get("/api/v1/articles", params={"limit": 20}).json()["items"]
    assert titles == [i["article_id"] for i in api]
    assert 'href="/?offset=20"' in page
    tagged = client.get("/", params={"tag": "Sanctions"}).text
    ids = re.findall(r'<h2><a href="/briefs/([0-9a-f]+)">', tagged)
    api_tagged = client.get("/api/v1/articles", params={"tag": "Sanctions"}).json()["items"]
    assert ids == [i["article_id"] for i in api_tagged]
    assert client.get("/", params={"since": "not a date"}, headers=HTML).status_code == 422


def test_brief_page_has_the_seed_layout_and_linked_citations(client: TestClient) -> None:
    some = client.get("/api/v1/articles", params={"tag": "Sanctions", "limit": 1}).json()
    article_id = some["items"][0]["article_id"]
    brief = client.get(f"/api/v1/articles/{article_id}/brief").json()
    page = client.get(f"/briefs/{article_id}").text
    for heading in ("News Summary", "Background", "In-Depth Insights", "Source text"):
        assert f"<h2>{heading}</h2>" in page
    assert 'class="chips"' in page and brief["tags"][0]["label"] in page
    targets = re.findall(r'<a class="cite" href="#(s-[0-9a-f]+-\d+)"', page)
    assert len(targets) >= len(brief["summary"])
    for target in set(targets):
        assert f'id="{target}"' in page, f"citation {target} has no source sentence on the page"
    if brief["key_figures"]:
        assert "<h2>Key Figures</h2>" in page


def test_hostile_article_renders_as_text(client: TestClient) -> None:
    article_id = hostile_id(client)
    pages = [client.get(f"/briefs/{article_id}").text, client.get("/").text,
             client.get("/search", params={"q": "cargo volumes river port"}).text]
    for page in pages:
        assert "<script>window" not in page and "<script>document" not in page
        assert "<img src=x" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;document.title" in pages[0]
    assert "&lt;img src=x onerror=" in pages[0]


def test_story_page_has_timeline_chart_and_members(client: TestClient) -> None:
    stories = client.get("/api/v1/stories", params={"limit": 100}).json()["items"]
    story = max(stories, key=lambda s: len(s["article_ids"]))
    detail = client.get(f"/api/v1/stories/{story['id']}").json()
    page = client.get(f"/stories/{story['id']}").text
    assert page.count("<li><time>") == len(detail["story"]["timeline"])
    assert page.count("<svg") == min(len(detail["series"]), 6)
    for article_id in story["article_ids"]:
        assert f'href="/briefs/{article_id}"' in page


def test_dashboard_charts_tags_and_signals(client: TestClient) -> None:
    page = client.get("/dashboard", params={"bucket": "year"}).text
    assert page.count("<svg") == 2
    top = client.get("/api/v1/tags").json()[0]["label"]
    assert top in page


def test_search_page_marks_matches(client: TestClient) -> None:
    page = client.get("/search", params={"q": "yuan", "mode": "keyword"}).text
    assert re.search(r"<mark>yuan</mark>", page, re.IGNORECASE)
    assert client.get("/search").status_code == 200


def test_marked_escapes_before_marking() -> None:
    out = str(marked("a <b>x</b> **yuan** and **<i>**"))
    assert out == "a &lt;b&gt;x&lt;/b&gt; <mark>yuan</mark> and <mark>&lt;i&gt;</mark>"


def test_chart_escapes_labels_and_scales() -> None:
    svg = str(line_chart([Series("<script>", [(0, 1, "a"), (1, 3, "<b>")])],
                         [(0, "x<"), (1, "y")], title="t<"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    assert svg.count("<circle") == 2 and "<polyline" in svg
    assert "No data" in str(line_chart([], [], title="empty"))


def test_periods_fill_gaps() -> None:
    assert periods(["2024-11", "2025-02"], "month") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert periods(["2022", "2024"], "year") == ["2022", "2023", "2024"]
    assert periods(["2024-01-03", "2024-01-01"], "day") == ["2024-01-01", "2024-01-03"]


def test_pages_answer_errors_in_html(client: TestClient) -> None:
    response = client.get("/briefs/ffffffffffff", headers=HTML)
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]
    assert "no stored article" in response.text


def test_quotes_page_filters_by_speaker(client: TestClient) -> None:
    everyone = client.get("/quotes").text
    api = client.get("/api/v1/quotes", params={"limit": 50}).json()
    assert everyone.count('<li class="item">') == len(api["items"])
    page = client.get("/quotes", params={"speaker": "zzz-nobody"}).text
    assert '<li class="item">' not in page and "0 quotes" in page
    speaker = next(q["quote"]["speaker"] for q in api["items"] if q["quote"]["speaker"])
    theirs = client.get("/quotes", params={"speaker": speaker}).text
    total = client.get("/api/v1/quotes", params={"speaker": speaker}).json()["total"]
    assert f"{total} quote" in theirs and theirs.count('<li class="item">') == min(total, 50)


def test_an_llm_brief_page_says_how_it_was_written(db_copy: Path) -> None:
    """?engine=llm shows the language model's brief, with its note (e.g. the fallback)
    and what it cost; an unknown engine is a clear 4xx, not a traceback."""
    store = SQLiteStore(db_copy)
    article_id = store.conn.execute(
        "SELECT article_id FROM briefs WHERE engine = 'extractive' LIMIT 1").fetchone()[0]
    brief = store.get_brief(article_id)
    assert brief is not None
    llm = brief.model_copy(update={
        "engine": "llm", "engine_note": "The model could not be reached <b>now</b>.",
        "llm_usage": LlmUsage(model="tiny-model", calls=1, prompt_tokens=1790,
                              completion_tokens=114, latency_s=2.5)})
    with store.transaction():
        store.put_brief(llm)
    store.close()
    with app_client(db_copy, WebConfig()) as c:
        page = c.get(f"/briefs/{article_id}", params={"engine": "llm"})
        assert page.status_code == 200
        assert "The model could not be reached &lt;b&gt;now&lt;/b&gt;." in page.text
        assert "tiny-model" in page.text and "1790 prompt + 114 completion" in page.text
        assert "tiny-model" not in c.get(f"/briefs/{article_id}").text
        assert 400 <= c.get(f"/briefs/{article_id}", params={"engine": "magic"}).status_code < 500


def test_huge_page_offset_is_a_422_not_a_500(client: TestClient) -> None:
    """SQLite cannot take an OFFSET past 2**63: it was an internal error (500)."""
    for path in ("/", "/quotes"):
        response = client.get(path, params={"offset": "99999999999999999999"},
                               headers={"Accept": "text/html"})
        assert response.status_code == 422, (path, response.status_code)
    assert client.get("/", params={"offset": "-5"}).status_code == 200  # still read as 0
