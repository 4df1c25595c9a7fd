"""The HTTP client: retries, Retry-After, servers without response_format, the limit."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from newsdesk.config import LlmSettings
from newsdesk.errors import LlmError
from newsdesk.llm.cache import ResponseCache, cache_key
from newsdesk.llm.client import ChatClient
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
