"""Retry-After, as the feed fetcher and the LLM client both read it.

A server that is busy (429, 503) may say when to come back: a number of seconds or an
HTTP date (RFC 9110, 10.2.3). Anything else ("-5", "nan", "²", a malformed date) is no
answer, and the caller's own backoff applies: `time.sleep` raises on a negative or NaN
value, which used to end a brief with a traceback.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value, 0 for a date already past, None when the
    value is neither a number of seconds nor an HTTP date."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():  # '²' is a digit that float() refuses
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


__all__ = ["retry_after_seconds"]
