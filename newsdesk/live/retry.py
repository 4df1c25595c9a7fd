"""`newsdesk quarantine retry`: put quarantined items through ingest again.

A row from the live journal makes its item due now and runs the watcher's processing
(which fetches the page again if that is what failed); any other row is re-read from
its stored payload, else from its origin (a path or URL). A success closes the row; a
new failure opens a new row that counts the attempts, with the next retry time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsdesk.ingest.sources import Unit, expand, is_url
from newsdesk.live.watch import Watcher
from newsdesk.models import QuarantineItem, WatchReport


@dataclass
class RetryReport:
    tried: int = 0
    resolved: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def retry_quarantine(watcher: Watcher, ids: list[int] | None = None, *,
                     due_only: bool = False, limit: int = 1000) -> RetryReport:
    """Retry the open rows named by `ids` (all open rows when None; with `due_only`,
    only those whose backoff has passed)."""
    journal = watcher.journal
    now = datetime.now(UTC)
    rows = journal.open_quarantine(limit, ids=ids or None)
    found = {r.id for r in rows}
    if due_only:
        rows = [r for r in rows if r.next_retry is not None and r.next_retry <= now]
    report = RetryReport()
    for missing in [i for i in dict.fromkeys(ids or []) if i not in found]:
        report.skipped.append((missing, "no open quarantine item with this id (see "
                                        "'newsdesk quarantine list --all')"))
    items = [r for r in rows if r.item_id is not None]
    others = [r for r in rows if r.item_id is None]
    if items:
        journal.make_due([int(r.item_id or 0) for r in items], now)
        watcher.process(WatchReport())
        still = {q.item_id for q in journal.open_quarantine(limit * 2)}
        for r in items:
            report.tried += 1
            (report.failed if r.item_id in still else report.resolved).append(int(r.id or 0))
    for r in others:
        unit = _unit_of(watcher, r)
        if isinstance(unit, str):
            report.skipped.append((int(r.id or 0), unit))
            continue
        report.tried += 1
        before = journal.last_quarantine_id()
        outcome = watcher.desk.ingest([unit]).outcomes
        with watcher.desk.store.transaction():
            if outcome and all(o.status != "quarantined" for o in outcome):
                journal.resolve_quarantine(int(r.id or 0), now)
                report.resolved.append(int(r.id or 0))
            else:
                newest = journal.last_quarantine_id()
                if newest > before:
                    journal.carry_quarantine(r, newest, now)
                report.failed.append(int(r.id or 0))
    return report


def _unit_of(watcher: Watcher, row: QuarantineItem) -> Unit | str:
    """What to ingest again for a row, or why it cannot be retried."""
    payload = watcher.journal.quarantine_payload(int(row.id or 0))
    origin = row.origin.split("#", 1)[0]
    if payload is not None:
        return Unit("data", origin, payload)
    if is_url(origin) or Path(origin).exists():
        return expand([origin])[0]
    return f"nothing to retry: no stored payload and {origin} is gone"
