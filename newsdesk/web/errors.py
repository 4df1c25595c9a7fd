"""One error body for every failure: {"error": {"code": ..., "message": ...}}.

API clients branch on `code`; people read `message` (one line saying what to do, never
a traceback). Pages get the same message in an HTML page.
"""

from __future__ import annotations

import logging
import sqlite3
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsdesk.errors import InputError, NewsdeskError, NotFoundError, StoreError
from newsdesk.models import ErrorBody, ErrorDetail
from newsdesk.store.sqlite import damage, damage_message

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
         415: "unsupported_media_type", 422: "invalid_input", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable"}


class WebError(Exception):
    """Raised by routes for a status with a message (and optional headers)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.code = code or CODES.get(status, "error")


def error_body(code: str, message: str) -> dict[str, object]:
    return ErrorBody(error=ErrorDetail(code=code, message=message)).model_dump()


def error_response(request: Request, status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
            "accept", ""):
        return JSONResponse(error_body(code, message), status_code=status, headers=headers)
    templates = getattr(request.app.state, "templates", None)
    if templates is None:
        return JSONResponse(error_body(code, message), status_code=status, headers=headers)
    html = templates.get_template("error.html.j2").render(
        status=status, title=HTTPStatus(status).phrase, message=message, request=request)
    return HTMLResponse(html, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the one error body."""

    async def web_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WebError)
        return error_response(request, exc.status, exc.code, exc.message, exc.headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(
            exc.status_code).phrase
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path} (see /api/v1/docs for the API)"
        return error_response(request, exc.status_code, CODES.get(exc.status_code, "error"),
                              message, dict(exc.headers or {}))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(request, 422, "invalid_input", _validation_message(exc))

    async def desk_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, NotFoundError):
            return error_response(request, 404, "not_found", str(exc))
        if isinstance(exc, InputError):
            return error_response(request, 422, "invalid_input", str(exc))
        # The others name files and endpoints of this server: the log gets them, the
        # client a line without them.
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        if isinstance(exc, StoreError):
            return error_response(request, 503, "unavailable",
                                  "the database is unavailable; see the server log")
        return error_response(request, 500, "internal_error",
                              f"internal error ({type(exc).__name__}); see the server log")

    async def database_error(request: Request, exc: Exception) -> Response:
        # A file that opened, then failed a query: the operator can act on it (503 and
        # what to do, as the CLI says), unlike a bug (500).
        assert isinstance(exc, sqlite3.DatabaseError)
        if (reason := damage(exc)) is None:
            return await unexpected(request, exc)
        log.error("damaged database on %s: %s", request.url.path, reason)
        return error_response(request, 503, "unavailable", damage_message(reason))

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "internal_error",
                              f"internal error ({type(exc).__name__}); see the server log")

    app.add_exception_handler(WebError, web_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(NewsdeskError, desk_error)
    app.add_exception_handler(sqlite3.DatabaseError, database_error)
    app.add_exception_handler(Exception, unexpected)
