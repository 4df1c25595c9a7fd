"""The watch loop: poll due sources, record what they hold, process what is recorded.

Nothing is lost because the two halves are separated by the journal. A poll only
records items (one transaction per source, with the HTTP validators of the responses, so a
crash before the commit re-fetches and a crash after it finds the items recorded). The
processing half takes recorded items that are not done, ingests them through the Desk
(idempotent: the article id is the hash of the canonical URL, so a second ingest is
'unchanged', never a copy), writes the briefs still missing, and only then marks the
items done. `kill -9` anywhere leaves items pending, and the next pass finishes them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.desk import Desk
from newsdesk.errors import InputError, StoreError
from newsdesk.ingest.sources import Unit, expand, format_of_type
from newsdesk.live.alerts import AlertEngine
from newsdesk.live.config import LiveConfig
from newsdesk.live.feeds import FULL_TEXT_MIN, FeedItem, parse_feed, parse_sitemap
from newsdesk.live.fetch import Fetcher, FetchError, host_of, site_of
from newsdesk.live.guard import BlockedURL
from newsdesk.models import IngestOutcome, LiveSource, WatchReport
from newsdesk.store.journal import Journal, JournalItem, NewItem
from newsdesk.store.sqlite import SQLiteStore, rows_in

log = logging.getLogger("newsdesk.live")

BATCH = 500  # items per ingest call: worker pools start once per batch
PAGE_THREADS = 4
MAX_CHILD_SITEMAPS = 5
MAX_POLL_BACKOFF = timedelta(hours=6)


@dataclass
class SourceView:
    """What the status view shows of one source."""

    name: str
    kind: str
    state: str = "waiting"
    last_poll: datetime | None = None
    next_poll: datetime | None = None
    new_items: int = 0
    accepted: int = 0
    error: str | None = None


@dataclass
class Watcher:
    desk: Desk
    config: LiveConfig
    fetcher: Fetcher
    workers: int = 1
    batch: int = BATCH
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    views: dict[str, SourceView] = field(default_factory=dict)
    on_change: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.desk.store, SQLiteStore):
            raise StoreError("the live desk needs the SQLite store")
        self.journal = Journal(self.desk.store)
        self.fetcher.validators = self.journal
        self.alerts = AlertEngine(self.desk, self.journal, self.config, self.fetcher)
        for s in self.config.sources:
            self.views[s.name] = SourceView(s.name, s.kind)
            if s.url and s.kind != "folder":
                self.fetcher.set_rate(host_of(s.url), s.rate)

    # --- one pass ------------------------------------------------------------------------

    def run_once(self, *, only_due: bool = False) -> WatchReport:
        """Poll (every source, or only the due ones), process everything recorded and
        not done, evaluate alerts and deliver them."""
        report = WatchReport()
        now = self.clock()
        self.alerts.register()
        for source in self.config.sources:
            if only_due and not self._due(source, now):
                continue
            self._poll(source, report)
        self.process(report)
        self.alerts.run(report)
        return report

    def run_forever(self, stop: Callable[[], bool], tick: float = 1.0) -> None:
        """Pass after pass until `stop()`; each source is polled on its own interval."""
        while not stop():
            try:
                report = self.run_once(only_due=True)
            except Exception:  # noqa: BLE001 - a desk that runs for weeks outlives a bad pass
                log.exception("pass failed; trying again next tick")
                report = WatchReport()
            if report.new_items or report.processed or report.alerts:
                log.info("pass", extra={"report": report.model_dump()})
            deadline = time.monotonic() + tick
            while not stop() and time.monotonic() < deadline:
                time.sleep(min(0.2, tick))

    def _due(self, source: LiveSource, now: datetime) -> bool:
        state = self.journal.source_state(source.name)
        nxt = state.get("next_poll")
        return not nxt or datetime.fromisoformat(nxt) <= now

    # --- polling -----------------------------------------------------------------------

    def _poll(self, source: LiveSource, report: WatchReport) -> None:
        view = self.views.setdefault(source.name, SourceView(source.name, source.kind))
        view.state = "polling"
        self._changed()
        now = self.clock()
        error: str | None = None
        status = "ok"
        new = 0
        try:
            items, urls = self._items(source)
            if items is None:
                status = "not modified"
            else:
                new = self.journal.record(source.name, items[:source.max_items], urls)
        except InputError as exc:
            error, status = str(exc), "error"
            report.poll_errors += 1
            log.warning("poll failed", extra={"source": source.name, "error": error})
        except Exception as exc:  # noqa: BLE001 - one broken source must not stop the desk
            error, status = f"{type(exc).__name__}: {exc}", "error"
            report.poll_errors += 1
            log.exception("poll crashed", extra={"source": source.name})
        failures = int(self.journal.source_state(source.name).get("failures") or 0)
        wait = timedelta(seconds=source.interval)
        if error:  # the exponent capped: 2 ** 48 intervals overflow timedelta
            wait = min(MAX_POLL_BACKOFF, wait * (2 ** min(failures, 20)))
        self.journal.polled(source.name, now, now + wait, error, status)
        report.polled += 1
        report.new_items += new
        view.state, view.error, view.last_poll = status, error, now
        view.next_poll, view.new_items = now + wait, view.new_items + new
        log.info("polled", extra={"source": source.name, "status": status, "new": new})
        self._changed()

    def _items(self, source: LiveSource) -> tuple[list[NewItem] | None, list[str]]:
        """What a source holds now, as journal items; None when unchanged (HTTP 304)."""
        if source.kind == "folder":
            return self._folder(source), []
        assert source.url
        res = self.fetcher.get(source.url, allow_local=_local(source))
        if res.not_modified:
            return None, []
        if source.kind == "page":
            text = res.text()
            return [NewItem(res.url, _hash(text.encode("utf-8")), res.url, None, "html",
                            text.encode("utf-8"))], [source.url, res.url]
        if source.kind == "feed":
            feed = parse_feed(res.body, source.url)
            return [self._feed_item(source, it) for it in feed], [source.url, res.url]
        found, children = parse_sitemap(res.body, source.url)
        urls = [source.url, res.url]
        for child in children[:MAX_CHILD_SITEMAPS]:
            sub = self.fetcher.get(child, allow_local=_local(source))
            if not sub.not_modified:
                found.extend(parse_sitemap(sub.body, child)[0])
                urls.extend([child, sub.url])
        found.sort(key=lambda it: it.published or "", reverse=True)
        return [self._feed_item(source, it, page=True) for it in found], urls

    def _feed_item(self, source: LiveSource, it: FeedItem, page: bool = False) -> NewItem:
        needs_page = bool(it.url) and (page or source.fetch_pages == "always" or (
            source.fetch_pages == "auto" and it.text_length < FULL_TEXT_MIN))
        payload = json.dumps(it.record(), ensure_ascii=False).encode("utf-8")
        return NewItem(it.key, it.content_hash(), it.url, it.title,
                       "page" if needs_page else "record", payload)

    def _folder(self, source: LiveSource) -> list[NewItem]:
        assert source.path
        root = Path(source.path).expanduser()
        if not root.is_dir():
            raise InputError(f"folder source '{source.name}': {root} is not a folder")
        items: list[NewItem] = []
        for unit in expand([str(root)]):
            path = Path(unit.ref)
            try:
                st = path.stat()
            except OSError:
                continue  # gone between listing and looking: the next poll sees it
            if st.st_size > self.desk.settings.max_bytes:
                digest = f"size:{st.st_size}:{st.st_mtime_ns}"
            else:
                try:
                    digest = _hash(path.read_bytes())
                except OSError:
                    continue
            items.append(NewItem(str(path), digest, str(path), path.name, "file"))
        return items

    # --- processing --------------------------------------------------------------------

    def process(self, report: WatchReport, limit: int | None = None) -> None:
        """Process recorded items that are due, batch by batch, until none is left."""
        names = {s.name: s for s in self.config.sources}
        done = 0
        while limit is None or done < limit:
            items = self.journal.due(self.clock(), self.batch)
            if not items:
                break
            self._process_batch(items, names, report)
            done += len(items)

    def _process_batch(self, items: list[JournalItem], sources: dict[str, LiveSource],
                       report: WatchReport) -> None:
        now = self.clock()
        units: list[tuple[JournalItem, Unit]] = []
        failures: list[tuple[JournalItem, str, bool]] = []
        with ThreadPoolExecutor(PAGE_THREADS) as pool:
            for item, made in zip(items, pool.map(
                    lambda it: self._unit(it, sources.get(it.source)), items), strict=True):
                if isinstance(made, Unit):
                    units.append((item, made))
                else:
                    failures.append((item, *made))
        outcomes: list[list[IngestOutcome]] = []
        before = self.journal.last_quarantine_id()
        self.desk.ingest([u for _, u in units], workers=self.workers,
                         on_unit=lambda _u, outs: outcomes.append(outs))
        fresh: list[str] = []
        results: list[tuple[JournalItem, str | None, list[IngestOutcome]]] = []
        for (item, _), outs in zip(units, outcomes, strict=True):
            ok = [o for o in outs if o.status != "quarantined" and o.article_id]
            for o in outs:
                setattr(report, _COUNTER[o.status], getattr(report, _COUNTER[o.status]) + 1)
            fresh.extend(o.article_id for o in ok if o.duplicate_of is None and o.article_id)
            results.append((item, ok[0].article_id if ok else None, outs))
        report.briefs += self._write_briefs(self._unbriefed(fresh))
        if fresh:
            report.embedded += self._embed()
        with self.desk.store.transaction():
            for item, article_id, outs in results:
                if article_id is not None:
                    self.journal.done(item.id, article_id)
                    continue
                reason = next((o.reason for o in outs if o.reason), None) or "no article"
                qid = self._quarantine_row(item, before)
                self.journal.failed(item.id, reason, retryable=True, now=now,
                                    quarantine_id=qid, payload=item.payload)
            for item, reason, retryable in failures:
                report.quarantined += 1
                self.journal.failed(item.id, reason, retryable=retryable, now=now,
                                    payload=item.payload)
        report.processed += len(items)
        for item, _, outs in results:
            if item.source in self.views:
                self.views[item.source].accepted += sum(o.status == "accepted" for o in outs)
        log.info("processed", extra={"items": len(items), "failed": len(failures)})
        self._changed()

    def _unit(self, item: JournalItem, source: LiveSource | None
              ) -> Unit | tuple[str, bool]:
        """The unit to ingest for an item, or (reason, retryable) when it cannot be had."""
        origin = item.url or f"{item.source}:{item.key}"
        if item.fmt == "record":
            return Unit("data", origin, item.payload, fmt="json", url=item.url)
        if item.fmt == "html":
            return Unit("data", origin, item.payload, fmt="html", url=item.url,
                        charset="utf-8")
        if item.fmt == "file":
            return Unit("file", item.url or item.key)
        if not item.url:
            return "page item without a URL", False
        try:
            res = self.fetcher.get(item.url, allow_local=_local(source), conditional=False)
        except BlockedURL as exc:
            return str(exc), False
        except FetchError as exc:  # robots.txt, a 4xx or an oversize page wait for a person
            return str(exc), exc.retryable or (exc.status or 0) >= 500
        except InputError as exc:
            return str(exc), True
        except Exception as exc:  # noqa: BLE001 - one item must not stall every pass
            # Raised here it would abort the batch, and the same oldest items would come
            # back first on every pass: quarantined, the batch goes on.
            log.exception("page fetch crashed", extra={"item": item.id})
            return f"{type(exc).__name__}: {exc}", True
        return Unit("data", origin, res.body, fmt=format_of_type(res.content_type) or "html",
                    url=res.url, charset=res.charset)

    def _write_briefs(self, ids: list[str]) -> int:
        """Briefs for the batch; one that cannot be written is logged and skipped so it
        cannot hold the batch's items pending for ever (the article is stored and
        `newsdesk brief ID` will say what is wrong with it)."""
        try:
            return self.desk.write_briefs(ids, workers=self.workers)
        except Exception:  # noqa: BLE001 - find the one that fails, keep the others
            written = 0
            for article_id in self._unbriefed(ids):
                try:
                    written += self.desk.write_briefs([article_id])
                except Exception:  # noqa: BLE001
                    log.exception("brief failed", extra={"article": article_id})
            return written

    def _embed(self) -> int:
        """Vectors for what the batch added, when the desk keeps vectors (someone ran
        `newsdesk embed`), so hybrid search covers the newest articles too. A failure is
        logged, not raised: the articles are stored, and `newsdesk embed` catches up."""
        try:
            if not self.desk.keeps_vectors():
                return 0
            return int(self.desk.embed()["embedded"])
        except Exception:  # noqa: BLE001 - vectors must not hold the batch's items pending
            log.exception("embedding failed")
            return 0

    def _quarantine_row(self, item: JournalItem, after: int) -> int | None:
        origin = item.url or f"{item.source}:{item.key}"
        # A prefix compare, not LIKE: '_' and '%' are common in URLs and are wildcards there.
        row = self.journal.conn.execute(
            "SELECT max(id) FROM quarantine WHERE id > ? AND (origin = ? OR "
            "substr(origin, 1, ?) = ?)", (after, origin, len(origin) + 1, origin + "#")
        ).fetchone()
        return int(row[0]) if row and row[0] else None

    def _unbriefed(self, ids: list[str]) -> list[str]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        have = {r[0] for r in rows_in(
            self.journal.conn, "SELECT article_id FROM briefs WHERE article_id IN ({marks})", ids)}
        return [i for i in ids if i not in have]

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()


_COUNTER = {"accepted": "accepted", "updated": "updated", "duplicate": "duplicates",
            "unchanged": "unchanged", "quarantined": "quarantined"}


def _local(source: LiveSource | None) -> str | bool:
    """What a source's `local = true` allows: private addresses on its own site (host and
    port) only, so a local feed cannot send the desk to whatever private address or
    port its items name."""
    return site_of(source.url) if source is not None and source.local and source.url \
        else False


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
