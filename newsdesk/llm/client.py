"""A client for the OpenAI-compatible chat-completions API (`POST {base_url}/chat/completions`).

Plain httpx rather than the `openai` package: the same few lines talk to Ollama, vLLM, a
llama.cpp server, LM Studio and OpenAI, and the desk keeps one HTTP stack. What a brief
needs from it:
- timeouts, and retries with exponential backoff on 429, 5xx and connection errors (a
  busy local server recovers in seconds; `Retry-After` is honoured up to a cap);
- a concurrency limit per endpoint shared by every client in the process, so a batch of
  briefs does not flood a single-GPU server;
- token and latency accounting, summed per brief by the caller;
- a cache: the same request is answered from disk, free.
`response_format` (LlmSettings.response_format) is asked for, and dropped for the rest of
the session if the server refuses it; nothing relies on it (see parse.py):
- "json_object": `{"type": "json_object"}`, understood by nearly every server;
- "json_schema": OpenAI structured outputs, `{"type": "json_schema", "json_schema": ...}`
  (OpenAI, vLLM, Ollama, LM Studio);
- "json_object_schema": `{"type": "json_object", "schema": ...}` (llama-cpp-python's
  server): the schema becomes a grammar, so even a tiny model answers in shape;
- "none".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from newsdesk.config import LlmSettings
from newsdesk.errors import LlmError
from newsdesk.llm.cache import ResponseCache, cache_key
from newsdesk.retry_after import retry_after_seconds

RESPONSE_FORMATS = ("json_object", "json_schema", "json_object_schema")
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF_S = 30.0
# A brief's answer is kilobytes (max_tokens); more than this is a broken server, refused
# while reading rather than held in memory.
MAX_ANSWER_BYTES = 8 * 1024 * 1024

_LIMITS: dict[str, threading.BoundedSemaphore] = {}
_LIMITS_LOCK = threading.Lock()


def _limit(base_url: str, concurrency: int) -> threading.BoundedSemaphore:
    """The semaphore of an endpoint: one per (URL, limit) in the process."""
    key = f"{base_url}#{concurrency}"
    with _LIMITS_LOCK:
        if key not in _LIMITS:
            _LIMITS[key] = threading.BoundedSemaphore(max(1, concurrency))
        return _LIMITS[key]


@dataclass(frozen=True)
class Completion:
    """One answer and what it cost."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    cached: bool = False


class ChatClient:
    """Chat completions against one endpoint and model, with retries, limit and cache."""

    def __init__(
        self,
        settings: LlmSettings,
        cache: ResponseCache | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self._sleep = sleep
        self._json_mode = settings.response_format in RESPONSE_FORMATS
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._http = httpx.Client(
            base_url=settings.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
            transport=transport,
        )
        self._semaphore = _limit(settings.base_url, settings.concurrency)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def params(self) -> dict[str, Any]:
        """Sampling parameters: part of the cache key, since they shape the answer."""
        return {"temperature": self.settings.temperature, "max_tokens": self.settings.max_tokens}

    def complete(self, messages: list[dict[str, str]],
                 schema: dict[str, Any] | None = None) -> Completion:
        """The model's answer to `messages`; LlmError once retries are spent. `schema`:
        the JSON Schema of the answer, sent when the response format carries one."""
        params = self.params()
        if self._json_mode:
            params["response_format"] = self._response_format(schema)
        # The endpoint is part of the key: local servers often answer to any model name.
        key = cache_key(messages, self.settings.model,
                        {**params, "base_url": self.settings.base_url})
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            try:
                return Completion(text=str(hit["text"]), prompt_tokens=int(hit["prompt_tokens"]),
                                  completion_tokens=int(hit["completion_tokens"]),
                                  latency_s=0.0, cached=True)
            except (KeyError, TypeError, ValueError):
                pass  # a damaged entry: ask again
        with self._semaphore:
            completion = self._post_with_retries(messages, params)
        if self.cache is not None and completion.text.strip():  # empty: a busy server
            self.cache.put(key, {"text": completion.text,
                                 "prompt_tokens": completion.prompt_tokens,
                                 "completion_tokens": completion.completion_tokens})
        return completion

    def _post_with_retries(self, messages: list[dict[str, str]],
                           params: dict[str, Any]) -> Completion:
        attempts = max(0, self.settings.max_retries) + 1
        problem = ""
        for attempt in range(attempts):
            if attempt:
                self._sleep(self._delay(attempt, problem))
            start = time.perf_counter()
            try:
                response = self._post(self._body(messages, params))
            except httpx.TimeoutException:
                problem = f"no answer within {self.settings.timeout_s:g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"cannot connect: {exc}"
                continue
            except httpx.HTTPError as exc:  # an answer httpx cannot decode: not transient
                raise LlmError(f"{self.settings.base_url}: could not read the answer: "
                               f"{exc}") from None
            latency = time.perf_counter() - start
            if response.status_code == 400 and self._json_mode and "response_format" in (
                    response.text.lower()):
                self._json_mode = False  # the server does not know it: ask plainly
                return self._post_with_retries(messages, params)
            if response.status_code in RETRY_STATUS:
                problem = f"HTTP {response.status_code}"
                self._retry_after = response.headers.get("retry-after")
                continue
            if response.status_code >= 400:
                raise LlmError(f"{self.settings.base_url}: HTTP {response.status_code}: "
                               f"{response.text[:200]}{_hint(response.status_code)}")
            return self._completion(response, latency)
        raise LlmError(f"model server {self.settings.base_url} unavailable after "
                       f"{attempts} attempt(s): {problem}")

    _retry_after: str | None = None

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        """The answer to one POST, read within timeout_s in all: httpx's timeout bounds
        each read, so a server trickling a byte at a time would hold a brief for ever."""
        deadline = time.monotonic() + self.settings.timeout_s
        with self._http.stream("POST", "chat/completions", json=body) as response:
            data = bytearray()
            for chunk in response.iter_bytes():  # decoded: bad gzip is an httpx.DecodingError
                data += chunk
                if len(data) > MAX_ANSWER_BYTES:
                    raise LlmError(f"{self.settings.base_url}: answer larger than "
                                   f"{MAX_ANSWER_BYTES // 2**20} MiB; is it a chat-completions "
                                   "API?")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("deadline passed", request=response.request)
        headers = [(k, v) for k, v in response.headers.items()
                   if k not in ("content-encoding", "content-length")]
        return httpx.Response(response.status_code, headers=headers, content=bytes(data),
                              request=response.request)

    def _delay(self, attempt: int, problem: str) -> float:
        """Exponential backoff; a Retry-After from a 429/503 (seconds or an HTTP date)
        wins, up to a cap; one that is neither ("nan", "-5") is ignored."""
        delay = self.settings.backoff_s * 2 ** (attempt - 1)
        if problem.startswith("HTTP") and self._retry_after:
            if (asked := retry_after_seconds(self._retry_after)) is not None:
                delay = asked
            self._retry_after = None
        return min(max(delay, 0.0), MAX_BACKOFF_S)

    def _response_format(self, schema: dict[str, Any] | None) -> dict[str, Any]:
        kind = self.settings.response_format
        if schema is None or kind == "json_object":
            return {"type": "json_object"}
        if kind == "json_schema":
            return {"type": "json_schema",
                    "json_schema": {"name": "answer", "schema": schema, "strict": False}}
        return {"type": "json_object", "schema": schema}

    def _body(self, messages: list[dict[str, str]], params: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.settings.model, "messages": messages, **params}
        if not self._json_mode:
            body.pop("response_format", None)
        return body

    def _completion(self, response: httpx.Response, latency: float) -> Completion:
        try:
            data = response.json()
            text = data["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmError(f"{self.settings.base_url} did not answer like a chat-completions "
                           f"API ({exc.__class__.__name__}); check NEWSDESK_LLM_BASE_URL "
                           "(it usually ends in /v1)") from None
        usage = data.get("usage")
        return Completion(
            text=well_formed(str(text)),
            prompt_tokens=_tokens(usage, "prompt_tokens"),
            completion_tokens=_tokens(usage, "completion_tokens"),
            latency_s=latency,
        )


def _hint(status: int) -> str:
    """The setting a refusal points at: a path the server does not serve is usually a base
    URL without /v1 (or with /chat/completions pasted on), a 401/403 the key."""
    if status in (404, 405):
        return "; check NEWSDESK_LLM_BASE_URL (it usually ends in /v1)"
    if status in (401, 403):
        return "; check NEWSDESK_LLM_API_KEY (or OPENAI_API_KEY, or [llm] api_key)"
    return ""


def well_formed(text: str) -> str:
    """The text with lone surrogates ("\\ud83d", half an emoji, valid in JSON but not in
    UTF-8) as "?": the answer is cached, hashed and sent back in a retry, all as UTF-8."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _tokens(usage: object, key: str) -> int:
    """A token count of the answer's `usage` block, 0 (unknown) when the server wrote
    something else there ("n/a", a list, "many", -3): accounting must not cost the answer."""
    value = usage.get(key) if isinstance(usage, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value) if 0 <= value < 2**53 else 0
