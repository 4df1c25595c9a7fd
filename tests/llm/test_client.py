"""The HTTP client: retries, Retry-After, servers without response_format, the limit."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time

import httpx
import pytest

from newsdesk.config import LlmSettings
from newsdesk.errors import LlmError
from newsdesk.llm.cache import ResponseCache, cache_key
from newsdesk.llm.client import MAX_ANSWER_BYTES, ChatClient
from tests.llm.conftest import completion

MESSAGES = [{"role": "user", "content": "hi"}]


def client(handler: httpx.MockTransport, sleeps: list[float], **kw: object) -> ChatClient:
    settings = LlmSettings(base_url="http://llm.test/v1", model="m", backoff_s=0.5, **kw)  # type: ignore[arg-type]
    return ChatClient(settings, sleep=sleeps.append, transport=handler)


def test_backoff_doubles_and_retry_after_wins() -> None:
    statuses = [503, 429, 502, 200]
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = statuses[len(seen) - 1]
        headers = {"Retry-After": "7"} if status == 429 else {}
        return httpx.Response(status, json=completion("ok"), headers=headers)

    sleeps: list[float] = []
    got = client(httpx.MockTransport(handle), sleeps).complete(MESSAGES)
    assert got.text == "ok" and got.prompt_tokens == 120
    assert sleeps == [0.5, 7.0, 2.0]
    assert str(seen[0].url) == "http://llm.test/v1/chat/completions"


@pytest.mark.parametrize("value", ["nan", "-5"])
def test_a_retry_after_no_sleep_can_take_falls_back_to_the_backoff(value: str) -> None:
    """time.sleep(nan) and time.sleep(-5) raise ValueError: the brief crashed."""
    answers = iter([httpx.Response(503, headers={"Retry-After": value}),
                    httpx.Response(200, json=completion("ok"))])
    sleeps: list[float] = []
    assert client(httpx.MockTransport(lambda r: next(answers)), sleeps).complete(
        MESSAGES).text == "ok"
    assert sleeps == [0.5]


def test_retries_run_out_with_an_actionable_error() -> None:
    sleeps: list[float] = []
    c = client(httpx.MockTransport(lambda r: httpx.Response(500, text="boom")), sleeps,
               max_retries=2)
    with pytest.raises(LlmError, match=r"unavailable after 3 attempt\(s\): HTTP 500"):
        c.complete(MESSAGES)
    assert len(sleeps) == 2


def test_client_errors_are_not_retried_and_keys_are_sent() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, text="bad key")

    with pytest.raises(LlmError, match="HTTP 401"):
        client(httpx.MockTransport(handle), [], api_key="sk-test").complete(MESSAGES)
    assert len(seen) == 1 and seen[0].headers["authorization"] == "Bearer sk-test"


def test_server_without_response_format_is_asked_plainly() -> None:
    bodies: list[bytes] = []

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        if b"response_format" in request.content:
            return httpx.Response(400, text="unknown field response_format")
        return httpx.Response(200, json=completion("plain"))

    c = client(httpx.MockTransport(handle), [])
    assert c.complete(MESSAGES).text == "plain"
    c.complete([{"role": "user", "content": "again"}])
    assert len(bodies) == 3  # the refusal is remembered


def test_not_a_chat_api_is_explained() -> None:
    c = client(httpx.MockTransport(lambda r: httpx.Response(200, text="<html>")), [])
    with pytest.raises(LlmError, match="NEWSDESK_LLM_BASE_URL"):
        c.complete(MESSAGES)


def test_concurrency_limit_is_shared_per_endpoint() -> None:
    active = peak = 0
    lock = threading.Lock()

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return httpx.Response(200, json=completion("ok"))

    settings = LlmSettings(base_url="http://limit.test/v1", concurrency=2)
    clients = [ChatClient(settings, transport=httpx.MockTransport(handle)) for _ in range(6)]
    threads = [threading.Thread(target=c.complete, args=([{"role": "user", "content": str(i)}],))
               for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_cache_key_and_damaged_entries(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = cache_key(MESSAGES, "m", {"temperature": 0})
    assert a == cache_key(MESSAGES, "m", {"temperature": 0})
    assert a != cache_key(MESSAGES, "m2", {"temperature": 0})
    assert a != cache_key(MESSAGES, "m", {"temperature": 0.7})
    cache = ResponseCache(tmp_path)
    cache.put(a, {"text": "x", "prompt_tokens": 1, "completion_tokens": 2})
    assert cache.get(a) == {"text": "x", "prompt_tokens": 1, "completion_tokens": 2}
    (tmp_path / a[:2] / f"{a}.json").write_text("{broken")
    assert cache.get(a) is None


@pytest.mark.parametrize(("kind", "expected"), [
    ("json_object", {"type": "json_object"}),
    ("json_schema", {"type": "json_schema",
                     "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": False}}),
    ("json_object_schema", {"type": "json_object", "schema": {"type": "object"}}),
    ("none", None),
])
def test_response_formats(kind: str, expected: dict | None) -> None:
    import json

    bodies: list[dict] = []

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=completion("{}"))

    client(httpx.MockTransport(handle), [], response_format=kind).complete(
        MESSAGES, {"type": "object"})
    assert bodies[0].get("response_format") == expected


@pytest.mark.parametrize(("value", "slept"), [("-5", 0.5), ("nan", 0.5), ("-inf", 0.5),
                                              ("inf", 0.5)])
def test_a_retry_after_that_is_no_delay_is_not_slept(value: str, slept: float) -> None:
    """A Retry-After of "-5", "nan" or "inf" is no number of seconds: the client waits its
    own backoff, never the value itself (time.sleep raises on it: a traceback)."""
    replies = iter([httpx.Response(429, headers={"Retry-After": value}),
                    httpx.Response(200, json=completion("ok"))])
    sleeps: list[float] = []
    got = client(httpx.MockTransport(lambda r: next(replies)), sleeps).complete(MESSAGES)
    assert got.text == "ok"
    assert sleeps == [slept]


@pytest.mark.parametrize("usage", ["n/a", [120, 40], {"prompt_tokens": "many", "completion_tokens": None},
                                   {"prompt_tokens": -3, "completion_tokens": 10**400}])
def test_a_malformed_usage_block_counts_as_unknown_tokens(usage: object) -> None:
    """Token counts are accounting, not the answer: a server's odd `usage` costs the
    count (0, unknown), never the answer itself."""
    body = json.dumps({**completion("ok"), "usage": usage})
    got = client(httpx.MockTransport(lambda r: httpx.Response(200, text=body)), []).complete(MESSAGES)
    assert (got.text, got.prompt_tokens, got.completion_tokens) == ("ok", 0, 0)


def test_an_answer_that_cannot_be_decoded_is_an_llm_error() -> None:
    """A proxy that labels a plain body "gzip" leaves httpx unable to read it: that is the
    server's fault, said as an LlmError (the brief falls back), not a traceback."""
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"not gzip", headers={"Content-Encoding": "gzip"})

    with pytest.raises(LlmError, match="could not read the answer"):
        client(httpx.MockTransport(handle), []).complete(MESSAGES)


@pytest.mark.parametrize(("status", "hint"), [
    (404, "check NEWSDESK_LLM_BASE_URL (it usually ends in /v1)"),
    (405, "check NEWSDESK_LLM_BASE_URL (it usually ends in /v1)"),
    (401, "check NEWSDESK_LLM_API_KEY"),
    (403, "check NEWSDESK_LLM_API_KEY"),
])
def test_a_refusal_says_which_setting_to_check(status: int, hint: str) -> None:
    """A base URL without /v1 (or with /chat/completions pasted on) answers 404; a wrong
    key 401: the error names the setting to fix, not only the status."""
    c = client(httpx.MockTransport(lambda r: httpx.Response(status, text="nope")), [])
    with pytest.raises(LlmError, match=re.escape(hint)):
        c.complete(MESSAGES)


def test_a_server_trickling_its_answer_is_cut_off_at_the_timeout() -> None:
    """httpx's timeout bounds each read: a server sending a byte every 0.1 s never trips
    it, and would hold a brief for as long as it likes. timeout_s bounds the answer."""
    import socket

    body = json.dumps(completion("ok")).encode()

    def serve(listener: socket.socket) -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body))
            with contextlib.suppress(OSError):
                for byte in body:
                    conn.sendall(bytes([byte]))
                    time.sleep(0.1)

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        threading.Thread(target=serve, args=(listener,), daemon=True).start()
        settings = LlmSettings(base_url=f"http://127.0.0.1:{listener.getsockname()[1]}/v1",
                               timeout_s=0.5, max_retries=0)
        start = time.perf_counter()
        with pytest.raises(LlmError, match=r"no answer within 0\.5 s"):
            ChatClient(settings).complete(MESSAGES)
        assert time.perf_counter() - start < 2.0


def test_an_answer_too_large_for_any_brief_is_refused_while_reading() -> None:
    """max_tokens keeps a real answer to kilobytes; a server streaming gigabytes must not
    fill the desk's memory before the answer is found unusable."""
    big = b'{"choices": [{"message": {"content": "' + b"x" * (MAX_ANSWER_BYTES + 1) + b'"}}]}'
    c = client(httpx.MockTransport(lambda r: httpx.Response(200, content=big)), [])
    with pytest.raises(LlmError, match="larger than"):
        c.complete(MESSAGES)


def test_a_cache_write_that_fails_leaves_no_temporary_file(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Best effort means no answer kept, not a .tmp file per failed write (a full disk
    would otherwise collect one per brief)."""
    import os

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    ResponseCache(tmp_path).put("ab" * 32, {"text": "x"})
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_retry_after_date_is_honoured() -> None:
    """Retry-After may be an HTTP date (RFC 9110): the client waited its own backoff."""
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    replies = iter([httpx.Response(503, headers={"Retry-After": soon}),
                    httpx.Response(200, json=completion("ok"))])
    sleeps: list[float] = []
    assert client(httpx.MockTransport(lambda r: next(replies)), sleeps).complete(
        MESSAGES).text == "ok"
    assert len(sleeps) == 1 and 15 < sleeps[0] <= 20
