"""The fetcher against local servers: redirects re-checked, size cap, conditional GET,
robots.txt, retries, compression, per-host rate, charsets."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from newsdesk.live.fetch import USER_AGENT, Fetcher, FetchError, post_json
from newsdesk.live.guard import BlockedURL
from tests.live.server import Reply, serve


def fetcher(**kw) -> Fetcher:
    sleeps: list[float] = []
    kw.setdefault("sleep", sleeps.append)
    kw.setdefault("rate", 0)
    return Fetcher(**kw)


def test_loopback_refused_unless_local() -> None:
    with serve({"/a": Reply(body=b"hello")}) as srv, fetcher() as f:
        with pytest.raises(BlockedURL, match="loopback"):
            f.get(srv.url("/a"))
        assert srv.hits("/a") == 0  # refused before any request was made
        assert f.get(srv.url("/a"), allow_local=True).body == b"hello"


def test_redirect_to_private_address_refused_on_the_hop() -> None:
    """A public page redirecting to the metadata address: the hop is checked."""
    with serve({"/r": Reply(302, headers={"Location": "http://169.254.169.254/latest/"})}) as srv:
        # The server's name resolves to a public address; its redirect does not.
        def resolve(host: str, port: int) -> list[str]:
            return ["93.184.216.34"] if host == "news.test" else [host]

        port = srv.base.rsplit(":", 1)[1]

        import httpx

        transport = httpx.HTTPTransport()

        class Rewrite(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                if request.headers.get("host", "").startswith("news.test"):  # pinned
                    request.url = request.url.copy_with(host="127.0.0.1", port=int(port))
                return transport.handle_request(request)

        with Fetcher(resolver=resolve, transport=Rewrite(), sleep=lambda s: None, rate=0,
                    ) as f, pytest.raises(BlockedURL, match="metadata"):
            f.get(f"http://news.test:{port}/r", robots=False)
        assert srv.hits("/r") == 1


def test_redirects_followed_and_capped() -> None:
    routes = {f"/r{i}": Reply(301, headers={"Location": f"/r{i + 1}"}) for i in range(10)}
    routes["/r2"] = Reply(200, b"landed", {"Content-Type": "text/plain"})
    with serve(routes) as srv, fetcher() as f:
        res = f.get(srv.url("/r0"), allow_local=True)
        assert res.body == b"landed" and res.url.endswith("/r2")
        srv.routes["/r2"] = Reply(301, headers={"Location": "/r3"})
        with pytest.raises(FetchError, match="redirects"):
            f.get(srv.url("/r0"), allow_local=True, conditional=False)


def test_oversize_body_stopped_even_when_compressed() -> None:
    big = b"a" * 200_000
    with serve({"/big": Reply(body=big),
                "/bomb": Reply(body=gzip.compress(big), headers={"Content-Encoding": "gzip"}),
                }) as srv, fetcher(max_bytes=50_000) as f:
        with pytest.raises(FetchError, match="limit"):
            f.get(srv.url("/big"), allow_local=True)
        with pytest.raises(FetchError, match="limit"):
            f.get(srv.url("/bomb"), allow_local=True)


@pytest.mark.parametrize("encoding, pack", [
    ("gzip", gzip.compress), ("br", brotli.compress), ("deflate", zlib.compress)])
def test_compression_bomb_never_inflated_past_the_limit(encoding: str, pack) -> None:
    """A few hundred bytes that inflate to 64 MB arrive in one network read: decoding
    them must stop at the limit, not allocate the whole expansion first."""
    import tracemalloc

    bomb = pack(b"\0" * (64 * 1024 * 1024))
    with serve({"/bomb": Reply(body=bomb, headers={"Content-Encoding": encoding})}) as srv, \
            fetcher(max_bytes=100_000) as f:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="limit"):
                f.get(srv.url("/bomb"), allow_local=True, robots=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_unknown_content_encoding_refused() -> None:
    with serve({"/z": Reply(body=b"xx", headers={"Content-Encoding": "zstd"})}) as srv, \
            fetcher() as f, pytest.raises(FetchError, match="Content-Encoding"):
        f.get(srv.url("/z"), allow_local=True, robots=False)


@pytest.mark.parametrize("encoding, pack", [
    ("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress)])
def test_compressed_bodies_decoded(encoding: str, pack) -> None:
    body = b"Trade rose 4% in March." * 50
    with serve({"/c": Reply(body=pack(body), headers={"Content-Encoding": encoding})}) as srv, \
            fetcher() as f:
        assert f.get(srv.url("/c"), allow_local=True).body == body
        assert "br" in srv.requests[-1][1]["accept-encoding"]


def test_unreadable_robots_txt_not_asked_for_before_every_page() -> None:
    """A site whose robots.txt answers 503 is allowed, but a feed of many items must not
    cost it a robots.txt request (and its retries) before each page."""
    with serve({"/robots.txt": Reply(503), "/a": Reply(body=b"a"), "/b": Reply(body=b"b"),
                "/c": Reply(body=b"c")}) as srv, fetcher(retries=0) as f:
        for path in ("/a", "/b", "/c"):
            assert f.get(srv.url(path), allow_local=True).status == 200
        assert srv.hits("/robots.txt") == 1


def test_conditional_get_sends_validators_and_gets_304() -> None:
    def route(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(200, b"<rss/>", {"ETag": '"v1"', "Last-Modified":
                                      "Mon, 01 Jan 2024 00:00:00 GMT"})
    with serve({"/feed": route}) as srv, fetcher() as f:
        first = f.get(srv.url("/feed"), allow_local=True)
        assert first.status == 200 and not first.not_modified
        second = f.get(srv.url("/feed"), allow_local=True)
        assert second.not_modified and second.status == 304
        headers = srv.requests[-1][1]
        assert headers["if-none-match"] == '"v1"'
        assert headers["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
        assert headers["user-agent"] == USER_AGENT


def test_robots_txt_respected_and_cached() -> None:
    robots = b"User-agent: *\nDisallow: /private/\n"
    with serve({"/robots.txt": Reply(body=robots), "/private/x": Reply(body=b"no"),
                "/public": Reply(body=b"yes")}) as srv, fetcher() as f:
        with pytest.raises(FetchError, match="robots.txt"):
            f.get(srv.url("/private/x"), allow_local=True)
        assert f.get(srv.url("/public"), allow_local=True).body == b"yes"
        assert srv.hits("/private/x") == 0
        assert srv.hits("/robots.txt") == 1


def test_robots_txt_403_forbids_everything() -> None:
    with serve({"/robots.txt": Reply(403), "/a": Reply(body=b"x")}) as srv, fetcher() as f, \
            pytest.raises(FetchError, match="robots.txt"):
        f.get(srv.url("/a"), allow_local=True)


def test_retries_with_backoff_then_success() -> None:
    calls = {"n": 0}

    def flaky(headers: dict[str, str]) -> Reply:
        calls["n"] += 1
        return Reply(503) if calls["n"] < 3 else Reply(200, b"ok")
    sleeps: list[float] = []
    with serve({"/f": flaky}) as srv, fetcher(sleep=sleeps.append, retries=2,
                                              backoff=0.5) as f:
        assert f.get(srv.url("/f"), allow_local=True, robots=False).body == b"ok"
    assert sleeps == [0.5, 1.0]


def test_retries_exhausted_and_4xx_not_retried() -> None:
    with serve({"/down": Reply(503), "/gone": Reply(404)}) as srv, fetcher(retries=1) as f:
        with pytest.raises(FetchError, match="503") as down:
            f.get(srv.url("/down"), allow_local=True, robots=False)
        assert down.value.retryable and srv.hits("/down") == 2
        with pytest.raises(FetchError, match="404"):
            f.get(srv.url("/gone"), allow_local=True, robots=False)
        assert srv.hits("/gone") == 1


@pytest.mark.parametrize("value", ["\u00b2", "soon", "-5"])
def test_a_retry_after_that_is_no_number_of_seconds_is_ignored(value: str) -> None:
    """'²' (byte B2 read as Latin-1) passed isdigit() and float() raised: a ValueError
    escaped the fetcher instead of the FetchError of the 503."""
    with serve({"/busy": Reply(503, headers={"Retry-After": value})}) as srv, \
            fetcher(retries=0) as f:
        with pytest.raises(FetchError, match="503") as busy:
            f.get(srv.url("/busy"), allow_local=True, robots=False)
        assert busy.value.retry_after is None


def test_timeout_is_a_retryable_error() -> None:
    with serve({"/slow": Reply(body=b"late", delay=1.0)}) as srv, \
            fetcher(timeout=0.2, retries=0) as f:
        with pytest.raises(FetchError, match="timed out") as slow:
            f.get(srv.url("/slow"), allow_local=True, robots=False)
        assert slow.value.retryable


def test_per_host_rate_limit_spaces_requests() -> None:
    sleeps: list[float] = []
    with serve({"/a": Reply(body=b"a")}) as srv, Fetcher(rate=2.0, sleep=sleeps.append) as f:
        for _ in range(3):
            f.get(srv.url("/a"), allow_local=True, robots=False, conditional=False)
    # three starts at 2 per second: the second and third wait about half a second each
    assert len(sleeps) == 2 and all(0.3 < s <= 1.0 for s in sleeps)


ZH = ("中国海关总署周二公布的数据显示，今年前十个月中国对俄罗斯出口同比增长百分之十二，"
      "机电产品和汽车占据主要份额。分析人士表示，人民币结算比例继续上升，贸易商正在寻找新的支付渠道。")
RU = ("Товарооборот России и Китая за десять месяцев вырос на двенадцать процентов, сообщила "
      "таможня во вторник. Аналитики отмечают, что расчёты в юанях продолжают расти, а "
      "экспортёры ищут новые платёжные каналы.")
JA = ("財務省が火曜日に発表した貿易統計によると、十月の輸出は前年同月比で四パーセント増加した。"
      "自動車と半導体製造装置が伸びをけん引し、アナリストは円安の影響が続いていると指摘している。")


def page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


def test_charsets_decode_correctly() -> None:
    routes = {
        # GBK declared only by the HTTP header
        "/zh": Reply(body=page(ZH).encode("gbk"),
                     headers={"Content-Type": "text/html; charset=gbk"}),
        # cp1251 declared only by the page's <meta>
        "/ru": Reply(body=page(RU, '<meta charset="windows-1251">').encode("cp1251"),
                     headers={"Content-Type": "text/html"}),
        # Shift_JIS declared nowhere: detected
        "/ja": Reply(body=page(JA * 3).encode("shift_jis"),
                     headers={"Content-Type": "text/html"}),
    }
    with serve(routes) as srv, fetcher() as f:
        assert ZH in f.get(srv.url("/zh"), allow_local=True).text()
        assert RU in f.get(srv.url("/ru"), allow_local=True).text()
        assert JA in f.get(srv.url("/ja"), allow_local=True).text()


def test_per_host_concurrency_cap() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    state = {"now": 0, "peak": 0}
    lock = threading.Lock()

    def slow(headers: dict[str, str]) -> Reply:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        import time
        time.sleep(0.2)
        with lock:
            state["now"] -= 1
        return Reply(200, b"x")
    with serve({"/s": slow}) as srv, Fetcher(rate=0, concurrency=2) as f, \
            ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: f.get(srv.url("/s"), allow_local=True, robots=False,
                                      conditional=False), range(6)))
    assert state["peak"] == 2


def test_connection_pinned_to_the_checked_address() -> None:
    """DNS rebinding: the name answers a public address to the check and would answer a
    private one to a second lookup; the request goes to the checked address, with the
    name kept in the Host header and in TLS."""
    import httpx

    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"ok")

    with Fetcher(resolver=lambda h, p: next(answers), rate=0, sleep=lambda s: None,
                 transport=httpx.MockTransport(handler)) as f:
        assert f.get("https://news.test/story", robots=False).body == b"ok"
    [req] = seen
    assert req.url.host == "93.184.216.34" and req.url.scheme == "https"
    assert req.headers["host"] == "news.test"
    assert req.extensions["sni_hostname"] == "news.test"
    assert req.headers["connection"] == "close"


def test_pinning_keeps_port_and_handles_ipv6() -> None:
    import httpx

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"ok")

    with Fetcher(resolver=lambda h, p: ["2606:2800:220:1::1"], rate=0, sleep=lambda s: None,
                 transport=httpx.MockTransport(handler)) as f:
        f.get("http://news.test:8080/a?b=1", robots=False)
    [req] = seen
    assert str(req.url) == "http://[2606:2800:220:1::1]:8080/a?b=1"
    assert req.headers["host"] == "news.test:8080"
    assert "sni_hostname" not in req.extensions


@pytest.mark.parametrize("url", ["http://\u2603.net/story", "http://news.test/a\x7fb"])
def test_url_httpx_refuses_is_an_input_error(url: str) -> None:
    """A feed link the guard can parse but httpx cannot (IDNA 2008 host, DEL) is a
    one-line InputError like any bad URL, not an httpx exception that crashes the pass."""
    import httpx

    with Fetcher(resolver=lambda h, p: ["93.184.216.34"], rate=0, sleep=lambda s: None,
                 transport=httpx.MockTransport(lambda r: httpx.Response(200))) as f:
        with pytest.raises(BlockedURL, match="not a valid URL"):
            f.get(url, robots=False)
        with pytest.raises(BlockedURL, match="not a valid URL"):
            post_json(f, url, {"a": 1}, retries=0)


def test_webhook_answer_body_is_not_read() -> None:
    """post_json read the receiver's whole answer into memory, however large."""
    import httpx

    pulled: list[int] = []

    def endless():
        while True:
            pulled.append(1)
            if len(pulled) > 3:
                raise AssertionError("the answer body was read")
            yield b"x" * 65536

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    with Fetcher(resolver=lambda h, p: ["93.184.216.34"], rate=0, sleep=lambda s: None,
                 transport=httpx.MockTransport(handler)) as f:
        assert post_json(f, "https://hooks.example/x", {"a": 1}, retries=0) == 200
    assert len(pulled) <= 1


def test_a_dribbling_server_is_cut_off_at_the_deadline() -> None:
    """The timeout bounds each read only: a byte every half second kept a fetch (a host
    slot, a page thread, the pass) busy as long as the server liked."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "40")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with fetcher(timeout=2.0, deadline=0.5, retries=0) as f:
            started = time.monotonic()
            with pytest.raises(FetchError, match="took longer"):
                f.get(f"http://127.0.0.1:{httpd.server_address[1]}/", allow_local=True,
                      robots=False)
            assert time.monotonic() - started < 2.5
    finally:
        httpd.shutdown()
        httpd.server_close()
