"""A file cache of model answers, so re-running a brief costs no tokens and no time.

Keyed by a hash of everything that shapes the answer (messages, model, sampling
parameters); one JSON file per answer under the cache directory, written to a temporary
name and renamed, so concurrent briefs never read half a file. Files rather than a table
in the desk's database: a brief is usually written from a read-only store, and a cache
must be writable there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_key(messages: list[dict[str, str]], model: str, params: dict[str, Any]) -> str:
    """sha256 of the request's meaning: same prompt, model and parameters -> same key."""
    blob = json.dumps({"messages": messages, "model": model, "params": params},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """Answers stored as `<dir>/<key[:2]>/<key>.json`; unreadable entries count as misses."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Best effort: a cache that cannot be written costs money, not correctness."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # a full disk must not collect one .tmp per brief
