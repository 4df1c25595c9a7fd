"""The live desk's journal in the SQLite store: fetched items, HTTP validators, source
poll state, quarantine retries, alert events and their deliveries (migration 7).

Kept beside SQLiteStore rather than in it: the article store knows nothing about where
articles come from. Every write goes through the store's transaction, so a journal
write and the article writes it accompanies commit together or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from newsdesk.models import AlertEvent, QuarantineItem
from newsdesk.store.sqlite import SQLiteStore

MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=12)


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts` (1, 4, 16, 64 minutes ... capped at 12 h)."""
    return min(BACKOFF_MAX, BACKOFF_BASE * (4 ** max(0, attempts - 1)))


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat() if when else None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class NewItem:
    """An item as a poll found it, before it is recorded."""

    key: str
    content_hash: str
    url: str | None
    title: str | None
    fmt: str  # record (JSON article) | html (page text) | page (to fetch) | file (a path)
    payload: bytes | None = None


@dataclass(frozen=True)
class JournalItem:
    id: int
    source: str
    key: str
    url: str | None
    title: str | None
    fmt: str
    payload: bytes | None
    attempts: int


class Journal:
    """One per store; not shared across threads (neither is the store)."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.conn = store.conn
        self._validators: dict[str, tuple[str | None, str | None]] = {}

    # --- HTTP validators: read from the journal, written only with the items ------------

    def get_validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.conn.execute("SELECT etag, last_modified FROM http_validators WHERE url = ?",
                                (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def put_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Held until `record` commits the items of that response: a validator saved
        before its items would turn a crash into a 304 and the items would be lost."""
        self._validators[url] = (etag, last_modified)

    def _flush_validators(self, urls: list[str]) -> None:
        now = datetime.now(UTC).isoformat()
        for url in urls:
            if url in self._validators:
                etag, modified = self._validators.pop(url)
                self.conn.execute(
                    "INSERT OR REPLACE INTO http_validators VALUES (?, ?, ?, ?)",
                    (url, etag, modified, now))

    # --- items -------------------------------------------------------------------------

    def record(self, source: str, items: list[NewItem], validator_urls: list[str]) -> int:
        """Record what a poll found (items already known by key + hash are skipped) and
        the validators of the responses they came from, in one transaction; returns how
        many are new."""
        now = datetime.now(UTC).isoformat()
        new = 0
        with self.store.transaction():
            for it in items:
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO fetched_items (source, item_key, content_hash, url, "
                    "title, fmt, payload, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (source, it.key, it.content_hash, it.url, it.title, it.fmt, it.payload,
                     now))
                new += cur.rowcount
            self._flush_validators(validator_urls)
        return new

    def due(self, now: datetime, limit: int, sources: list[str] | None = None
            ) -> list[JournalItem]:
        """Items to process now: pending ones, and failed ones whose retry time came,
        oldest first."""
        where = ("(state = 'pending' OR (state = 'failed' AND next_attempt IS NOT NULL "
                 "AND next_attempt <= ?))")
        params: list[Any] = [_iso(now)]
        if sources is not None:
            where += f" AND source IN ({','.join('?' * len(sources))})"
            params.extend(sources)
        rows = self.conn.execute(
            "SELECT id, source, item_key, url, title, fmt, payload, attempts FROM "
            f"fetched_items WHERE {where} ORDER BY id LIMIT ?", [*params, limit]).fetchall()
        return [JournalItem(*tuple(r)) for r in rows]

    def done(self, item_id: int, article_id: str | None) -> None:
        """Processed: the article is stored and briefed; its open quarantine rows close.
        The payload is dropped (the article holds the text)."""
        now = datetime.now(UTC).isoformat()
        self.conn.execute(
            "UPDATE fetched_items SET state = 'done', article_id = ?, done_at = ?, "
            "payload = NULL, last_error = NULL, next_attempt = NULL WHERE id = ?",
            (article_id, now, item_id))
        self.conn.execute("UPDATE quarantine SET resolved_at = ? WHERE item_id = ? AND "
                          "resolved_at IS NULL", (now, item_id))

    def failed(self, item_id: int, reason: str, *, retryable: bool, now: datetime,
               quarantine_id: int | None = None, payload: bytes | None = None) -> None:
        """A failure: counted, retried after a backoff (unless it cannot succeed or has
        failed MAX_ATTEMPTS times), and quarantined with its reason; earlier open
        quarantine rows of the item are closed (this one supersedes them)."""
        row = self.conn.execute("SELECT attempts, url, source FROM fetched_items WHERE id = ?",
                                (item_id,)).fetchone()
        attempts = (row[0] if row else 0) + 1
        retry = now + backoff(attempts) if retryable and attempts < MAX_ATTEMPTS else None
        self.conn.execute(
            "UPDATE fetched_items SET state = 'failed', attempts = ?, next_attempt = ?, "
            "last_error = ? WHERE id = ?", (attempts, _iso(retry), reason, item_id))
        self.conn.execute("UPDATE quarantine SET resolved_at = ? WHERE item_id = ? AND "
                          "resolved_at IS NULL", (_iso(now), item_id))
        if quarantine_id is None:
            origin = f"{row[2]}: {row[1]}" if row else str(item_id)
            quarantine_id = self.store.quarantine(origin, reason, payload)
        self.conn.execute(
            "UPDATE quarantine SET item_id = ?, attempts = ?, next_retry = ?, resolved_at = "
            "NULL WHERE id = ?", (item_id, attempts, _iso(retry), quarantine_id))

    def counts(self) -> dict[str, dict[str, int]]:
        """Items per source and state."""
        out: dict[str, dict[str, int]] = {}
        for source, state, n in self.conn.execute(
                "SELECT source, state, count(*) FROM fetched_items GROUP BY source, state"):
            out.setdefault(source, {})[state] = n
        return out

    # --- sources -----------------------------------------------------------------------

    def source_state(self, source: str) -> dict[str, Any]:
        row = self.conn.execute("SELECT * FROM source_state WHERE source = ?",
                                (source,)).fetchone()
        return dict(row) if row else {}

    def polled(self, source: str, now: datetime, next_poll: datetime, error: str | None,
               status: str) -> None:
        with self.store.transaction():
            failures = 0
            if error:
                failures = int(self.source_state(source).get("failures") or 0) + 1
            self.conn.execute(
                "INSERT OR REPLACE INTO source_state VALUES (?, ?, ?, ?, ?, ?)",
                (source, _iso(now), _iso(next_poll), status, error, failures))

    def forget_source(self, source: str) -> None:
        with self.store.transaction():
            self.conn.execute("DELETE FROM source_state WHERE source = ?", (source,))

    # --- quarantine --------------------------------------------------------------------

    def open_quarantine(self, limit: int = 100, *, include_resolved: bool = False,
                        ids: list[int] | None = None) -> list[QuarantineItem]:
        where = "1=1" if include_resolved else "resolved_at IS NULL"
        params: list[Any] = []
        if ids:
            where += f" AND id IN ({','.join('?' * len(ids))})"
            params.extend(ids)
        rows = self.conn.execute(
            "SELECT id, origin, reason, created_at, payload_size, item_id, attempts, "
            f"next_retry, resolved_at FROM quarantine WHERE {where} ORDER BY id DESC LIMIT ?",
            [*params, limit]).fetchall()
        return [QuarantineItem(
            id=r["id"], origin=r["origin"], reason=r["reason"],
            created_at=datetime.fromisoformat(r["created_at"]), payload_size=r["payload_size"],
            item_id=r["item_id"], attempts=r["attempts"], next_retry=_when(r["next_retry"]),
            resolved_at=_when(r["resolved_at"])) for r in rows]

    def quarantine_payload(self, qid: int) -> bytes | None:
        row = self.conn.execute("SELECT payload FROM quarantine WHERE id = ?",
                                (qid,)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def make_due(self, item_ids: list[int], now: datetime) -> None:
        """A manual retry: the items are due now whatever their backoff said."""
        with self.store.transaction():
            for item_id in item_ids:
                self.conn.execute(
                    "UPDATE fetched_items SET state = 'failed', next_attempt = ? "
                    "WHERE id = ? AND state != 'done'", (_iso(now), item_id))

    def resolve_quarantine(self, qid: int, now: datetime) -> None:
        self.conn.execute("UPDATE quarantine SET resolved_at = ? WHERE id = ?",
                          (_iso(now), qid))

    def carry_quarantine(self, old: QuarantineItem, new_id: int, now: datetime) -> None:
        """A retried non-live item failed again: the new row counts the attempts and the
        old one closes."""
        attempts = (old.attempts or 0) + 1
        retry = now + backoff(attempts) if attempts < MAX_ATTEMPTS else None
        self.conn.execute("UPDATE quarantine SET attempts = ?, next_retry = ? WHERE id = ?",
                          (attempts, _iso(retry), new_id))
        self.resolve_quarantine(int(old.id or 0), now)

    def last_quarantine_id(self) -> int:
        row = self.conn.execute("SELECT max(id) FROM quarantine").fetchone()
        return int(row[0] or 0)

    # --- marks -------------------------------------------------------------------------

    def mark(self, name: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM live_marks WHERE name = ?",
                                (name,)).fetchone()
        return str(row[0]) if row else default

    def set_mark(self, name: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO live_marks VALUES (?, ?)", (name, value))

    # --- alerts ------------------------------------------------------------------------

    def add_event(self, event: AlertEvent, channels: list[str]) -> int | None:
        """Store an alert unless this rule already fired for this key; queue one
        delivery per channel. Returns the new id, or None when it was known."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO alert_events (rule, key, created_at, data) "
            "VALUES (?, ?, ?, ?)",
            (event.rule, event.key, _iso(event.created_at),
             event.model_dump_json(exclude={"id"})))
        if not cur.rowcount:
            return None
        event_id = int(cur.lastrowid or 0)
        for channel in channels:
            self.conn.execute("INSERT OR IGNORE INTO alert_deliveries (event_id, channel) "
                              "VALUES (?, ?)", (event_id, channel))
        return event_id

    def events(self, limit: int = 100, ids: list[int] | None = None) -> list[AlertEvent]:
        where, params = "1=1", []
        if ids is not None:
            where = f"id IN ({','.join('?' * len(ids))})" if ids else "0"
            params = list(ids)
        rows = self.conn.execute(
            f"SELECT id, data FROM alert_events WHERE {where} ORDER BY id DESC LIMIT ?",
            [*params, limit]).fetchall()
        return [AlertEvent.model_validate({**json.loads(r["data"]), "id": r["id"]})
                for r in rows]

    def pending_deliveries(self, channel: str, now: datetime) -> list[tuple[int, int]]:
        """(event id, attempts so far) awaiting delivery on a channel, oldest first."""
        rows = self.conn.execute(
            "SELECT event_id, attempts FROM alert_deliveries WHERE channel = ? AND "
            "state = 'pending' AND (next_attempt IS NULL OR next_attempt <= ?) "
            "ORDER BY event_id", (channel, _iso(now))).fetchall()
        return [(int(r[0]), int(r[1])) for r in rows]

    def delivered(self, event_id: int, channel: str, now: datetime) -> None:
        with self.store.transaction():
            self.conn.execute(
                "UPDATE alert_deliveries SET state = 'delivered', delivered_at = ?, "
                "attempts = attempts + 1, last_error = NULL WHERE event_id = ? AND channel = ?",
                (_iso(now), event_id, channel))

    def delivery_failed(self, event_id: int, channel: str, error: str, now: datetime) -> None:
        with self.store.transaction():
            row = self.conn.execute(
                "SELECT attempts FROM alert_deliveries WHERE event_id = ? AND channel = ?",
                (event_id, channel)).fetchone()
            attempts = (row[0] if row else 0) + 1
            state = "pending" if attempts < MAX_ATTEMPTS else "failed"
            self.conn.execute(
                "UPDATE alert_deliveries SET attempts = ?, state = ?, next_attempt = ?, "
                "last_error = ? WHERE event_id = ? AND channel = ?",
                (attempts, state, _iso(now + backoff(attempts)), error, event_id, channel))
