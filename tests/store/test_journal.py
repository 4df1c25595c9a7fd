"""Migration 7 and the live journal's bookkeeping in the SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.store.journal import MAX_ATTEMPTS, Journal, NewItem, backoff
from newsdesk.store.sqlite import SQLiteStore


def test_migration_seven_on_a_version_six_desk_keeps_quarantine_rows(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    s = SQLiteStore(path)
    s.quarantine("old.txt", "empty file", b"")
    s.conn.executescript(
        "DROP INDEX quarantine_item; ALTER TABLE quarantine DROP COLUMN item_id; "
        "ALTER TABLE quarantine DROP COLUMN attempts; "
        "ALTER TABLE quarantine DROP COLUMN next_retry; "
        "ALTER TABLE quarantine DROP COLUMN resolved_at; DROP TABLE fetched_items; "
        "DROP TABLE alert_events; PRAGMA user_version=6;")
    s.close()
    s = SQLiteStore(path)
    [row] = Journal(s).open_quarantine()
    assert row.origin == "old.txt" and row.attempts == 0 and row.resolved_at is None
    assert s.conn.execute("SELECT count(*) FROM fetched_items").fetchone()[0] == 0


def test_items_recorded_once_per_version_and_retried_with_backoff(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "j.db")
    j = Journal(s)
    a = NewItem("k1", "h1", "http://x/1", "One", "record", b"{}")
    assert j.record("src", [a, NewItem("k2", "h2", None, None, "record", b"{}")], []) == 2
    assert j.record("src", [a], []) == 0  # the same item again: known
    assert j.record("src", [NewItem("k1", "h1b", "http://x/1", "One", "record", b"{}")],
                    []) == 1  # an edited item is a new version
    now = datetime(2025, 1, 1, tzinfo=UTC)
    first = j.due(now, 10)[0]
    with s.transaction():
        j.failed(first.id, "HTTP 503", retryable=True, now=now)
    assert first.id not in [i.id for i in j.due(now, 10)]
    assert first.id in [i.id for i in j.due(now + backoff(1), 10)]
    with s.transaction():
        for _ in range(2, MAX_ATTEMPTS + 1):
            j.failed(first.id, "HTTP 503", retryable=True, now=now)
    assert first.id not in [i.id for i in j.due(now + timedelta(days=30), 10)]  # gave up
    open_rows = j.open_quarantine()
    assert len(open_rows) == 1 and open_rows[0].attempts == MAX_ATTEMPTS
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3)] == [1, 4, 16]


def test_validators_wait_for_the_items(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "v.db")
    j = Journal(s)
    j.put_validators("http://x/feed", '"e1"', None)
    assert j.get_validators("http://x/feed") == (None, None)  # not before the items
    j.record("src", [], ["http://x/feed"])
    assert j.get_validators("http://x/feed") == ('"e1"', None)
