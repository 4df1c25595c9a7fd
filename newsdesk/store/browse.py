"""Read queries for browsing a desk (the web feed, dashboards, who-said-what lists).

They live apart from `sqlite.py` because nothing in the pipeline needs them: only the
web layer (and later an export) reads the store this way. `BrowseStore` is the protocol a
store implements to be browsable; `SQLiteBrowse` implements it over the tables that
`SQLiteStore` already keeps (no new table, no migration: entities, quotes and signals are
read from the stored enrichment JSON with SQLite's json_each).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from newsdesk.models import (
    NO_FILTERS,
    EntityCount,
    FeedItem,
    Figure,
    FigurePoint,
    Quote,
    QuoteHit,
    SearchFilters,
    SignalCount,
    TagCount,
)
from newsdesk.store.rows import utc_text

# Characters of the UTC timestamp that make a bucket: '2024', '2024-03', '2024-03-07'.
BUCKETS = {"year": 4, "month": 7, "day": 10}
LEAD_CHARS = 240
# Durations ("over two months") describe periods, not what a figure measures.
DURATION_UNITS = ("year", "month", "week", "day", "hour", "minute", "second", "decade")


@runtime_checkable
class BrowseStore(Protocol):
    def feed(
        self, limit: int, offset: int = 0, filters: SearchFilters = NO_FILTERS
    ) -> list[FeedItem]: ...

    def count_articles(self, filters: SearchFilters = NO_FILTERS) -> int: ...

    def tag_totals(self) -> list[TagCount]: ...

    def tag_counts(self, bucket: str = "month", tags: list[str] | None = None,
                   since: datetime | None = None,
                   until: datetime | None = None) -> list[TagCount]: ...

    def signal_counts(self, bucket: str = "month", since: datetime | None = None,
                      until: datetime | None = None) -> list[SignalCount]: ...

    def entities(self, limit: int, offset: int = 0, type: str | None = None,
                 name: str | None = None) -> tuple[list[EntityCount], int]: ...

    def quotes(self, limit: int, offset: int = 0, speaker: str | None = None,
               article_id: str | None = None) -> tuple[list[QuoteHit], int]: ...

    def find_figures(self, limit: int, offset: int = 0, subject_words: list[str] | None = None,
                     unit: str | None = None, entity: str | None = None,
                     year: int | None = None, since: datetime | None = None,
                     until: datetime | None = None) -> tuple[list[FigurePoint], int]: ...

    def brief_json(self, article_id: str, engine: str = "extractive") -> str | None: ...


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _date_range(where: list[str], params: list[Any], column: str, since: datetime | None,
                until: datetime | None) -> None:
    """Add an inclusive UTC range on `column` to a WHERE list."""
    if since:
        where.append(f"{column} >= ?")
        params.append(utc_text(since))
    if until:
        where.append(f"{column} <= ?")
        params.append(utc_text(until))


def _bucket_chars(bucket: str) -> int:
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}")
    return BUCKETS[bucket]


class SQLiteBrowse:
    """Mixin for `SQLiteStore`: needs `self.conn` and `self._filters` (the search filters,
    so the feed filters by tag/entity/source/date exactly as search does)."""

    conn: sqlite3.Connection

    @staticmethod
    def _filters(f: SearchFilters) -> tuple[list[str], list[str | None]]:
        raise NotImplementedError  # provided by SQLiteStore

    def _where(self, filters: SearchFilters) -> tuple[str, list[str | None]]:
        where, params = self._filters(filters)
        return " AND ".join(where), params

    def feed(
        self, limit: int, offset: int = 0, filters: SearchFilters = NO_FILTERS
    ) -> list[FeedItem]:
        """Originals, newest first (undated last): an index walk on publication time, so
        a page costs the same at 100 or 100,000 articles when no filter is rare."""
        where, params = self._where(filters)
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.source, a.published_at, "
            "json_extract(a.meta, '$.category') AS category, "
            "(SELECT group_concat(label, '|') FROM (SELECT label FROM article_tags "
            " WHERE article_id = a.id ORDER BY score DESC)) AS tags, "
            "(SELECT json_extract(b.data, '$.summary[0].text') FROM briefs b "
            " WHERE b.article_id = a.id AND b.engine = 'extractive') AS lead, "
            f"substr(a.text, 1, {LEAD_CHARS}) AS opening "
            f"FROM articles a WHERE {where} "
            "ORDER BY a.published_utc DESC, a.rowid DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [FeedItem(
            article_id=r[0], title=r[1], source=r[2], published_at=_when(r[3]),
            category=r[4], tags=r[5].split("|") if r[5] else [],
            lead=" ".join((r[6] or r[7] or "").split()), has_brief=r[6] is not None,
        ) for r in rows]

    def count_articles(self, filters: SearchFilters = NO_FILTERS) -> int:
        where, params = self._where(filters)
        return int(self.conn.execute(
            f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0])

    def tag_totals(self) -> list[TagCount]:
        """Every tag with the number of articles carrying it, most used first."""
        counts = self.conn.execute(  # the (tag, published_utc) index covers this
            "SELECT tag, count(*) AS n FROM article_tags GROUP BY tag ORDER BY n DESC, tag"
        ).fetchall()
        out = []
        for tag, n in counts:
            label, group = self.conn.execute(
                "SELECT label, grp FROM article_tags WHERE tag = ? LIMIT 1", (tag,)).fetchone()
            out.append(TagCount(tag=tag, label=label, group=group, count=n))
        return out

    def tag_counts(self, bucket: str = "month", tags: list[str] | None = None,
                   since: datetime | None = None,
                   until: datetime | None = None) -> list[TagCount]:
        """Articles per tag per period (undated articles are left out), oldest first."""
        n = _bucket_chars(bucket)
        where = ["published_utc IS NOT NULL"]
        params: list[Any] = []
        if tags:
            where.append(f"tag IN ({','.join('?' * len(tags))})")
            params += tags
        _date_range(where, params, "published_utc", since, until)
        rows = self.conn.execute(
            f"SELECT tag, max(label), max(grp), substr(published_utc, 1, {n}) AS b, count(*) "
            f"FROM article_tags WHERE {' AND '.join(where)} GROUP BY tag, b ORDER BY b, tag",
            params).fetchall()
        return [TagCount(tag=r[0], label=r[1], group=r[2], bucket=r[3], count=r[4])
                for r in rows]

    def signal_counts(self, bucket: str = "month", since: datetime | None = None,
                      until: datetime | None = None) -> list[SignalCount]:
        """Articles reporting each risk signal kind per period, oldest first."""
        n = _bucket_chars(bucket)
        where = ["a.duplicate_of IS NULL", "a.published_utc IS NOT NULL"]
        params: list[Any] = []
        _date_range(where, params, "a.published_utc", since, until)
        rows = self.conn.execute(
            "SELECT json_extract(s.value, '$.kind') AS kind, "
            f"substr(a.published_utc, 1, {n}) AS b, count(DISTINCT a.id) "
            "FROM enrichments e JOIN articles a ON a.id = e.article_id, "
            "json_each(e.data, '$.signals') s "
            f"WHERE {' AND '.join(where)} GROUP BY kind, b ORDER BY b, kind", params).fetchall()
        return [SignalCount(kind=r[0], bucket=r[1], count=r[2]) for r in rows]

    def entities(self, limit: int, offset: int = 0, type: str | None = None,
                 name: str | None = None) -> tuple[list[EntityCount], int]:
        """Entities by the number of articles naming them; (page, total)."""
        where = ["a.duplicate_of IS NULL"]
        params: list[Any] = []
        if type:
            where.append("json_extract(x.value, '$.type') = ?")
            params.append(type)
        if name:
            where.append("json_extract(x.value, '$.canonical') LIKE ?")
            params.append(f"%{name}%")
        base = (
            "SELECT json_extract(x.value, '$.canonical') AS name, "
            "json_extract(x.value, '$.type') AS type, count(DISTINCT e.article_id) AS n, "
            "sum(json_extract(x.value, '$.mentions')) AS m "
            "FROM enrichments e JOIN articles a ON a.id = e.article_id, "
            f"json_each(e.data, '$.entities') x WHERE {' AND '.join(where)} "
            "GROUP BY name, type")
        total = int(self.conn.execute(f"SELECT count(*) FROM ({base})", params).fetchone()[0])
        rows = self.conn.execute(
            f"{base} ORDER BY n DESC, m DESC, name LIMIT ? OFFSET ?",
            [*params, limit, offset]).fetchall()
        return [EntityCount(name=r[0], type=r[1], articles=r[2], mentions=r[3] or 0)
                for r in rows], total

    def quotes(self, limit: int, offset: int = 0, speaker: str | None = None,
               article_id: str | None = None) -> tuple[list[QuoteHit], int]:
        """Who said what, newest article first; `speaker` matches part of the name."""
        where = ["a.duplicate_of IS NULL"]
        params: list[Any] = []
        if speaker:
            where.append("json_extract(q.value, '$.speaker') LIKE ?")
            params.append(f"%{speaker}%")
        if article_id:
            where.append("a.id = ?")
            params.append(article_id)
        base = ("FROM enrichments e JOIN articles a ON a.id = e.article_id, "
                f"json_each(e.data, '$.quotes') q WHERE {' AND '.join(where)}")
        total = int(self.conn.execute(f"SELECT count(*) {base}", params).fetchone()[0])
        rows = self.conn.execute(
            f"SELECT a.id, a.title, a.source, a.published_at, q.value {base} "
            "ORDER BY a.published_utc DESC, a.id, q.key LIMIT ? OFFSET ?",
            [*params, limit, offset]).fetchall()
        return [QuoteHit(article_id=r[0], title=r[1], source=r[2], published_at=_when(r[3]),
                         quote=Quote.model_validate(json.loads(r[4]))) for r in rows], total

    def find_figures(self, limit: int, offset: int = 0, subject_words: list[str] | None = None,
                     unit: str | None = None, entity: str | None = None,
                     year: int | None = None, since: datetime | None = None,
                     until: datetime | None = None) -> tuple[list[FigurePoint], int]:
        """Figures by subject words, unit, an entity the article names, the year the
        figure is for, or publication dates; oldest first. (page, total)"""
        where = ["a.duplicate_of IS NULL"]
        params: list[Any] = []
        for word in subject_words or []:
            where.append("lower(f.subject) LIKE ?")
            params.append(f"%{word.lower()}%")
        if unit:
            where.append("f.unit = ?")
            params.append(unit)
        else:
            where.append(f"coalesce(f.unit, '') NOT IN ({','.join('?' * len(DURATION_UNITS))})")
            params += DURATION_UNITS
        if entity:
            where.append("EXISTS (SELECT 1 FROM article_places p WHERE p.article_id = a.id "
                         "AND p.place = ? COLLATE NOCASE)")
            params.append(entity)
        if year is not None:
            where.append("f.period_year = ?")
            params.append(year)
        _date_range(where, params, "f.published_utc", since, until)
        base = (f"FROM article_figures f JOIN articles a ON a.id = f.article_id "
                f"WHERE {' AND '.join(where)}")
        total = int(self.conn.execute(f"SELECT count(*) {base}", params).fetchone()[0])
        rows = self.conn.execute(
            f"SELECT f.article_id, a.title, a.source, a.published_at, f.data {base} "
            "ORDER BY f.published_utc IS NULL, f.published_utc, f.article_id, f.n "
            "LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
        return [FigurePoint(article_id=r[0], title=r[1], source=r[2], published_at=_when(r[3]),
                            figure=Figure.model_validate_json(r[4])) for r in rows], total

    def brief_json(self, article_id: str, engine: str = "extractive") -> str | None:
        """A stored brief as its JSON text: the web layer hashes it for an ETag and can
        answer 304 without parsing it."""
        row = self.conn.execute(
            "SELECT data FROM briefs WHERE article_id = ? AND engine = ?",
            (article_id, engine)).fetchone()
        return str(row[0]) if row else None
