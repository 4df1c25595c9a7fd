"""Publication times: always timezone-aware, keeping the offset the source printed.

"09/02/2025, 14:52:00 EDT" must become 2025-09-02T14:52:00-04:00, not a UTC instant and
not a naive time: readers compare it with local events. US month/day order is assumed for
slashed dates, as in the outlets the desk reads; ISO 8601 is always understood.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser

from newsdesk.errors import InputError


def _tz(hours: float, name: str) -> timezone:
    return timezone(timedelta(hours=hours), name)


# Abbreviations newsrooms print. Ambiguous ones take their most common news meaning:
# CST = US Central (use "China Standard Time" or +08:00 for Beijing), IST = India.
TZINFOS: dict[str, timezone] = {
    name: _tz(hours, name)
    for name, hours in {
        "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5,
        "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "TRT": 3, "GST": 4,
        "PKT": 5, "HKT": 8, "SGT": 8, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4,
        "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8,
        "HST": -10, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "AWST": 8, "NZST": 12,
        "NZDT": 13, "BRT": -3, "ART": -3, "SAST": 2, "WAT": 1, "EAT": 3,
    }.items()
}
# Zone names spelled out: local time there, daylight saving included (from the system's
# time zone database; the fixed offset is the fallback where it is missing).
_LONG_NAMES = {
    "china standard time": ("Asia/Shanghai", "+08:00"),
    "beijing time": ("Asia/Shanghai", "+08:00"),
    "moscow time": ("Europe/Moscow", "+03:00"),
    "eastern time": ("America/New_York", "-05:00"),
    "central time": ("America/Chicago", "-06:00"),
    "pacific time": ("America/Los_Angeles", "-08:00"),
}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+)?$")
_PREFIX = re.compile(r"^(?:published|updated|posted|date|on)\s*[:\-]?\s*", re.I)
_HINT = "use ISO 8601 such as 2025-09-02T14:52:00-04:00, or 'MM/DD/YYYY, HH:MM:SS TZ'"


def day_or_time(value: str, end: bool = False) -> datetime:
    """A filter bound (--since/--until, ?since=/?until=): a day in any ISO form
    (2024-03-07, 20240307) is the whole day, its first instant or with `end` its last;
    otherwise an ISO time, UTC when it states no offset. ValueError when neither: the
    CLI and the web server each say so in their own words."""
    value = value.strip()
    try:
        return datetime.combine(date.fromisoformat(value), time.max if end else time.min,
                                tzinfo=UTC)
    except ValueError:
        parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_published(raw: str) -> datetime:
    """Parse a publication time; naive times are taken as UTC (the offset is then +00:00)."""
    text = _PREFIX.sub("", raw.strip()).strip()
    if not text:
        raise InputError(f"empty publication date; {_HINT}")
    zone = None
    for long_name, (zone_name, offset) in _LONG_NAMES.items():
        if re.search(long_name, text, flags=re.I):
            try:
                zone = ZoneInfo(zone_name)
                text = re.sub(long_name, "", text, flags=re.I).strip(" ,")
            except ZoneInfoNotFoundError:
                text = re.sub(long_name, offset, text, flags=re.I)
            break
    if zone is not None:
        local = _parse_loose(raw, text) if not _ISO.match(text) else datetime.fromisoformat(text)
        if local.tzinfo is None:
            local = local.replace(tzinfo=zone)
        if not 1900 <= local.year <= 2100:
            raise InputError(f"implausible publication year in {raw!r}; {_HINT}")
        return local
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        dt = _parse_loose(raw, text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if not 1900 <= dt.year <= 2100:
        raise InputError(f"implausible publication year in {raw!r}; {_HINT}")
    return dt


def _parse_loose(raw: str, text: str) -> datetime:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # Two different defaults show which parts the text really gave: dateutil
            # silently fills the rest from the default (today, if none is passed).
            dt = dateparser.parse(text, tzinfos=TZINFOS, dayfirst=False, default=_DEFAULT_A)
            other = dateparser.parse(text, tzinfos=TZINFOS, dayfirst=False,
                                     default=_DEFAULT_B)
        except (ValueError, OverflowError, TypeError) as exc:
            raise InputError(f"unparseable publication date {raw!r}; {_HINT}") from exc
    if any("tzname" in str(w.message) for w in caught):
        raise InputError(f"unknown time zone in publication date {raw!r}; {_HINT}")
    try:
        dt.utcoffset()  # dateutil keeps '+99:00'; datetime refuses it at every later use
    except ValueError:
        raise InputError(f"time zone offset out of range in publication date {raw!r} (it "
                         f"must be within ±24 hours); {_HINT}") from None
    if dt.year != other.year or dt.month != other.month:
        raise InputError(f"publication date {raw!r} is incomplete (it needs at least a year "
                         f"and a month); {_HINT}")
    if dt.day != other.day:
        dt = dt.replace(day=1)  # "March 2024": month precision, kept as the first
    return dt


_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)
