"""Query parameters shared by the API and the pages: filters, dates, pagination.

Form fields arrive as empty strings when left blank; they mean "no filter", not "match
the empty string", so every filter goes through `blank_to_none`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from newsdesk.errors import InputError
from newsdesk.ingest.dates import day_or_time
from newsdesk.models import SearchFilters

MAX_LIMIT = 200

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]


def blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def parse_when(value: str | None, *, end: bool = False, name: str = "date") -> datetime | None:
    """'2024-03-07' (the whole day: its start, or its end with `end`) or an ISO time;
    a time without an offset is UTC."""
    value = blank_to_none(value)
    if value is None:
        return None
    try:
        return day_or_time(value, end)
    except ValueError:
        raise InputError(f"{name} '{value}' is not a date: use YYYY-MM-DD or an ISO time"
                         ) from None


class Filters(SearchFilters):
    """The feed and search filters as the store takes them, read from query parameters."""

    @classmethod
    def parse(cls, tag: str | None, entity: str | None, source: str | None,
              since: str | None, until: str | None) -> Filters:
        start = parse_when(since, name="since")
        stop = parse_when(until, end=True, name="until")
        if start and stop and start > stop:
            raise InputError("since is after until: no article can match")
        return cls(tag=blank_to_none(tag), entity=blank_to_none(entity),
                   source=blank_to_none(source), since=start, until=stop)

    def query(self) -> dict[str, str]:
        """The filters as page query parameters (for links to the next page)."""
        out = {k: v for k, v in (("tag", self.tag), ("entity", self.entity),
                                 ("source", self.source)) if v}
        if self.since:
            out["since"] = self.since.date().isoformat()
        if self.until:
            out["until"] = self.until.date().isoformat()
        return out


def next_offset(offset: int, limit: int, total: int) -> int | None:
    return offset + limit if offset + limit < total else None
