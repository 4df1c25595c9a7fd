"""Ingest from the web: an uploaded file, or a URL the server fetches.

Both end in the Desk's own ingest (same deduplication, quarantine and story assignment
as `newsdesk ingest`); an upload is parsed here because it is bytes with a file name,
neither a path on the server nor standard input. Runs on the writer thread.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from newsdesk.desk import Desk
from newsdesk.errors import InputError
from newsdesk.ingest.decode import declared_charset, decode
from newsdesk.ingest.sources import (
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    TEXT_SUFFIXES,
    is_url,
    parse,
    sniff_format,
)
from newsdesk.models import IngestOutcome, IngestReport

log = logging.getLogger(__name__)
_FORMATS = [("text", TEXT_SUFFIXES), ("html", HTML_SUFFIXES), ("json", JSON_SUFFIXES),
            ("jsonl", JSONL_SUFFIXES)]


def upload_format(name: str, text: str) -> str:
    suffix = PurePosixPath(name.lower()).suffix
    for fmt, suffixes in _FORMATS:
        if suffix in suffixes:
            return fmt
    return sniff_format(text)


def ingest_upload(desk: Desk, name: str, data: bytes, *, briefs: bool) -> IngestReport:
    """Every article in the uploaded file; unreadable records are quarantined."""
    origin = f"upload:{PurePosixPath(name).name or 'unnamed'}"
    if not data.strip():
        raise InputError(f"{origin}: the uploaded file is empty")
    text = decode(data, origin, declared_charset(data))
    report = IngestReport()
    for item in parse(text, upload_format(name, text), origin):
        if isinstance(item, InputError):
            with desk.store.transaction():
                desk.store.quarantine(origin, str(item), None)
            report.outcomes.append(IngestOutcome(origin=origin, status="quarantined",
                                                 reason=str(item)))
        else:
            report.outcomes.append(desk.ingest_document(item))
    return _with_briefs(desk, report, briefs)


def ingest_url(desk: Desk, url: str, *, briefs: bool) -> IngestReport:
    url = url.strip()
    if not is_url(url):
        raise InputError(f"'{url}' is not a web address: give an http:// or https:// URL")
    return _with_briefs(desk, desk.ingest([url]), briefs)


def _with_briefs(desk: Desk, report: IngestReport, briefs: bool) -> IngestReport:
    """Briefs of what the upload added (when asked for), and vectors when the desk keeps
    them (as `newsdesk ingest` does), so search finds an upload like any other article."""
    fresh = [o.article_id for o in report.outcomes
             if o.status in ("accepted", "updated") and o.article_id]
    if briefs:
        desk.write_briefs(list(dict.fromkeys(fresh)))
    try:
        if fresh and desk.keeps_vectors():
            desk.embed()
    except Exception:  # noqa: BLE001 - the upload is stored; `newsdesk embed` catches up
        log.exception("embedding the upload failed")
    return report
