"""The polite, safe fetcher every live source goes through.

Polite: a clear User-Agent, robots.txt obeyed (cached per host), a per-host request rate
and concurrency cap, conditional GET (ETag / Last-Modified remembered per URL) so an
unchanged feed costs the publisher one 304, retries with exponential backoff on
timeouts, 429 and 5xx only. Safe: the address guard runs before the first request and on
every redirect hop (redirects are followed here, not by httpx, so each hop is checked),
the body is streamed and cut off at the size limit (after gzip/deflate/brotli decoding,
so a compression bomb stops at the limit too).
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import brotli
import httpx

from newsdesk import __version__
from newsdesk.errors import InputError
from newsdesk.ingest.decode import declared_charset, decode, human_size
from newsdesk.live.guard import BlockedURL, Resolver, checked_address, system_resolver
from newsdesk.retry_after import retry_after_seconds

log = logging.getLogger(__name__)

USER_AGENT = (f"newsdesk/{__version__} (self-hosted news desk; "
              "+https://github.com/newsdesk/newsdesk)")
MAX_REDIRECTS = 5
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0
ROBOTS_TTL = 3600.0
ROBOTS_RETRY = 300.0  # an unreadable robots.txt is asked for again after this long
ROBOTS_MAX_BYTES = 512 * 1024


class FetchError(InputError):
    """A fetch failed for a reason worth quarantining; `retryable` says whether a later
    try can succeed (a timeout can, a refused address cannot)."""

    def __init__(self, message: str, *, retryable: bool = False, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


class Validators(Protocol):
    """Where the ETag / Last-Modified of each URL are kept between runs."""

    def get_validators(self, url: str) -> tuple[str | None, str | None]: ...

    def put_validators(self, url: str, etag: str | None, last_modified: str | None) -> None: ...


class MemoryValidators:
    """Validators kept for the life of the process (tests, one-off fetches)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str | None, str | None]] = {}

    def get_validators(self, url: str) -> tuple[str | None, str | None]:
        return self._data.get(url, (None, None))

    def put_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self._data[url] = (etag, last_modified)


@dataclass(frozen=True)
class FetchResult:
    """One completed GET: the final URL after redirects, or not_modified (a 304)."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    charset: str | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None

    def text(self) -> str:
        """The body as text: the HTTP charset, else the page's <meta>, else UTF-8, else
        statistical detection (GBK, cp1251 and Shift_JIS pages are common in news)."""
        return decode(self.body, self.url, self.charset or declared_charset(self.body))


@dataclass
class HostGate:
    """Per-host politeness: at most `concurrency` requests in flight and one request
    started per `1 / rate` seconds."""

    rate: float
    concurrency: int
    slots: threading.Semaphore = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = 0.0

    def __post_init__(self) -> None:
        self.slots = threading.Semaphore(max(1, self.concurrency))

    def wait_turn(self, sleep: Callable[[float], None]) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + (1.0 / self.rate if self.rate > 0 else 0.0)
        if start > now:
            sleep(start - now)


class Fetcher:
    """One per process (or per watch pass); thread-safe for page fetches in parallel."""

    def __init__(
        self,
        *,
        max_bytes: int = 10 * 1024 * 1024,
        timeout: float = 20.0,
        retries: int = 2,
        backoff: float = 1.0,
        rate: float = 1.0,
        concurrency: int = 2,
        user_agent: str = USER_AGENT,
        validators: Validators | None = None,
        resolver: Resolver = system_resolver,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        deadline: float = 120.0,
    ) -> None:
        self.max_bytes = max_bytes
        # `timeout` bounds each read; this bounds the whole response, which a server
        # dribbling a byte every few seconds would otherwise stretch without end.
        self.deadline = deadline
        self.retries = retries
        self.backoff = backoff
        self.rate = rate
        self.concurrency = concurrency
        self.user_agent = user_agent
        self.validators = validators or MemoryValidators()
        self.resolver = resolver
        self.sleep = sleep
        self._gates: dict[str, HostGate] = {}
        self._host_rates: dict[str, float] = {}
        self._robots: dict[str, tuple[float, RobotFileParser | None]] = {}
        self._lock = threading.Lock()
        self.client = httpx.Client(
            follow_redirects=False, timeout=timeout, transport=transport,
            headers={"User-Agent": user_agent,
                     "Accept-Encoding": "gzip, deflate, br"},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_rate(self, host: str, rate: float) -> None:
        """A source's own request rate for its host (requests per second)."""
        with self._lock:
            self._host_rates[host.lower()] = rate
            self._gates.pop(host.lower(), None)

    def _gate(self, host: str) -> HostGate:
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = HostGate(
                    self._host_rates.get(host, self.rate), self.concurrency)
            return gate

    # --- the public call ---------------------------------------------------------------

    def get(self, url: str, *, allow_local: bool | str = False, conditional: bool = True,
            robots: bool = True, max_bytes: int | None = None) -> FetchResult:
        """GET a URL politely and safely; FetchError (an InputError) when it cannot.

        `allow_local`: True lets any hop reach a loopback/private address; a site
        ('host:port', `site_of`) lets only hops to that site do so (a local source's own
        server, not wherever its items or redirects point, nor another port of its host:
        the database or cache listening there)."""
        limit = max_bytes or self.max_bytes
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            local = allow_local is True or (
                isinstance(allow_local, str) and site_of(current) == allow_local.lower())
            host, _, address = checked_address(current, allow_local=local,
                                               resolver=self.resolver)
            if robots and not self.allowed(current, allow_local=local):
                raise FetchError(f"{current}: disallowed by the site's robots.txt for "
                                 f"'{self.user_agent.split('/')[0]}'")
            etag, modified = (self.validators.get_validators(current) if conditional
                              else (None, None))
            result = self._with_retries(current, host, address, etag, modified, limit)
            if isinstance(result, str):  # a redirect: check the next hop before going
                current = result
                continue
            if conditional and not result.not_modified and (result.etag or result.last_modified):
                self.validators.put_validators(current, result.etag, result.last_modified)
            return result
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects; refused")

    # --- robots.txt ----------------------------------------------------------------------

    def allowed(self, url: str, *, allow_local: bool = False) -> bool:
        """Whether robots.txt of the URL's site lets this desk fetch it (cached per host).

        A missing robots.txt (404) allows everything; 401/403 forbid everything (the
        robotparser convention); a site that cannot be reached is allowed and asked
        again after ROBOTS_RETRY seconds."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        now = time.monotonic()
        with self._lock:
            cached = self._robots.get(site)
        if cached is None or now - cached[0] > ROBOTS_TTL:
            parser: RobotFileParser | None = RobotFileParser(site + "/robots.txt")
            try:
                res = self.get(site + "/robots.txt", allow_local=allow_local,
                               conditional=False, robots=False, max_bytes=ROBOTS_MAX_BYTES)
                assert parser is not None
                parser.parse(res.body.decode("utf-8", "replace").splitlines())
            except InputError as exc:
                status = exc.status if isinstance(exc, FetchError) else None
                if status in (401, 403):
                    assert parser is not None
                    parser.parse(["User-agent: *", "Disallow: /"])
                elif status is not None and 400 <= status < 500:
                    assert parser is not None
                    parser.parse([])
                else:
                    log.info("robots.txt of %s unreadable (%s); allowing for now", site, exc)
                    parser = None
            with self._lock:  # unreadable: allowed, and not asked again before every page
                self._robots[site] = cached = (
                    now if parser is not None else now - ROBOTS_TTL + ROBOTS_RETRY, parser)
        parser = cached[1]
        return True if parser is None else parser.can_fetch(self.user_agent, url)

    # --- one hop, with retries -----------------------------------------------------------

    def _with_retries(self, url: str, host: str, address: str | None, etag: str | None,
                      modified: str | None, limit: int) -> FetchResult | str:
        attempt = 0
        while True:
            try:
                return self._once(url, host, address, etag, modified, limit)
            except FetchError as exc:
                if not exc.retryable or attempt >= self.retries:
                    raise
                delay = min(MAX_RETRY_AFTER, exc.retry_after if exc.retry_after is not None
                            else self.backoff * (2 ** attempt))
                log.info("retrying %s in %.1fs (%s)", url, delay, exc)
                self.sleep(delay)
                attempt += 1

    def _once(self, url: str, host: str, address: str | None, etag: str | None,
              modified: str | None, limit: int) -> FetchResult | str:
        target, headers, extensions = pinned(url, address)
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        gate = self._gate(host)
        with gate.slots:
            gate.wait_turn(self.sleep)
            try:
                with self.client.stream("GET", target, headers=headers,
                                        extensions=extensions) as response:
                    return self._read(url, response, limit,
                                      time.monotonic() + self.deadline)
            except httpx.TimeoutException as exc:
                raise FetchError(f"{url}: timed out ({type(exc).__name__})",
                                 retryable=True) from exc
            except (httpx.TransportError, httpx.DecodingError) as exc:
                retry = not isinstance(exc, httpx.DecodingError)
                raise FetchError(f"{url}: could not fetch ({type(exc).__name__}: {exc})",
                                 retryable=retry) from exc
            except httpx.InvalidURL as exc:
                raise BlockedURL(f"{url}: not a valid URL ({exc})") from exc

    def _read(self, url: str, response: httpx.Response, limit: int,
              deadline: float = float("inf")) -> FetchResult | str:
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"{url}: HTTP {status} redirect without a Location")
            return urljoin(url, location)
        if status == 304:
            return FetchResult(url=url, status=304, not_modified=True)
        if status >= 400:
            raise FetchError(f"{url}: the server answered HTTP {status}",
                             retryable=status in RETRY_STATUS, status=status,
                             retry_after=retry_after_seconds(response.headers.get("retry-after")))
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit and \
                not response.headers.get("content-encoding"):
            raise FetchError(f"{url}: body of {human_size(int(declared))} is over the "
                             f"{human_size(limit)} limit")
        # Decoded here, not by httpx: its decoders inflate a whole network chunk at once,
        # and a few hundred bytes of brotli expand to gigabytes before any size check.
        decoders = [_Decoder(e, url) for e in reversed(response.headers.get_list(
            "content-encoding", split_commas=True)) if e.strip().lower() != "identity"]
        chunks: list[bytes] = []
        size = 0

        def take(data: bytes, final: bool = False) -> None:
            nonlocal size
            for decoder in decoders:
                data = decoder.feed(data, limit - size, limit)
                if final:
                    data += decoder.flush(limit - size - len(data), limit)
            size += len(data)
            if size > limit:
                raise FetchError(f"{url}: body is over the {human_size(limit)} limit; "
                                 "stopped reading")
            chunks.append(data)

        if response.is_stream_consumed:  # a response built in memory (a test transport)
            decoders = []
            take(response.content)
        else:
            for raw in response.iter_raw():
                take(raw)
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: the response took longer than "
                                     f"{self.deadline:g} s; stopped reading", retryable=True)
        take(b"", final=True)
        return FetchResult(
            url=url, status=status, body=b"".join(chunks),
            content_type=response.headers.get("content-type", "").lower(),
            charset=response.charset_encoding,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )


class _Decoder:
    """One Content-Encoding (gzip, deflate or br) undone with a cap on the output of each
    call, so a compression bomb stops at the size limit instead of after inflating."""

    def __init__(self, encoding: str, url: str) -> None:
        self.encoding = encoding.strip().lower()
        self.url = url
        self.started = False
        if self.encoding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.encoding == "deflate":
            self.zlib = zlib.decompressobj()
        elif self.encoding == "br":
            self.br = brotli.Decompressor()
        else:
            raise FetchError(f"{url}: unsupported Content-Encoding '{encoding.strip()}'")

    def feed(self, data: bytes, room: int, limit: int) -> bytes:
        """The decoded bytes of `data`, at most `room` of them (FetchError beyond)."""
        cap = max(0, room) + 1
        try:
            if self.encoding == "br":
                out = bytes(self.br.process(data, output_buffer_limit=cap))
            else:
                try:
                    out = self.zlib.decompress(data, cap)
                except zlib.error:
                    if self.encoding != "deflate" or self.started:
                        raise
                    # Raw deflate without the zlib header (httpx falls back to it too).
                    self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    out = self.zlib.decompress(data, cap)
                self.started = self.started or bool(data)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"{self.url}: could not decode the {self.encoding} body "
                             f"({exc})") from exc
        if len(out) > room:
            raise FetchError(f"{self.url}: body is over the {human_size(limit)} limit; "
                             "stopped decompressing")
        return out

    def flush(self, room: int, limit: int) -> bytes:
        """What the decoder still holds once the body has ended (all input was taken:
        `feed` stops the fetch otherwise, so this is small)."""
        if self.encoding == "br":
            return self.feed(b"", room, limit)
        out = self.zlib.flush()
        if len(out) > room:
            raise FetchError(f"{self.url}: body is over the {human_size(limit)} limit; "
                             "stopped decompressing")
        return out


def pinned(url: str, address: str | None
           ) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """The request for `url` sent to the checked `address`: the URL's host swapped for
    the address, the name kept in the Host header and in TLS (SNI and the certificate
    check). The connection is closed after the response, so a pooled connection made
    with one name's TLS is never reused for another name on the same address."""
    try:  # a URL the guard could parse that httpx refuses (an IDNA 2008 host, DEL...)
        target = httpx.URL(url)
        if address is None:
            return target, {}, {}
        headers = {"Host": target.netloc.decode("ascii"), "Connection": "close"}
        extensions: dict[str, Any] = {}
        if target.scheme == "https":
            extensions["sni_hostname"] = target.host
        return target.copy_with(host=address), headers, extensions
    except httpx.InvalidURL as exc:
        raise BlockedURL(f"{url}: not a valid URL ({exc})") from exc


def host_of(url: str) -> str:
    """The lower-case host of a URL ('' when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def site_of(url: str) -> str:
    """'host:port' of a URL, the port made explicit ('' when it has no host)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return ""
    return f"{host}:{port}" if host else ""


__all__ = ["BlockedURL", "FetchError", "FetchResult", "Fetcher", "MemoryValidators",
           "USER_AGENT", "Validators"]


def post_json(fetcher: Fetcher, url: str, payload: object, *, allow_local: bool = False,
              retries: int = 2) -> int:
    """POST a JSON document (a webhook), guarded like a GET, never following redirects;
    retried with backoff on timeouts, 429 and 5xx. Returns the HTTP status."""
    import json as _json

    body = _json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    attempt = 0
    while True:
        _, _, address = checked_address(url, allow_local=allow_local,
                                        resolver=fetcher.resolver)
        target, headers, extensions = pinned(url, address)
        try:  # streamed and closed unread: a receiver's answer body can be any size
            with fetcher.client.stream(
                    "POST", target, content=body, extensions=extensions,
                    headers={**headers, "Content-Type": "application/json"}) as response:
                status = response.status_code
            if status < 300:
                return status
            error = FetchError(f"{url}: the webhook answered HTTP {status}",
                               retryable=status in RETRY_STATUS, status=status)
        except httpx.HTTPError as exc:
            error = FetchError(f"{url}: could not post ({type(exc).__name__}: {exc})",
                               retryable=True)
        if not error.retryable or attempt >= retries:
            raise error
        fetcher.sleep(fetcher.backoff * (2 ** attempt))
        attempt += 1
