"""`newsdesk serve`: check the set-up, then run the app under uvicorn."""

from __future__ import annotations

import uvicorn

from newsdesk.config import Settings
from newsdesk.web.app import create_app
from newsdesk.web.config import WebConfig

KEEP_ALIVE_S = 30


def run(settings: Settings, host: str, port: int) -> None:
    """Raises InputError (one line for the CLI) before binding when the set-up is unsafe."""
    web = WebConfig.from_env(host=host, port=port)
    web.check()
    app = create_app(settings, web)
    print(f"newsdesk: serving {settings.db_path} on http://{host}:{port}/ "
          f"(API docs: /api/v1/docs){'' if web.token is None else '; writes need the token'}",
          flush=True)
    # Idle connections are kept longer than clients keep them (httpx and browsers: 5 s
    # or less), so a client never reuses one the server is closing at that moment.
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                timeout_keep_alive=KEEP_ALIVE_S)
