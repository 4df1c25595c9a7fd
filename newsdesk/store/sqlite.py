"""SQLite store: one file, WAL, FTS5 (BM25 + snippets), numbered schema migrations.

The default for one user on one machine: zero set-up, safe against crashes (WAL; each
ingest batch is a transaction, so a crash loses at most the batch in flight, which was
never reported as accepted).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel

from newsdesk.errors import StoreError
from newsdesk.models import (
    NO_FILTERS,
    Article,
    Brief,
    Enrichment,
    Figure,
    FigurePoint,
    PriorFacts,
    QuarantineItem,
    SearchFilters,
    SearchHit,
    Story,
)
from newsdesk.relate.lsh import BandIndex
from newsdesk.relate.neardup import THRESHOLD as NEAR_THRESHOLD
from newsdesk.relate.neardup import signature, similarity
from newsdesk.store.base import EmbeddingMatrix
from newsdesk.store.browse import SQLiteBrowse
from newsdesk.store.chunks import first_passing
from newsdesk.store.facets import (
    FACET_WORD,
    facet_match,
    facet_text,
    filter_years,
    filtered_match,
)
from newsdesk.store.rows import ArticleRows, article_rows, epoch_us, meta_key, utc_text

APPLICATION_ID = 0x6E657773  # "news": marks a file as a newsdesk database

MIGRATIONS: list[str] = [
    # 1: articles + full-text index, enrichments with tag/place tables, briefs, quarantine.
    """
    CREATE TABLE articles (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url TEXT,
        title TEXT NOT NULL,
        source TEXT,
        published_at TEXT,
        published_utc TEXT,
        ingested_at TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        duplicate_of TEXT,
        text TEXT NOT NULL,
        sentences TEXT NOT NULL,
        meta TEXT NOT NULL
    );
    CREATE INDEX articles_hash ON articles(content_hash);
    CREATE INDEX articles_published ON articles(published_utc);
    CREATE INDEX articles_source ON articles(source COLLATE NOCASE);
    CREATE VIRTUAL TABLE article_fts USING fts5(
        title, text, content='articles', content_rowid='rowid',
        tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
        WHEN new.duplicate_of IS NULL BEGIN
        INSERT INTO article_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
        WHEN old.duplicate_of IS NULL BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TABLE enrichments (
        article_id TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE article_tags (
        article_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        label TEXT NOT NULL,
        grp TEXT,
        score REAL NOT NULL,
        PRIMARY KEY (article_id, tag)
    );
    CREATE INDEX article_tags_tag ON article_tags(tag);
    CREATE INDEX article_tags_label ON article_tags(label COLLATE NOCASE);
    CREATE TABLE article_places (
        article_id TEXT NOT NULL,
        place TEXT NOT NULL,
        mentions INTEGER NOT NULL,
        PRIMARY KEY (article_id, place)
    );
    CREATE INDEX article_places_place ON article_places(place);
    CREATE TABLE briefs (
        article_id TEXT NOT NULL,
        engine TEXT NOT NULL,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (article_id, engine)
    );
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        origin TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        payload BLOB,
        payload_size INTEGER
    );
    """,
    # 2: publication time on tag and place rows, so "earlier articles on this tag" is an
    # index range scan instead of a pass over every article sharing a common tag.
    """
    ALTER TABLE article_tags ADD COLUMN published_utc TEXT;
    ALTER TABLE article_places ADD COLUMN published_utc TEXT;
    UPDATE article_tags SET published_utc =
        (SELECT published_utc FROM articles WHERE articles.id = article_tags.article_id);
    UPDATE article_places SET published_utc =
        (SELECT published_utc FROM articles WHERE articles.id = article_places.article_id);
    CREATE INDEX article_tags_recent ON article_tags(tag, published_utc);
    CREATE INDEX article_places_recent ON article_places(place, published_utc);
    """,
    # 3: figures, one row each, for series across articles ("exports to Russia" over time).
    """
    CREATE TABLE article_figures (
        article_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        sentence INTEGER NOT NULL,
        subject TEXT,
        unit TEXT,
        value REAL NOT NULL,
        value_high REAL,
        kind TEXT NOT NULL,
        direction TEXT NOT NULL,
        period_year INTEGER,
        published_utc TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (article_id, n)
    );
    CREATE INDEX article_figures_when ON article_figures(published_utc);
    """,
    # 4: near-duplicates. Each original's MinHash signature, and its LSH band keys so a new
    # article finds its candidates with a few index lookups.
    """
    CREATE TABLE article_minhash (
        article_id TEXT PRIMARY KEY,
        signature BLOB NOT NULL
    );
    CREATE TABLE minhash_bands (
        key BLOB NOT NULL,
        article_id TEXT NOT NULL,
        PRIMARY KEY (key, article_id)
    ) WITHOUT ROWID;
    CREATE INDEX minhash_bands_article ON minhash_bands(article_id);
    """,
    # 5: stories (the record as JSON), article -> story links in arrival order (`seq`, so a
    # replay rebuilds the same stories), and embeddings keyed by model and content key (the
    # same text embedded by the same model is never computed twice).
    """
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        first_seen TEXT,
        last_seen TEXT,
        size INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX stories_last_seen ON stories(last_seen);
    CREATE TABLE story_members (
        article_id TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        seq INTEGER NOT NULL UNIQUE
    );
    CREATE INDEX story_members_story ON story_members(story_id, seq);
    CREATE TABLE embeddings (
        article_id TEXT NOT NULL,
        model TEXT NOT NULL,
        key TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (article_id, model)
    );
    CREATE INDEX embeddings_key ON embeddings(key);
    CREATE INDEX embeddings_model ON embeddings(model);
    """,
    # 6: the LSH band keys move to memory (newsdesk/relate/lsh.py: a B-tree of random keys
    # rewrote most of its pages on every commit); the signatures stay, numbered by an
    # AUTOINCREMENT key so that a deleted row's number is never given to another one
    # (the in-memory index reads the rows past the last number it has seen).
    """
    DROP INDEX IF EXISTS minhash_bands_article;
    DROP TABLE IF EXISTS minhash_bands;
    CREATE TABLE article_minhash_v6 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL UNIQUE,
        signature BLOB NOT NULL
    );
    INSERT INTO article_minhash_v6 (article_id, signature)
        SELECT article_id, signature FROM article_minhash ORDER BY rowid;
    DROP TABLE article_minhash;
    ALTER TABLE article_minhash_v6 RENAME TO article_minhash;
    """,
    # 7: "copies of this article" (similar articles, promoting copies) without a scan.
    """
    CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of)
        WHERE duplicate_of IS NOT NULL;
    """,
    # 8: the web feed and its counts: originals by publication time, a partial index that
    # also answers count(*) of originals without reading the article rows (a scan of the
    # text-heavy table took 30 ms at 5,000 articles and grows with it).
    """
    CREATE INDEX IF NOT EXISTS articles_originals_published ON articles(published_utc)
        WHERE duplicate_of IS NULL;
    """,
    # 9: the live desk (newsdesk/store/journal.py). Every fetched item is recorded, by
    # source + item key + content hash, before it is processed; HTTP validators per URL;
    # poll state per source; quarantine rows learn their item, retry count and
    # resolution (columns added by _quarantine_retry_columns); alert events are unique per
    # rule and key, and delivered once per channel. Written to run again harmlessly.
    """
    CREATE TABLE IF NOT EXISTS fetched_items (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        item_key TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        url TEXT,
        title TEXT,
        fmt TEXT NOT NULL,
        payload BLOB,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT,
        last_error TEXT,
        article_id TEXT,
        fetched_at TEXT NOT NULL,
        done_at TEXT,
        UNIQUE (source, item_key, content_hash)
    );
    CREATE INDEX IF NOT EXISTS fetched_items_state ON fetched_items(state, next_attempt);
    CREATE TABLE IF NOT EXISTS http_validators (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS source_state (
        source TEXT PRIMARY KEY,
        last_poll TEXT,
        next_poll TEXT,
        last_status TEXT,
        last_error TEXT,
        failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS alert_events (
        id INTEGER PRIMARY KEY,
        rule TEXT NOT NULL,
        key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (rule, key)
    );
    CREATE TABLE IF NOT EXISTS alert_deliveries (
        event_id INTEGER NOT NULL,
        channel TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT,
        last_error TEXT,
        delivered_at TEXT,
        PRIMARY KEY (event_id, channel)
    );
    CREATE TABLE IF NOT EXISTS live_marks (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 10: filtered vector search checks a few hundred nearest ids against the filters;
    # this index answers "original? published when? which source?" for an id without
    # reading the article row (whose text fills a page): 2-3 times faster at 100,000.
    """
    CREATE INDEX IF NOT EXISTS articles_filters
        ON articles(id, duplicate_of, published_utc, source);
    """,
    # 11: tag, place and year tokens become a third full-text column (store/facets.py),
    # so a filtered keyword search scores only matches that carry the filter's tag, place
    # or years. All of it is in `_index_facets` (it must be able to run again, as 9 does).
    "",
    # 12: the stories a story's members fitted without joining (`Story.related`), best
    # first, readable without parsing the record: Background draws on them. The column is
    # in `_stories_related` (it must be able to run again); existing records get their
    # related stories when a writing desk first opens the upgraded store and replays its
    # stories (`Desk.open`, `Desk._replay`).
    "",
]

def _backfill_signatures(conn: sqlite3.Connection) -> None:
    """Migration 4 on an existing store: sign every original so later copies find it."""
    rows = conn.execute("SELECT id, text FROM articles WHERE duplicate_of IS NULL").fetchall()
    for article_id, text in rows:
        conn.execute("INSERT OR REPLACE INTO article_minhash (article_id, signature) "
                     "VALUES (?, ?)", (article_id, signature(text or "")))


def _add_missing_columns(conn: sqlite3.Connection, table: str,
                         columns: tuple[tuple[str, str], ...]) -> None:
    """Add the (name, type) columns `table` lacks: a migration that adds columns can then
    run again on a store that has them."""
    have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    for column, kind in columns:
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _quarantine_retry_columns(conn: sqlite3.Connection) -> None:
    """Migration 9: quarantine rows learn their live item, attempts, next retry and
    resolution (only the columns not there yet, so the migration can run again)."""
    _add_missing_columns(conn, "quarantine", (
        ("item_id", "INTEGER"), ("attempts", "INTEGER NOT NULL DEFAULT 0"),
        ("next_retry", "TEXT"), ("resolved_at", "TEXT")))
    conn.execute("CREATE INDEX IF NOT EXISTS quarantine_item ON quarantine(item_id)")


# Migration 11's full-text index: title, text and facet tokens (which never score).
_FTS_WITH_FACETS = """
DROP TRIGGER IF EXISTS articles_fts_insert;
DROP TRIGGER IF EXISTS articles_fts_delete;
DROP TABLE IF EXISTS article_fts;
CREATE VIRTUAL TABLE article_fts USING fts5(
    title, text, facets, content='articles', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
    WHEN new.duplicate_of IS NULL BEGIN
    INSERT INTO article_fts(rowid, title, text, facets)
        VALUES (new.rowid, new.title, new.text, new.facets);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
    WHEN old.duplicate_of IS NULL BEGIN
    INSERT INTO article_fts(article_fts, rowid, title, text, facets)
        VALUES ('delete', old.rowid, old.title, old.text, old.facets);
END;
"""


def _index_facets(conn: sqlite3.Connection) -> None:
    """Migration 11: a facets column on articles, filled for every original from its
    tag and place rows and its date, and the full-text index made again with it
    (originals only, as the insert trigger does): about 50 s at 100,000 articles."""
    _add_missing_columns(conn, "articles", (("facets", "TEXT NOT NULL DEFAULT ''"),))
    for statement in _statements(_FTS_WITH_FACETS):
        conn.execute(statement)
    tags: dict[str, list[tuple[str, str]]] = {}
    places: dict[str, list[str]] = {}
    for article_id, tag, label in conn.execute("SELECT article_id, tag, label FROM article_tags"):
        tags.setdefault(article_id, []).append((tag, label))
    for article_id, place in conn.execute("SELECT article_id, place FROM article_places"):
        places.setdefault(article_id, []).append(place)
    conn.executemany("UPDATE articles SET facets = ? WHERE id = ?", [
        (facet_text(tags.get(i, ()), places.get(i, ()), published), i)
        for i, published in conn.execute(
            "SELECT id, published_utc FROM articles WHERE duplicate_of IS NULL").fetchall()])
    conn.execute("INSERT INTO article_fts (rowid, title, text, facets) "
                 "SELECT rowid, title, text, facets FROM articles WHERE duplicate_of IS NULL")
    # One bulk insert leaves many small segments: merged, queries read 30% less.
    conn.execute("INSERT INTO article_fts (article_fts) VALUES ('optimize')")


def _stories_related(conn: sqlite3.Connection) -> None:
    """Migration 12: the related-stories column of `stories`."""
    _add_missing_columns(conn, "stories", (("related", "TEXT NOT NULL DEFAULT ''"),))


# The schema whose story records list their related stories (migration 12).
RELATED_STORIES_SCHEMA = 12

# Data a migration derives in Python rather than SQL, by the migration's number.
BACKFILLS: dict[int, Callable[[sqlite3.Connection], None]] = {
    4: _backfill_signatures, 9: _quarantine_retry_columns, 11: _index_facets,
    12: _stories_related}

_ARTICLE_COLUMNS = "id, title, source, published_at, meta, text, sentences"
# BM25 with the title weighing four times the text; facet tokens never score.
_BM25 = "bm25(article_fts, 4.0, 1.0, 0.0)"
RECENCY_HALF_LIFE_DAYS = 365.0
ARTICLE_CACHE = 2048
# A filtered keyword search ranks FIRST_WINDOW_FACTOR x limit rows inside the full-text
# index, then up to FILTERED_WINDOW, and checks them against the filters best first,
# before the slower query that reads every matching article.
FILTERED_WINDOW = 5000
FIRST_WINDOW_FACTOR = 4
ENRICHMENT_CACHE = 1024
ModelT = TypeVar("ModelT", bound=BaseModel)




IN_CHUNK = 500  # values per `IN (...)` list: well under SQLite's limit on parameters


def rows_in(
    conn: sqlite3.Connection, sql: str, values: Sequence[Any], params: Sequence[Any] = ()
) -> list[sqlite3.Row]:
    """The rows of `sql`, whose `{marks}` is an `IN` list of `values`, asked IN_CHUNK
    values at a time; `params` are bound after the values."""
    rows: list[sqlite3.Row] = []
    for start in range(0, len(values), IN_CHUNK):
        chunk = list(values[start:start + IN_CHUNK])
        rows += conn.execute(sql.replace("{marks}", ",".join("?" * len(chunk))),
                             [*chunk, *params]).fetchall()
    return rows


def fts_query(query: str) -> str:
    """Turn user words into a safe FTS5 query: quoted terms, "phrases" kept, OR kept;
    words shaped like the index's facet tokens dropped (store/facets.py); a NUL, which
    would end an FTS5 string early ('unterminated string'), separates words."""
    query = FACET_WORD.sub(" ", query.replace("\x00", " "))
    phrases = re.findall(r'"([^"]+)"', query)
    rest = re.sub(r'"[^"]*"', " ", query)
    parts = [f'"{p.strip()}"' for p in phrases if p.strip()]
    for token in re.findall(r"[\w'’-]+", rest):
        if token == "OR":
            parts.append("OR")
        else:
            words = re.findall(r"\w+", token)
            if words:
                parts.append('"' + " ".join(words) + '"')
    while parts and parts[0] == "OR":
        parts.pop(0)
    while parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(p for i, p in enumerate(parts) if not (p == "OR" and parts[i - 1] == "OR"))


def damage(exc: sqlite3.DatabaseError) -> str | None:
    """What is wrong with a database file that opened but fails a query (a damaged page,
    text that is not UTF-8, a table another program dropped); None for any other error."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).split(" with text ", 1)[0]  # not the undecodable bytes themselves
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR")) or text.startswith(
            ("Could not decode", "no such table")):
        return text
    return None


def damage_message(reason: str, name: str = "the database") -> str:
    """The one line for damage a query met (see `damage`), for the CLI and the web server
    alike; the CLI names the file, the server does not (its paths stay in its log)."""
    return (f"{name} is damaged or was changed by another program ({reason}); restore a "
            "copy, or choose another file with --db or NEWSDESK_DB")


def has_search_words(query: str) -> bool:
    """Whether a query has words to search for; a query without ("", "*", "-") lists the
    newest articles that pass the filters instead."""
    return bool(fts_query(query))


class SQLiteStore(SQLiteBrowse):
    """The embedded store. Not shared across threads; open one per process."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            if not self.path.exists() and not create:
                raise StoreError(
                    f"no database at {self.path}; run 'newsdesk ingest' first or pass --db"
                )
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for {self.path}: {exc}") from exc
        try:
            self.conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
            self.conn.row_factory = sqlite3.Row
            self._depth = 0
            # Parsed articles by id: briefs re-read the same earlier articles again and
            # again. Entries are dropped whenever this store writes the article; another
            # process's rewrite of an article is seen when the entry ages out.
            self._cache: dict[str, Article] = {}
            # Parsed enrichments of earlier articles, which briefs compare figures with;
            # kept and dropped like the articles.
            self._enrichments: dict[str, Enrichment] = {}
            self._prior_facts: dict[str, PriorFacts] = {}
            # How many of each they keep (about 12 kB an entry): a batch of briefs may
            # afford more (desk.brief_job).
            self.article_cache = ARTICLE_CACHE
            self.enrichment_cache = ENRICHMENT_CACHE
            # LSH over the stored signatures, built on the first near-duplicate lookup
            # and brought up to date (rows past `_bands_seen`) before each one.
            self._bands: BandIndex | None = None
            self._bands_seen = 0
            self.upgraded_from: int | None = None
            self._configure()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if self._folder_refused(exc):
                raise StoreError(
                    f"cannot open {self.path} ({exc}): SQLite must create {self.path.name}-shm "
                    f"and {self.path.name}-wal beside it, even to read, and its folder is "
                    "read-only (permissions or a read-only mount); make the folder writable, "
                    "or copy the database to a writable folder and pass that with --db"
                ) from exc
            raise StoreError(
                f"{self.path} is not a usable newsdesk database ({exc}); choose another "
                "file with --db or NEWSDESK_DB"
            ) from exc

    def _folder_refused(self, exc: sqlite3.DatabaseError) -> bool:
        """Whether an existing file failed to open for want of a writable folder (the
        WAL's -shm and -wal files): its folder is read-only, or a read-only mount."""
        name = getattr(exc, "sqlite_errorname", "") or ""
        return self.path.is_file() and name in ("SQLITE_CANTOPEN", "SQLITE_READONLY_DIRECTORY")

    # --- set-up -------------------------------------------------------------------------

    def _configure(self) -> None:
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=10000")

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        tables = self.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table'"
        ).fetchone()[0]
        if app_id != APPLICATION_ID and (tables or version):
            raise StoreError(
                f"{self.path} is an SQLite file but not a newsdesk database; choose another "
                "file with --db or NEWSDESK_DB"
            )
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this newsdesk "
                f"understands ({len(MIGRATIONS)}); upgrade newsdesk"
            )
        # The schema this store had before, where this opening migrated it: the desk
        # derives what a migration cannot (migration 12's related stories).
        if 0 < version < len(MIGRATIONS):
            self.upgraded_from = version
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in _statements(script):
                    self.conn.execute(statement)
                if number in BACKFILLS:
                    BACKFILLS[number](self.conn)
                self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version={number}")

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException as exc:
            self.conn.execute("ROLLBACK")
            self._bands = None  # it may hold signatures that were rolled back
            if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
                # SQLite opens a file it may not write read-only and says so only here.
                raise StoreError(
                    f"{self.path} is read-only ({exc}): make it and its folder writable, "
                    "or choose another file with --db or NEWSDESK_DB"
                ) from exc
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def close(self) -> None:
        self.conn.close()

    # --- articles -----------------------------------------------------------------------

    def _article(self, row: sqlite3.Row) -> Article:
        cached = self._cache.get(row["id"])
        if cached is not None:
            return cached
        data = json.loads(row["meta"])
        data["text"] = row["text"]
        data["sentences"] = json.loads(row["sentences"])
        article = Article.model_validate(data)
        if len(self._cache) >= self.article_cache:
            self._cache.pop(next(iter(self._cache)))
        self._cache[article.id] = article
        return article

    def get_article(self, article_id: str) -> Article | None:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return self._article(row) if row else None

    def get_articles(self, ids: list[str]) -> dict[str, Article]:
        if not ids:
            return {}
        rows = rows_in(self.conn, f"SELECT {_ARTICLE_COLUMNS} FROM articles "
                       "WHERE id IN ({marks})", ids)
        return {row["id"]: self._article(row) for row in rows}

    def resolve_id(self, prefix: str) -> str | None:
        prefix = prefix.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{6,64}", prefix):
            return None
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? LIMIT 2",
            (prefix, prefix + "g"),
        ).fetchall()
        return rows[0]["id"] if len(rows) == 1 else None

    def article_state(self, article_id: str) -> tuple[str, str | None, str] | None:
        """(content hash, duplicate_of, metadata key) of a stored article."""
        row = self.conn.execute(
            "SELECT content_hash, duplicate_of, meta FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return (row[0], row[1], meta_key(json.loads(row[2]))) if row else None

    def duplicates_of(self, article_id: str) -> list[str]:
        """Ids stored as exact copies of this article, oldest first."""
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE duplicate_of = ? ORDER BY rowid", (article_id,)
        ).fetchall()
        return [r[0] for r in rows]

    def near_duplicate(
        self, sig: bytes, exclude: str | None = None, threshold: float = NEAR_THRESHOLD
    ) -> tuple[str, float] | None:
        """The stored original most similar to a signature, if at least `threshold`
        similar: candidates share an LSH band, then the full signatures decide (ties go
        to the oldest article)."""
        found = sorted(self._band_index().candidates(sig))
        rows = rows_in(
            self.conn, "SELECT m.article_id, m.signature, a.rowid AS seq FROM article_minhash m "
            "JOIN articles a ON a.id = m.article_id WHERE m.rowid IN ({marks})", found)
        rows.sort(key=lambda r: r["seq"])
        best: tuple[str, float] | None = None
        for article_id, other, _ in rows:
            if article_id == exclude:
                continue
            score = similarity(sig, other)
            if score >= threshold and (best is None or score > best[1]):
                best = (article_id, score)
        return best

    def _band_index(self) -> BandIndex:
        """The LSH index, with the signatures stored since it was last read (by this
        or another process). Rebuilt when the table shrank below what it has seen."""
        top = self.conn.execute("SELECT max(rowid) FROM article_minhash").fetchone()[0] or 0
        if self._bands is None or top < self._bands_seen:
            self._bands, self._bands_seen = BandIndex(), 0
        if top > self._bands_seen:
            rows = self.conn.execute(
                "SELECT rowid, signature FROM article_minhash WHERE rowid > ? ORDER BY rowid",
                (self._bands_seen,)).fetchall()
            self._bands.add([r[0] for r in rows], [r[1] for r in rows])
            self._bands_seen = rows[-1][0] if rows else top
        return self._bands

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (before many readers start)."""
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def find_by_hash(self, content_hash: str) -> str | None:
        row = self.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND duplicate_of IS NULL "
            "ORDER BY rowid LIMIT 1",
            (content_hash,),
        ).fetchone()
        return row["id"] if row else None

    def put_article(self, article: Article, enrichment: Enrichment | None) -> None:
        self.put_rows(article_rows(article, enrichment))

    def put_rows(self, rows: ArticleRows, *, new: bool = False) -> None:
        """Insert or replace an article from its prepared rows (`new`: skip the deletes)."""
        with self.transaction():
            if not new:
                self._delete_article_rows(rows.id)
            self.conn.execute(
                "INSERT INTO articles (id, url, title, source, published_at, published_utc, "
                "content_hash, duplicate_of, text, sentences, meta, ingested_at, facets) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*rows.article, datetime.now(UTC).isoformat(), rows.facets),
            )
            if rows.enrichment is not None:
                self.conn.execute(
                    "INSERT OR REPLACE INTO enrichments (article_id, version, data) "
                    "VALUES (?, ?, ?)", rows.enrichment,
                )
                self.conn.executemany(
                    "INSERT OR REPLACE INTO article_tags (article_id, tag, label, grp, score, "
                    "published_utc) VALUES (?, ?, ?, ?, ?, ?)", rows.tags,
                )
                self.conn.executemany(
                    "INSERT OR REPLACE INTO article_places (article_id, place, mentions, "
                    "published_utc) VALUES (?, ?, ?, ?)", rows.places,
                )
                self.conn.executemany(
                    "INSERT OR REPLACE INTO article_figures (article_id, n, sentence, subject, "
                    "unit, value, value_high, kind, direction, period_year, published_utc, "
                    "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.figures,
                )
            if rows.signature is not None:
                self.conn.execute(
                    "INSERT OR REPLACE INTO article_minhash (article_id, signature) "
                    "VALUES (?, ?)", (rows.id, rows.signature),
                )

    def _delete_article_rows(self, article_id: str) -> None:
        self._cache.pop(article_id, None)
        self._enrichments.pop(article_id, None)
        self._prior_facts.pop(article_id, None)
        for table, column in (
            ("articles", "id"), ("enrichments", "article_id"), ("article_tags", "article_id"),
            ("article_places", "article_id"), ("article_figures", "article_id"),
            ("briefs", "article_id"), ("article_minhash", "article_id"),
            ("embeddings", "article_id"),
        ):
            self.conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (article_id,))

    def figure_series(
        self, subject_words: list[str], unit: str | None = None, limit: int = 200
    ) -> list[FigurePoint]:
        """Figures whose subject contains every word (prefix match), oldest first."""
        where, params = ["1=1"], []
        for word in subject_words:
            where.append("lower(f.subject) LIKE ?")
            params.append(f"%{word.lower()}%")
        if unit:
            where.append("f.unit = ?")
            params.append(unit)
        else:  # durations ("over two months") describe periods, not the subject
            where.append("coalesce(f.unit, '') NOT IN ('year', 'month', 'week', 'day', 'hour', "
                         "'minute', 'second', 'decade')")
        rows = self.conn.execute(
            "SELECT f.article_id, a.title, a.source, a.published_at, f.data "
            "FROM article_figures f JOIN articles a ON a.id = f.article_id "
            f"WHERE {' AND '.join(where)} AND a.duplicate_of IS NULL "
            "ORDER BY f.published_utc IS NULL, f.published_utc, f.article_id, f.n LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [
            FigurePoint(
                article_id=r["article_id"], title=r["title"], source=r["source"],
                published_at=datetime.fromisoformat(r["published_at"])
                if r["published_at"] else None,
                figure=Figure.model_validate_json(r["data"]),
            )
            for r in rows
        ]

    def get_enrichment(self, article_id: str) -> Enrichment | None:
        row = self.conn.execute(
            "SELECT data FROM enrichments WHERE article_id = ?", (article_id,)
        ).fetchone()
        return Enrichment.model_validate_json(row["data"]) if row else None

    def get_enrichments(self, ids: list[str]) -> dict[str, Enrichment]:
        """Enrichments of several articles (those the store has), parsed once and cached."""
        return self._parsed_enrichments(ids, Enrichment, self._enrichments)

    def get_prior_facts(self, ids: list[str]) -> dict[str, PriorFacts]:
        """The figures and cue roles of several articles' enrichments (what a brief reads
        of earlier coverage), parsed without the rest and cached like the articles."""
        return self._parsed_enrichments(ids, PriorFacts, self._prior_facts)

    def _parsed_enrichments(
        self, ids: list[str], model: type[ModelT], cache: dict[str, ModelT]
    ) -> dict[str, ModelT]:
        out = {i: cache[i] for i in ids if i in cache}
        missing = [i for i in ids if i not in out]
        if missing:
            for row in rows_in(self.conn, "SELECT article_id, data FROM enrichments "
                               "WHERE article_id IN ({marks})", missing):
                parsed = out[row["article_id"]] = model.model_validate_json(row["data"])
                if len(cache) >= self.enrichment_cache:
                    cache.pop(next(iter(cache)))
                cache[row["article_id"]] = parsed
        return out

    # --- briefs -------------------------------------------------------------------------

    def put_brief(self, brief: Brief) -> None:
        self.put_brief_json(brief.article_id, brief.engine, brief.created_at.isoformat(),
                            brief.model_dump_json())

    def put_brief_json(self, article_id: str, engine: str, created_at: str, data: str) -> None:
        """Store a brief already serialised (by a worker process)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO briefs (article_id, engine, created_at, data) "
            "VALUES (?, ?, ?, ?)",
            (article_id, engine, created_at, data),
        )

    def get_brief(self, article_id: str, engine: str = "extractive") -> Brief | None:
        row = self.conn.execute(
            "SELECT data FROM briefs WHERE article_id = ? AND engine = ?", (article_id, engine)
        ).fetchone()
        return Brief.model_validate_json(row["data"]) if row else None

    # --- retrieval ----------------------------------------------------------------------

    def related_before(
        self,
        article_id: str,
        tags: list[str],
        places: list[str],
        before: datetime | None,
        limit: int,
    ) -> list[str]:
        """Earlier articles sharing tags (a country pair weighs 3) and places (0.5 each),
        overlap discounted by age (half-life one year).

        Candidates are the newest articles before `before` on each tag and place (an
        index range scan, so the cost does not grow with the store), then scored.
        """
        if not tags and not places:
            return []
        cutoff = utc_text(before) if before is not None else "9999"
        per_key = max(limit * 4, 20)
        weights: dict[str, float] = {}
        published: dict[str, str | None] = {}
        for table, column, keys in (
            ("article_tags", "tag", tags), ("article_places", "place", places)
        ):
            for key in keys:
                rows = self.conn.execute(
                    f"SELECT article_id, published_utc FROM {table} WHERE {column} = ? "
                    "AND published_utc < ? ORDER BY published_utc DESC LIMIT ?",
                    (key, cutoff, per_key),
                ).fetchall()
                w = 0.5 if table == "article_places" else (
                    3.0 if key.startswith("pair:") else 1.0)
                for row in rows:
                    if row[0] == article_id:
                        continue
                    weights[row[0]] = weights.get(row[0], 0.0) + w
                    published[row[0]] = row[1]
        reference = before or datetime.now(UTC)

        def weight(i: str) -> float:
            when = published.get(i)
            if not when:
                return weights[i] * 0.5
            age = (reference - _parse_utc(when)).days
            return weights[i] * 0.5 ** (max(age, 0) / RECENCY_HALF_LIFE_DAYS)

        ranked = sorted(weights, key=lambda i: (-weight(i), i))
        return ranked[:limit]

    @staticmethod
    def _filters(f: SearchFilters) -> tuple[list[str], list[str | None]]:
        filters: list[str] = ["a.duplicate_of IS NULL"]
        params: list[str | None] = []
        if f.tag:
            filters.append(
                "EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND "
                "(t.tag = ? OR t.label = ? COLLATE NOCASE))"
            )
            params += [f.tag, f.tag]
        if f.entity:
            filters.append(
                "EXISTS (SELECT 1 FROM article_places p WHERE p.article_id = a.id AND "
                "p.place = ? COLLATE NOCASE)"
            )
            params.append(f.entity)
        if f.source:
            filters.append("a.source LIKE ?")
            params.append(f"%{f.source}%")
        if f.since:
            filters.append("a.published_utc >= ?")
            params.append(utc_text(f.since))
        if f.until:
            filters.append("a.published_utc <= ?")
            params.append(utc_text(f.until))
        return filters, params

    def search(
        self, query: str, filters: SearchFilters = NO_FILTERS, limit: int = 10
    ) -> list[SearchHit]:
        if fts_query(query):
            return self.hits(self.rank(query, filters, limit), query)
        where, params = self._filters(filters)
        rows = self.conn.execute(
            f"SELECT a.id, a.title, a.source, a.published_at, {_TAGS_SQL} AS tags, "
            "substr(a.text, 1, 160) AS snip FROM articles a "
            f"WHERE {' AND '.join(where)} ORDER BY a.published_utc DESC LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [_hit(r, 0.0) for r in rows]  # a listing, not a ranking

    def rank(
        self, query: str, filters: SearchFilters = NO_FILTERS, limit: int = 10
    ) -> list[tuple[str, float]]:
        """(article id, BM25 score) of the best keyword matches passing the filters.

        Only ids and scores: the ORDER BY evaluates its columns for every matching row,
        so snippets and tags (`hits`) are made for the rows kept, not for all of them."""
        words = fts_query(query)
        if not words:
            return []
        years = filter_years(filters, self._last_year()) if filters.since else []
        match = filtered_match(words, filters, years)
        where, params = self._filters(filters)
        found = self._rank_fts_first(match, where, params, limit)
        if found is not None:
            return found
        rows = self.conn.execute(
            f"SELECT a.id, {_BM25} AS rank "
            "FROM article_fts JOIN articles a ON a.rowid = article_fts.rowid "
            f"WHERE article_fts MATCH ? AND {' AND '.join(where)} "
            "ORDER BY rank, a.rowid LIMIT ?",
            [match, *params, limit],
        ).fetchall()
        return [(r[0], -float(r[1])) for r in rows]

    def _rank_fts_first(
        self, match: str, filters: list[str], params: list[str | None], limit: int,
    ) -> list[tuple[str, float]] | None:
        """The best `limit` matches passing `filters`, ranked inside FTS5 (no article row
        read per match: 3-5 times faster for common words at 100,000 articles), then
        checked against `filters` best first, a chunk at a time, until `limit` pass.
        `match` carries the filters' facet tokens when they name a tag, a place or a
        short date range, so FTS5 scores only matches that can pass.

        Without a filter (but "originals only") the top `limit` rows normally all pass;
        with one, FIRST_WINDOW_FACTOR x `limit` rows are ranked first (enough when a
        quarter pass, as most do once the facet tokens have narrowed the matches), then,
        if too few passed, up to FILTERED_WINDOW. Keeping 5,000 rows costs a third more
        than keeping 400 for the same matches (the sort and the rows handed to Python).
        The answer is exactly the joined query's whenever `limit` rows pass or the
        window holds every match; otherwise (a very selective filter, or an index out of
        step with its articles: the triggers index originals only) None, and the caller
        runs the joined query."""
        windows = [limit]
        if params:
            windows = sorted({min(limit * FIRST_WINDOW_FACTOR, FILTERED_WINDOW),
                              max(limit, FILTERED_WINDOW)})
        ids: dict[int, str] = {}
        checked: set[int] = set()

        def check(chunk: list[int]) -> dict[int, str]:
            fresh = [r for r in chunk if r not in checked]
            checked.update(fresh)
            ids.update(self._passing("rowid", fresh, filters, params))
            return ids

        for window in windows:
            top = self.conn.execute(
                f"SELECT rowid, {_BM25} AS rank FROM article_fts "
                "WHERE article_fts MATCH ? ORDER BY rank, rowid LIMIT ?", (match, window),
            ).fetchall()
            score = {r[0]: -float(r[1]) for r in top}
            passing = first_passing([r[0] for r in top], limit, check)
            if len(passing) >= limit or len(top) < window:
                return [(ids[r], score[r]) for r in passing]
        return None

    def _last_year(self) -> int | None:
        """The latest publication year (UTC) stored: one step down an index."""
        last = self.conn.execute("SELECT max(published_utc) FROM articles").fetchone()[0]
        return int(last[:4]) if last else None

    def facet_keys(self, filters: SearchFilters, most: int | None = None) -> np.ndarray | None:
        """Ascending store keys (rowids) of the originals carrying the filters' tag and
        place tokens: a superset of those passing, read from one FTS5 doclist (about
        5 ms for 20,000 of 100,000 articles). None when the filters name neither, or
        when more than `most` articles carry them (too broad to be worth reading)."""
        match = facet_match(filters)
        if match is None:
            return None
        text = self.conn.execute(
            "SELECT group_concat(rowid) FROM (SELECT rowid FROM article_fts "
            "WHERE article_fts MATCH ? ORDER BY rowid LIMIT ?)",
            (match, -1 if most is None else most + 1)).fetchone()[0]
        if not text:
            return np.zeros(0, dtype=np.int64)
        keys = np.fromstring(text, dtype=np.int64, sep=",")  # 7x faster than split
        return None if most is not None and len(keys) > most else keys

    def filter_ids(self, ids: list[str], filters: SearchFilters) -> set[str]:
        """Which of `ids` are originals passing the filters."""
        if not ids:
            return set()
        where, params = self._filters(filters)
        return {article_id for _, article_id in self._passing("id", ids, where, params)}

    def _passing(
        self, key: str, values: list[Any], where: list[str], params: list[str | None]
    ) -> list[tuple[Any, str]]:
        """(key, article id) of the articles whose `key` column ("id" or "rowid") is one
        of `values` and that pass `where`."""
        return [(r[0], r[1]) for r in rows_in(
            self.conn, f"SELECT a.{key}, a.id FROM articles a WHERE a.{key} IN ({{marks}}) "
            f"AND {' AND '.join(where)}", values, params)]

    def hits(self, scored: list[tuple[str, float]], query: str = "") -> list[SearchHit]:
        """Search hits for (article id, score) pairs, in the given order; the snippet marks
        the query's words where FTS finds them, else it is the article's opening."""
        if not scored:
            return []
        ids = [i for i, _ in scored]
        rows = {r["id"]: r for r in rows_in(
            self.conn, f"SELECT a.id, a.title, a.source, a.published_at, {_TAGS_SQL} AS tags, "
            "substr(a.text, 1, 160) AS snip FROM articles a WHERE a.id IN ({marks})", ids)}
        snippets: dict[str, str] = {}
        words = fts_query(query)
        if words:
            for r in rows_in(
                self.conn, "SELECT a.id, snippet(article_fts, 1, '**', '**', ' … ', 20) AS snip "
                "FROM article_fts JOIN articles a ON a.rowid = article_fts.rowid "
                "WHERE a.id IN ({marks}) AND article_fts MATCH ?", ids, [words],
            ):
                snippets[r["id"]] = r["snip"]
        out = []
        for article_id, score in scored:
            row = rows.get(article_id)
            if row is not None:
                out.append(_hit(row, score, snippets.get(article_id)))
        return out

    # --- stories ------------------------------------------------------------------------

    def story_links(self) -> list[tuple[str, str]]:
        """(article id, story id) of every assigned article, in arrival order."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT article_id, story_id FROM story_members ORDER BY seq")]

    def unassigned_originals(self) -> list[str]:
        """Originals with an enrichment that no story holds yet, in stored order."""
        return [r[0] for r in self.conn.execute(
            "SELECT a.id FROM articles a JOIN enrichments e ON e.article_id = a.id "
            "WHERE a.duplicate_of IS NULL AND NOT EXISTS (SELECT 1 FROM story_members m "
            "WHERE m.article_id = a.id) ORDER BY a.rowid")]

    def link_story(self, article_id: str, story_id: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO story_members (article_id, story_id, seq) VALUES "
            "(?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM story_members))",
            (article_id, story_id),
        )

    def put_story(self, story: Story) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO stories (id, label, first_seen, last_seen, size, data, "
            "related) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (story.id, story.label, utc_text(story.first_seen), utc_text(story.last_seen),
             len(story.article_ids), story.model_dump_json(), " ".join(story.related)),
        )

    def list_stories(self, limit: int = 50) -> list[Story]:
        """Stories, most recently active first (undated last), larger first on ties."""
        rows = self.conn.execute(
            "SELECT data FROM stories ORDER BY last_seen IS NULL, last_seen DESC, size DESC, "
            "id LIMIT ?", (limit,),
        ).fetchall()
        return [Story.model_validate_json(r[0]) for r in rows]

    def stored_related(self) -> dict[str, list[str]]:
        """Story id -> the related stories its stored record lists, where it lists any."""
        return {r[0]: r[1].split() for r in self.conn.execute(
            "SELECT id, related FROM stories WHERE related != ''")}

    def get_story(self, story_id: str) -> Story | None:
        row = self.conn.execute("SELECT data FROM stories WHERE id = ?", (story_id,)).fetchone()
        return Story.model_validate_json(row[0]) if row else None

    def resolve_story(self, prefix: str) -> str | None:
        prefix = prefix.strip().lower()
        if not re.fullmatch(r"s?[0-9a-f]{4,15}", prefix):
            return None
        if not prefix.startswith("s"):
            prefix = "s" + prefix
        rows = self.conn.execute(
            "SELECT id FROM stories WHERE id >= ? AND id < ? LIMIT 2", (prefix, prefix + "g"),
        ).fetchall()
        return rows[0][0] if len(rows) == 1 else None

    def story_of(self, article_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def stories_of(self, article_ids: list[str]) -> dict[str, str]:
        """The story of each of these articles that has one."""
        return {r[0]: r[1] for r in rows_in(
            self.conn, "SELECT article_id, story_id FROM story_members WHERE article_id IN "
            "({marks})", article_ids)}

    def story_before(self, article_id: str, before: datetime | None, limit: int) -> list[str]:
        """Members of the article's story published before `before`, newest first; when
        either date is missing, members that arrived earlier, latest arrival first."""
        rows = self.conn.execute(
            "SELECT m.article_id FROM story_members s JOIN story_members m ON "
            "m.story_id = s.story_id JOIN articles a ON a.id = m.article_id "
            "WHERE s.article_id = ? AND m.article_id != s.article_id AND "
            "a.duplicate_of IS NULL AND CASE WHEN ? IS NULL OR a.published_utc IS NULL "
            "THEN m.seq < s.seq ELSE a.published_utc < ? END "
            "ORDER BY a.published_utc IS NULL, a.published_utc DESC, m.seq DESC LIMIT ?",
            (article_id, utc_text(before), utc_text(before), limit),
        ).fetchall()
        return [r[0] for r in rows]

    def related_story_before(
        self, article_id: str, before: datetime | None, limit: int
    ) -> list[str]:
        """For each story related to the article's own (best first), its latest arrival
        published (or, undated, arrived) before `before`: the running story it continues."""
        row = self.conn.execute(
            "SELECT s.related FROM story_members m JOIN stories s ON s.id = m.story_id "
            "WHERE m.article_id = ?", (article_id,)).fetchone()
        out: list[str] = []
        for story_id in (row[0].split() if row and row[0] else []):
            latest = self.conn.execute(
                "SELECT m.article_id FROM story_members m JOIN articles a ON a.id = m.article_id "
                "WHERE m.story_id = ? AND m.article_id != ? AND a.duplicate_of IS NULL AND "
                "CASE WHEN ? IS NULL OR a.published_utc IS NULL THEN m.seq < coalesce(("
                "SELECT seq FROM story_members WHERE article_id = ?), m.seq + 1) "
                "ELSE a.published_utc < ? END "
                # Latest arrival first, read off the (story, seq) index: a related story
                # can hold thousands of members, and arrival follows dates on a feed.
                "ORDER BY m.seq DESC LIMIT 1",
                (story_id, article_id, utc_text(before), article_id, utc_text(before)),
            ).fetchone()
            if latest is not None:
                out.append(latest[0])
                if len(out) == limit:
                    break
        return out

    def story_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])

    # --- embeddings ---------------------------------------------------------------------

    def missing_embeddings(self, model: str, limit: int) -> list[tuple[str, str, str]]:
        """(id, title, text) of originals without a vector from `model`, stored order."""
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.text FROM articles a WHERE a.duplicate_of IS NULL AND "
            "NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.article_id = a.id AND "
            "e.model = ?) ORDER BY a.rowid LIMIT ?", (model, limit),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def vectors_by_key(self, model: str, keys: list[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        rows = self.conn.execute(
            f"SELECT key, vector FROM embeddings WHERE model = ? AND key IN "
            f"({','.join('?' * len(keys))})", [model, *keys],
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    def put_embeddings(self, model: str, rows: list[tuple[str, str, bytes, int]]) -> None:
        """Store (article id, content key, float32 bytes, dim) rows."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO embeddings (article_id, model, key, dim, vector) "
            "VALUES (?, ?, ?, ?, ?)",
            [(a, model, k, d, v) for a, k, v, d in rows],
        )

    def change_stamp(self) -> tuple[int, int]:
        """Differs whenever the database may have changed since it was last read: commits
        by other connections (`PRAGMA data_version`) and rows this one changed. Lets a
        reader keep what it derived (the vector matrix) without counting rows each time."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return int(version), self.conn.total_changes

    def embedding_models(self) -> list[tuple[str, int]]:
        """(model, vectors) of every model with stored vectors, most vectors first."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT model, count(*) AS n FROM embeddings GROUP BY model ORDER BY n DESC, model")]

    def embedding_version(self, model: str) -> tuple[int, int]:
        """(count, highest rowid) of a model's vectors: changes whenever vectors do."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(max(rowid), 0) FROM embeddings WHERE model = ?", (model,)
        ).fetchone()
        return int(row[0]), int(row[1])

    def embedding_matrix(self, model: str) -> EmbeddingMatrix:
        """The vectors `model` has for originals, one row each, in store-key order, with
        their ids, store keys (rowids, as `facet_keys` gives) and publication times."""
        rows = self.conn.execute(
            "SELECT e.article_id, e.vector, e.dim, a.rowid, a.published_utc FROM embeddings e "
            "JOIN articles a ON a.id = e.article_id WHERE e.model = ? AND "
            "a.duplicate_of IS NULL ORDER BY a.rowid", (model,),
        ).fetchall()
        if not rows:
            return EmbeddingMatrix([], np.zeros(0, dtype=np.int64),
                                   np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.int64))
        dim = int(rows[0][2])
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(-1, dim)
        return EmbeddingMatrix(
            [r[0] for r in rows], np.array([r[3] for r in rows], dtype=np.int64), matrix,
            np.array([epoch_us(r[4]) for r in rows], dtype=np.int64))

    def get_embedding(self, article_id: str, model: str) -> np.ndarray | None:
        row = self.conn.execute(
            "SELECT vector FROM embeddings WHERE article_id = ? AND model = ?",
            (article_id, model),
        ).fetchone()
        return np.frombuffer(row[0], dtype=np.float32) if row else None

    # --- quarantine & stats -------------------------------------------------------------

    def quarantine(self, origin: str, reason: str, payload: bytes | None = None) -> int:
        cur = self.conn.execute(
            "INSERT INTO quarantine (origin, reason, created_at, payload, payload_size) "
            "VALUES (?, ?, ?, ?, ?)",
            (origin, reason, datetime.now(UTC).isoformat(), payload,
             len(payload) if payload is not None else None),
        )
        return int(cur.lastrowid or 0)

    def list_quarantine(self, limit: int = 100) -> list[QuarantineItem]:
        rows = self.conn.execute(
            "SELECT id, origin, reason, created_at, payload_size FROM quarantine "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            QuarantineItem(
                id=r["id"], origin=r["origin"], reason=r["reason"],
                created_at=datetime.fromisoformat(r["created_at"]),
                payload_size=r["payload_size"],
            )
            for r in rows
        ]

    def stats(self) -> dict[str, int]:
        one = lambda sql: int(self.conn.execute(sql).fetchone()[0])  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles WHERE duplicate_of IS NULL"),
            "duplicates": one("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            "briefs": one("SELECT count(*) FROM briefs"),
            # open rows: one a retry resolved is no longer in quarantine
            "quarantined": one("SELECT count(*) FROM quarantine WHERE resolved_at IS NULL"),
        }


_TAGS_SQL = (
    "(SELECT group_concat(label, '|') FROM "
    "(SELECT label FROM article_tags WHERE article_id = a.id ORDER BY score DESC))"
)


def _hit(r: sqlite3.Row, score: float, snippet: str | None = None) -> SearchHit:
    return SearchHit(
        article_id=r["id"],
        title=r["title"],
        source=r["source"],
        published_at=datetime.fromisoformat(r["published_at"]) if r["published_at"] else None,
        # Four significant digits: BM25 gives words in most articles scores near zero,
        # which rounding to four places showed as "score 0" (or "-0").
        score=float(f"{score:.4g}") if score else 0.0,
        snippet=" ".join((snippet or r["snip"] or "").split()),
        tags=r["tags"].split("|") if r["tags"] else [],
    )


@lru_cache(maxsize=65536)
def _parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _statements(script: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    out, buf = [], ""
    for line in script.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
