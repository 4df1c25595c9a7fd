"""Structured logs: one JSON object per line, for a desk that runs unattended for weeks.

Every record carries time, level, logger and message; whatever the caller passed in
`extra=` (source, url, item, counts) becomes top-level fields a log shipper can index.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from newsdesk.errors import InputError

_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName"}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname.lower(), "logger": record.name,
                "message": record.getMessage()}
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            data["error"] = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        return json.dumps(data, ensure_ascii=False, default=str)


def json_logging(stream: IO[str] | None = None, path: Path | None = None,
                 level: int = logging.INFO) -> list[logging.Handler]:
    """Send newsdesk's logs as JSON lines to a stream and/or a file; returns the handlers
    (to remove them again)."""
    handlers: list[logging.Handler] = []
    if stream is not None:
        handlers.append(logging.StreamHandler(stream))
    if path is not None:
        try:
            handlers.append(logging.FileHandler(path, encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot write the log file {path}: {exc.strerror or exc}; "
                             "give --log-file a file in a folder that exists") from None
    root = logging.getLogger("newsdesk")
    for h in handlers:
        h.setFormatter(JsonLines())
        root.addHandler(h)
    if handlers:
        root.setLevel(level)
    return handlers
