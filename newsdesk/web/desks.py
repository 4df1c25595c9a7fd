"""One Desk per worker thread for reads, one writer thread for every write.

`SQLiteStore` connections may not cross threads, and the story index a Desk keeps in
memory must see every ingest in order; so reads use a Desk owned by the request's thread
(SQLite's WAL lets them run side by side) and all writes are queued to a single thread
that owns the only writing Desk.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.errors import StoreError
from newsdesk.store.browse import BrowseStore

T = TypeVar("T")
CACHE_SECONDS = 30.0


class DeskPool:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._opened: list[Desk] = []
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsdesk-writer")
        self._cache: dict[str, tuple[float, Any]] = {}

    def reader(self) -> Desk:
        """The calling thread's Desk (opened on first use)."""
        desk: Desk | None = getattr(self._local, "desk", None)
        if desk is None:
            desk = Desk.open(self.settings)
            self._local.desk = desk
            with self._lock:
                self._opened.append(desk)
        return desk

    def browse(self) -> BrowseStore:
        store = self.reader().store
        if not isinstance(store, BrowseStore):
            raise StoreError(f"{store.location}: this store cannot be browsed on the web")
        return store

    def write(self, job: Callable[[Desk], T]) -> T:
        """Run `job` on the writer thread with its Desk; the caller waits for the result.
        Cached read results are dropped, since the write may change them."""
        result = self._writer.submit(lambda: job(self.reader())).result()
        self._cache.clear()
        return result

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """A read result kept for CACHE_SECONDS (whole-store aggregates such as tag
        totals: exact to the second is not worth a scan of every tag row per page)."""
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        value = compute()
        self._cache[key] = (now, value)
        return value

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        with self._lock:
            for desk in self._opened:
                # A connection opened by another thread may refuse; it closes at exit.
                with contextlib.suppress(Exception):
                    desk.close()
            self._opened.clear()
