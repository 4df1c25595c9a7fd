"""The desk in a browser: REST API under /api/v1 and server-rendered pages."""

from newsdesk.web.app import create_app
from newsdesk.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
