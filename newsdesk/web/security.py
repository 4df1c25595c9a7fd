"""What keeps untrusted article text and other sites from doing harm.

- Every response carries a strict Content-Security-Policy (scripts and styles only from
  this server, no inline script, no framing), so even a templating slip cannot run a
  script an article smuggled in.
- Request bodies are capped before any parser sees them (413 with the error body).
- Writes need the API token when one is configured (always, when listening beyond
  loopback: `WebConfig.check`), and are refused from other sites' pages, since a form on
  any web page can POST to a server on 127.0.0.1.
"""

from __future__ import annotations

import hmac
import json
import time
from urllib.parse import urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsdesk.web.config import ENV_TOKEN, WebConfig, is_loopback
from newsdesk.web.errors import WebError, error_body

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"x-frame-options", b"DENY")]
BODY_METHODS = {"POST", "PUT", "PATCH"}
_GONE = b"\0gone"  # what _read_capped answers when the client disconnected mid-body


class Guard:
    """Pure ASGI middleware: security headers on every response, body size cap, and a
    Server-Timing header (time in the app until the response starts: what
    bench/web_perf.py reports as server-side latency, also under load)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        # HEAD is GET without the body (`curl -I`, uptime monitors, link checkers): the
        # routes declare GET only, so the app answers the GET and the body is left out.
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                took = (time.perf_counter() - started) * 1000
                headers += [(b"content-security-policy", CSP.encode()), *HEADERS,
                            (b"server-timing", f"app;dur={took:.1f}".encode())]
                message["headers"] = headers
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        if scope["method"] in BODY_METHODS:
            body = await self._read_capped(scope, receive)
            if body is _GONE:  # the client left mid-body: a truncated upload is no upload
                return
            if body is None:
                await self._too_large(send_with_headers)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send_with_headers)

    async def _read_capped(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is over the cap (declared or counted)."""
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body:
                return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return _GONE
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps(error_body(
            "payload_too_large",
            f"request body over the {self.max_body:,}-byte limit (NEWSDESK_MAX_UPLOAD)",
        )).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, upstream: Receive) -> Receive:
    """The body already read, as one message; then the server's own messages (so a
    real disconnect is still reported as one)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await upstream()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _same_origin(request: Request, config: WebConfig) -> bool:
    """False when the browser says the request comes from another site's page."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    if origin in config.cors_origins:
        return True
    try:
        return urlsplit(origin).netloc == request.headers.get("host", "")
    except ValueError:  # 'http://[': no site this server is
        return False


def require_writer(request: Request) -> None:
    """Dependency of every write endpoint."""
    config: WebConfig = request.app.state.web
    if not _same_origin(request, config):
        raise WebError(403, "writes from another site's page are refused")
    if config.token is None:
        if not config.loopback:
            raise WebError(401, f"writes need an API token: start the server with {ENV_TOKEN}")
        # No token on loopback trusts the request because it comes from this machine; a
        # page on another site can still get there by DNS rebinding (its own name,
        # re-pointed at 127.0.0.1: same origin to the browser), but its Host is that name.
        try:
            host = urlsplit("//" + request.headers.get("host", "")).hostname or ""
        except ValueError:  # '[::1' is no address at all
            host = ""
        if not is_loopback(host):
            raise WebError(403, f"writes without {ENV_TOKEN} are accepted only for a "
                           "loopback Host (127.0.0.1, localhost, [::1])")
        return
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                             config.token.encode()):
        raise WebError(401, "missing or wrong API token: send 'Authorization: Bearer TOKEN'",
                       headers={"WWW-Authenticate": "Bearer"})
