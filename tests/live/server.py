"""A local HTTP server on 127.0.0.1 for the live tests: routes written per test, every
request recorded (path and headers) so politeness can be checked."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Reply | Callable[[dict[str, str]], Reply]


@dataclass
class Server:
    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str], float]]
    posted: list[tuple[str, bytes]]

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.requests if p == path)


@contextmanager
def serve(routes: dict[str, Route] | None = None) -> Iterator[Server]:
    """Serve `routes` (path -> Reply, or a function of the request headers) until exit;
    unknown paths answer 404."""
    table: dict[str, Route] = dict(routes or {})
    seen: list[tuple[str, dict[str, str], float]] = []
    posted: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen.append((self.path, headers, time.monotonic()))
            route = table.get(self.path)
            reply = route(headers) if callable(route) else route or Reply(404, b"not found")
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            if "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(reply.body)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            posted.append((self.path, self.rfile.read(length)))
            self.do_GET()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", table, seen, posted)
    finally:
        httpd.shutdown()
        httpd.server_close()
