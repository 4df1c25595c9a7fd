"""Writes, tokens, size limits, CORS and the security headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.errors import InputError
from newsdesk.web import WebConfig
from tests.conftest import ARTICLE
from tests.web.conftest import app_client

TOKEN = "t0ken-for-tests-only-0123456789"


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def upload(client: TestClient, text: str = ARTICLE, name: str = "grain.txt", **kw):
    return client.post("/api/v1/articles", files={"file": (name, text.encode(), "text/plain")},
                       **kw)


def test_upload_ingests_and_writes_the_brief(writer: TestClient) -> None:
    response = upload(writer)
    assert response.status_code == 201, response.text
    outcome = response.json()["outcomes"][0]
    assert outcome["status"] == "accepted" and outcome["origin"] == "upload:grain.txt"
    brief = writer.get(f"/api/v1/articles/{outcome['article_id']}/brief")
    assert brief.status_code == 200 and "Amur" in brief.json()["title"]
    again = upload(writer)
    assert again.status_code == 200 and again.json()["outcomes"][0]["status"] == "unchanged"
    feed = writer.get("/api/v1/articles", params={"source": "Test Wire", "limit": 200}).json()
    assert outcome["article_id"] in {i["article_id"] for i in feed["items"]}


def test_an_upload_gets_its_vector_when_the_desk_keeps_vectors(
        db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_EMBEDDER", "hashing")
    with Desk.open(Settings(db_path=db_copy)) as desk:
        before = desk.embed()["total"]
    with app_client(db_copy, WebConfig()) as writer:
        assert upload(writer).status_code == 201
    with Desk.open(Settings(db_path=db_copy)) as desk:
        assert desk.embed()["embedded"] == 0  # nothing left to embed
        assert dict(desk.store.embedding_models()) == {desk.embedder.name: before + 1}


def test_an_upload_is_stored_even_when_embedding_it_fails(
        writer: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Desk) -> bool:
        raise InputError("embedding model directory not found: /nowhere")

    monkeypatch.setattr(Desk, "keeps_vectors", broken)
    response = upload(writer, name="grain-again.txt")
    assert response.status_code == 201, response.text
    assert response.json()["outcomes"][0]["status"] == "accepted"


def test_regenerate_changes_the_etag(writer: TestClient) -> None:
    some = writer.get("/api/v1/articles", params={"limit": 1}).json()["items"][0]["article_id"]
    before = writer.get(f"/api/v1/articles/{some}/brief").headers["etag"]
    response = writer.post(f"/api/v1/articles/{some}/brief")
    assert response.status_code == 200 and response.headers["etag"] != before
    assert writer.get(f"/api/v1/articles/{some}/brief").headers["etag"] == response.headers["etag"]


def test_bad_uploads_get_error_bodies(writer: TestClient) -> None:
    empty = upload(writer, text="   \n")
    assert empty.status_code == 422 and "empty" in error_of(empty)["message"]
    binary = writer.post("/api/v1/articles",
                         files={"file": ("x.bin", b"\x00\x01\x02" * 100, "application/octet-stream")})
    assert binary.status_code == 422 and error_of(binary)["code"] == "invalid_input"
    neither = writer.post("/api/v1/articles", data={})
    assert neither.status_code == 422 and "file" in error_of(neither)["message"]
    not_url = writer.post("/api/v1/articles", data={"url": "file:///etc/passwd"})
    assert not_url.status_code == 422 and "http" in error_of(not_url)["message"]


def test_upload_over_the_limit_is_413(db_copy: Path) -> None:
    with app_client(db_copy, WebConfig(max_upload=2000)) as client:
        response = upload(client, text=ARTICLE * 10)
        assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"
        assert upload(client).status_code == 201


def test_writes_need_the_token_when_one_is_set(db_copy: Path) -> None:
    with app_client(db_copy, WebConfig(token=TOKEN)) as client:
        missing = upload(client)
        assert missing.status_code == 401 and error_of(missing)["code"] == "unauthorized"
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = upload(client, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = upload(client, headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 201
        assert client.get("/api/v1/articles").status_code == 200  # reads stay open


def test_beyond_loopback_needs_a_token() -> None:
    with pytest.raises(InputError, match="NEWSDESK_API_TOKEN"):
        WebConfig(host="0.0.0.0").check()
    with pytest.raises(InputError, match="too short"):
        WebConfig(host="0.0.0.0", token="short").check()
    WebConfig(host="0.0.0.0", token=TOKEN).check()
    WebConfig(host="::1").check()
    with pytest.raises(InputError, match="any site"):
        WebConfig(cors_origins=("*",)).check()


def test_cross_site_writes_are_refused(writer: TestClient) -> None:
    response = upload(writer, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    fetched = upload(writer, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403


def test_dns_rebinding_cannot_write_without_a_token(writer: TestClient) -> None:
    """evil.example re-pointed at 127.0.0.1: the browser sends its own name as Origin and
    Host (same origin to it), so only the Host tells the request from a local one."""
    rebound = upload(writer, headers={"Host": "evil.example:8000",
                                      "Origin": "http://evil.example:8000"})
    assert rebound.status_code == 403 and error_of(rebound)["code"] == "forbidden"
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
        assert upload(writer, headers={"Host": host}).status_code in (200, 201), host


def test_a_malformed_origin_or_host_is_refused_not_a_500(writer: TestClient) -> None:
    """urlsplit raises on an unclosed IPv6 bracket: the write was an internal error."""
    for headers in ({"Origin": "http://["}, {"Host": "[::1"}):
        response = upload(writer, headers=headers)
        assert response.status_code == 403, (headers, response.text)
        assert error_of(response)["code"] == "forbidden"


def test_store_errors_do_not_leak_paths(db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.errors import StoreError
    from newsdesk.web.desks import DeskPool

    def broken(self: DeskPool) -> None:
        raise StoreError("/home/desk/secret/news.db is not a usable newsdesk database")

    monkeypatch.setattr(DeskPool, "browse", broken)
    with app_client(db_copy, WebConfig()) as client:
        for path, accept in (("/api/v1/articles", "*/*"), ("/", "text/html")):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code == 503, response.text
            assert "/home/desk" not in response.text and "server log" in response.text


def test_a_damaged_database_answers_503_with_what_to_do_and_no_path(db_copy: Path) -> None:
    """Damage a query meets (here a table another program dropped) was a generic 500;
    the client gets 503 and the CLI's kind of message, the path staying in the log."""
    import sqlite3

    conn = sqlite3.connect(db_copy)
    conn.execute("DROP TABLE stories")
    conn.commit()
    conn.close()
    with app_client(db_copy, WebConfig()) as client:
        for path, accept in (("/api/v1/stories", "*/*"), ("/stories", "text/html")):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code == 503, response.text
            assert "damaged or was changed by another program" in response.text
            assert "no such table: stories" in response.text and "restore a copy" in response.text
            assert str(db_copy.parent) not in response.text


def test_upload_cut_off_by_a_disconnect_never_reaches_the_app() -> None:
    """The body read so far was handed on as if complete: half a file got ingested."""
    import asyncio

    from newsdesk.web.security import Guard

    called: list[bytes] = []

    async def app(scope, receive, send) -> None:
        called.append((await receive())["body"])

    messages = iter([{"type": "http.request", "body": b"first half", "more_body": True},
                     {"type": "http.disconnect"}])

    async def receive():
        return next(messages)

    async def send(message) -> None:
        pass

    scope = {"type": "http", "method": "POST", "headers": [], "path": "/api/v1/articles"}
    asyncio.run(Guard(app, max_body=1000)(scope, receive, send))
    assert called == []


def test_security_headers_and_no_cors_by_default(client: TestClient) -> None:
    for path in ("/", "/api/v1/articles", "/static/app.css"):
        response = client.get(path, headers={"Origin": "https://elsewhere.example"})
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "access-control-allow-origin" not in response.headers
    preflight = client.options("/api/v1/articles", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_when_configured(db_copy: Path) -> None:
    origin = "https://dashboard.example"
    with app_client(db_copy, WebConfig(cors_origins=(origin,))) as client:
        response = client.get("/api/v1/tags", headers={"Origin": origin})
        assert response.headers["access-control-allow-origin"] == origin
        other = client.get("/api/v1/tags", headers={"Origin": "https://other.example"})
        assert "access-control-allow-origin" not in other.headers


def test_unreachable_url_is_422_with_the_reason(writer: TestClient) -> None:
    response = writer.post("/api/v1/articles", data={"url": "http://127.0.0.1:9/nothing"})
    assert response.status_code == 422, response.text
    assert "127.0.0.1:9" in error_of(response)["message"]


def test_a_brief_never_written_is_composed_once_then_stable(writer: TestClient) -> None:
    stored = writer.post("/api/v1/articles", params={"brief": "false"},
                         files={"file": ("grain.txt", ARTICLE.encode(), "text/plain")})
    article_id = stored.json()["outcomes"][0]["article_id"]
    first = writer.get(f"/api/v1/articles/{article_id}/brief")
    second = writer.get(f"/api/v1/articles/{article_id}/brief")
    assert first.status_code == second.status_code == 200
    assert first.headers["etag"] == second.headers["etag"]


def test_head_answers_like_get_without_the_body(client: TestClient) -> None:
    """`curl -I`, uptime monitors and link checkers send HEAD: every GET route answers it
    with the GET's status and headers and no body (it was 405 everywhere)."""
    for path in ("/", "/api/v1/articles", "/static/app.css", "/api/v1/articles/nope"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == got.headers["content-length"]
    assert client.head("/api/v1/articles").status_code == 200
