"""The FastAPI application: API, pages, vendored assets, security and error handling.

`create_app(settings, web)` builds a self-contained app over one database; `newsdesk
serve` runs it with uvicorn, tests drive it with TestClient. Nothing is loaded from
another origin: CSS, JS and charts (inline SVG) come from this package.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from newsdesk import __version__
from newsdesk.config import Settings
from newsdesk.store.sqlite import SQLiteStore
from newsdesk.web import errors
from newsdesk.web.api import router as api_router
from newsdesk.web.config import WebConfig
from newsdesk.web.desks import DeskPool
from newsdesk.web.pages import router as pages_router
from newsdesk.web.pages import templates
from newsdesk.web.security import Guard

OPENAPI_URL = "/api/v1/openapi.json"
REQUEST_THREADS = 4


def create_app(settings: Settings, web: WebConfig | None = None) -> FastAPI:
    """An app serving the desk at `settings.db_path` (created if missing)."""
    web = web or WebConfig()
    web.check()
    # Open the store once now: a pending migration runs before any request (not in
    # several request threads at once) and an unusable file fails here, in one line.
    SQLiteStore(settings.db_path).close()
    desks = DeskPool(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Few request threads: on CPU-bound pages forty threads only take turns at the
        # GIL (and each keeps a Desk); the rest wait in line on the event loop.
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        yield
        desks.close()

    app = FastAPI(
        title="newsdesk", version=__version__, lifespan=lifespan,
        description="Grounded, cited news briefs: articles, briefs, search, stories, "
                    "tags, figures, entities and quotes. Errors are "
                    '{"error": {"code", "message"}}.',
        openapi_url=OPENAPI_URL, docs_url=None, redoc_url=None,  # their viewers use a CDN
    )
    app.state.desks = desks
    app.state.web = web
    app.state.templates = templates()
    errors.install(app)
    app.include_router(api_router)
    app.include_router(pages_router)
    static = Path(str(resources.files("newsdesk.web") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    if web.cors_origins:  # off unless origins are configured
        app.add_middleware(CORSMiddleware, allow_origins=list(web.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "If-None-Match"],
                           expose_headers=["ETag"])
    app.add_middleware(Guard, max_body=web.max_upload)
    return app
