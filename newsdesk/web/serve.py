"""`newsdesk serve`: check the set-up, then run the app under uvicorn."""

from __future__ import annotations

import errno
import socket

import uvicorn

from newsdesk.config import Settings
from newsdesk.errors import InputError
from newsdesk.web.app import create_app
from newsdesk.web.config import WebConfig

KEEP_ALIVE_S = 30


def run(settings: Settings, host: str, port: int) -> None:
    """Raises InputError (one line for the CLI) before binding when the set-up is unsafe,
    and when the port cannot be had."""
    web = WebConfig.from_env(host=host, port=port)
    web.check()
    app = create_app(settings, web)
    sock = listen(host, port)
    print(f"newsdesk: serving {settings.db_path} on http://{host}:{sock.getsockname()[1]}/ "
          f"(API docs: /api/v1/docs){'' if web.token is None else '; writes need the token'}",
          flush=True)
    # Idle connections are kept longer than clients keep them (httpx and browsers: 5 s
    # or less), so a client never reuses one the server is closing at that moment.
    config = uvicorn.Config(app, log_level="warning", access_log=False,
                            timeout_keep_alive=KEEP_ALIVE_S)
    uvicorn.Server(config).run(sockets=[sock])


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here rather than by uvicorn: a port in use is then one
    line and exit 1 (uvicorn logs its own and exits 3), and port 0 prints the port the
    system chose."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputError(f"port {port} on {host} is in use: choose another with --port"
                             ) from None
        raise InputError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose "
                         "another --host or --port") from None
