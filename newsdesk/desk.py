"""The Desk: the one object the CLI (and later the web layer) talks to.

It owns the store and the loaded resources (taxonomy, gazetteer) and strings the pure
pipeline stages together: read -> prepare -> analyze -> store, and article -> brief. Every
policy decision that is not a pure transformation lives here: what counts as a duplicate,
what goes to quarantine, which earlier articles a brief may draw on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import Gazetteer, default_gazetteer
from newsdesk.analyze.topics import Taxonomy, cached_taxonomy
from newsdesk.brief.compose import compose_brief, make_lookup
from newsdesk.brief.verify import verify_brief
from newsdesk.config import Settings
from newsdesk.errors import InputError, NewsdeskError, NotFoundError, StoreError
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.sources import Unit, expand, read_unit, with_stdin
from newsdesk.models import (
    Article,
    Brief,
    CitedSentence,
    Enrichment,
    FigurePoint,
    IngestOutcome,
    IngestReport,
    QuarantineItem,
    RawDocument,
    SearchHit,
    json_schema,
)
from newsdesk.pipeline import (
    PARALLEL_MIN_UNITS,
    Processed,
    map_ordered,
    process_document,
    run_units,
    tune_gc,
)
from newsdesk.store.base import Store
from newsdesk.store.sqlite import SQLiteStore

PRIOR_ARTICLES = 5
_SUBJECT_STOP = frozenset({"the", "a", "an", "of", "to", "in", "on", "for", "and", "from", "by"})
QUARANTINE_PAYLOAD_MAX = 1024 * 1024
BRIEF_BATCH = 200
UnitCallback = Callable[[Unit, list[IngestOutcome]], None]


@dataclass(frozen=True)
class ArticleView:
    """Everything `show` prints about one stored article."""

    article: Article
    enrichment: Enrichment | None
    brief: Brief


class Desk:
    """Facade over store + pipeline. Use as a context manager so the store is closed."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    @classmethod
    def open(cls, settings: Settings | None = None, *, read_only: bool = False) -> Desk:
        """Open (or create) the configured database.

        A read-only command on a database that does not exist yet gets an empty in-memory
        store, so `newsdesk brief article.txt` works before anything was ingested and does
        not leave a database file behind.
        """
        settings = settings or Settings.from_env()
        path: str | Path = settings.db_path
        if read_only and not Path(path).exists():
            path = ":memory:"
        return cls(SQLiteStore(path), settings)

    def __enter__(self) -> Desk:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # --- resources ----------------------------------------------------------------------

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return cached_taxonomy(tuple(self.settings.extra_taxonomies))

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return default_gazetteer()

    def analyze(self, article: Article) -> Enrichment:
        return analyze(article, self.taxonomy, self.gazetteer)

    # --- ingest -------------------------------------------------------------------------

    def plan(self, refs: Iterable[str]) -> list[Unit]:
        """The units (files, URLs, stdin) that `ingest` would read, directories expanded."""
        return expand(list(refs))

    def ingest(
        self,
        refs: Iterable[str | Unit],
        on_unit: UnitCallback | None = None,
        *,
        workers: int = 1,
        briefs: bool = False,
    ) -> IngestReport:
        """Ingest every unit; a bad unit or record is quarantined and the batch goes on.

        Reading, preparing and analysing run in `workers` processes (the pure half of the
        pipeline); deduplication and writes stay here, one transaction per unit, in input
        order, so an interrupted batch loses at most the unit in flight and the result
        does not depend on the number of workers. With `briefs`, a brief is written for
        every accepted article once the batch is stored.
        """
        units: list[Unit] = []
        for ref in refs:
            units.extend([ref] if isinstance(ref, Unit) else self.plan([ref]))
        units = [with_stdin(u, self.settings.max_bytes) for u in units]
        if len(units) >= PARALLEL_MIN_UNITS:
            tune_gc()
        report = IngestReport()
        for unit, processed in run_units(
            units, self.settings.max_bytes, self.settings.extra_taxonomies, workers
        ):
            with self.store.transaction():
                outcomes = [self._store_processed(p) for p in processed]
            report.outcomes.extend(outcomes)
            if on_unit:
                on_unit(unit, outcomes)
        if briefs:
            fresh = [o.article_id for o in report.outcomes
                     if o.status in ("accepted", "updated") and o.article_id]
            self.write_briefs(list(dict.fromkeys(fresh)), workers=workers)
        return report

    def ingest_unit(self, unit: Unit) -> list[IngestOutcome]:
        return self.ingest([unit]).outcomes

    def ingest_document(self, raw: RawDocument) -> IngestOutcome:
        """Prepare, analyse, deduplicate and store one document."""
        return self._store_processed(process_document(raw, self.taxonomy, self.gazetteer))

    def _store_processed(self, p: Processed) -> IngestOutcome:
        """The single-writer half: quarantine, unchanged, duplicate or store."""
        rows = p.rows
        if rows is None:
            return self._quarantine(p.origin, p.error or "unreadable", p.payload)
        existing = self.store.article_state(rows.id)
        if (existing is not None and existing[0] == rows.content_hash
                and existing[2] == rows.meta_key):
            return IngestOutcome(
                origin=p.origin, status="unchanged", article_id=rows.id,
                duplicate_of=existing[1], title=rows.title,
            )
        original = self.store.find_by_hash(rows.content_hash)
        score = 1.0
        if (original is None or original == rows.id) and rows.signature is not None:
            # A syndicated copy with a new headline, or a lightly edited rewrite.
            near = self.store.near_duplicate(rows.signature, exclude=rows.id)
            original, score = near if near else (None, 0.0)
        if original is not None and original != rows.id:
            # A copy under another id (a syndicated story): kept for the record, linked to
            # the original, never analysed, searched, counted or used as background.
            self.store.put_rows(rows.as_duplicate(original), new=existing is None)
            return IngestOutcome(
                origin=p.origin, status="duplicate", article_id=rows.id,
                duplicate_of=original, similarity=round(score, 3), title=rows.title,
            )
        self.store.put_rows(rows, new=existing is None)
        if existing is not None and existing[0] != rows.content_hash:
            self._promote_copies(rows.id)
        return IngestOutcome(
            origin=p.origin, status="updated" if existing else "accepted",
            article_id=rows.id, title=rows.title,
        )

    def _promote_copies(self, article_id: str) -> None:
        """The original's text changed: its exact copies now stand on their own. The
        oldest becomes the original (analysed, searchable); the rest point to it."""
        copies = self.store.duplicates_of(article_id)
        if not copies:
            return
        first = self.store.get_article(copies[0])
        if first is None:
            return
        article = first.model_copy(update={"duplicate_of": None})
        self.store.put_article(article, self.analyze(article))
        for other in copies[1:]:
            copy = self.store.get_article(other)
            if copy is not None:
                linked = copy.model_copy(update={"duplicate_of": article.id})
                self.store.put_article(linked, None)

    def write_briefs(self, article_ids: list[str], *, workers: int = 1) -> int:
        """Compose and store the brief of each stored article; returns how many."""
        now = datetime.now(UTC)
        if workers > 1 and len(article_ids) >= PARALLEL_MIN_UNITS:
            self.store.checkpoint()
            jobs = [(self.settings, i, now) for i in article_ids]
            results: Iterable[Any] = map_ordered(brief_job, jobs, workers, chunksize=32)
        else:
            results = (_serialised(self.brief(i, now=now)) for i in article_ids)
        written = 0
        batch: list[tuple[str, str, str, str]] = []
        for row in results:
            batch.append(row)
            if len(batch) >= BRIEF_BATCH:
                written += self._save_briefs(batch)
        return written + self._save_briefs(batch)

    def _save_briefs(self, batch: list[tuple[str, str, str, str]]) -> int:
        with self.store.transaction():
            for row in batch:
                self.store.put_brief_json(*row)
        n = len(batch)
        batch.clear()
        return n

    def _quarantine(self, origin: str, reason: str, payload: bytes | None) -> IngestOutcome:
        if payload is not None and len(payload) > QUARANTINE_PAYLOAD_MAX:
            payload = payload[:QUARANTINE_PAYLOAD_MAX]
        self.store.quarantine(origin, reason, payload)
        return IngestOutcome(origin=origin, status="quarantined", reason=reason)

    def quarantined(self, limit: int = 100) -> list[QuarantineItem]:
        return self.store.list_quarantine(limit)

    # --- read ---------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """Full article id for an id or unique id prefix; NotFoundError otherwise."""
        found = self.store.resolve_id(ref.strip())
        if found is None:
            raise NotFoundError(
                f"no stored article with id '{ref}' (use 'newsdesk search' to find ids)"
            )
        return found

    def load(self, ref: str) -> Article:
        """A single article from a path, URL or '-', or a stored one by id."""
        if ref != "-" and not Path(ref).exists() and "://" not in ref:
            found = self.store.resolve_id(ref.strip()) if len(ref.strip()) >= 6 else None
            if found is not None:
                article = self.store.get_article(found)
                assert article is not None
                return article
        units = expand([ref])
        if not units:
            raise InputError(f"{ref}: no article files found there")
        docs: list[RawDocument] = []
        for unit in units:
            for item in read_unit(unit, self.settings.max_bytes):
                if isinstance(item, InputError):
                    raise item
                docs.append(item)
        if not docs:
            raise InputError(f"{ref}: no articles in it")
        if len(docs) > 1:
            raise InputError(
                f"{ref} holds {len(docs)} articles; a brief is for one article: "
                "run 'newsdesk ingest' on it, then 'newsdesk brief ID'"
            )
        return prepare(docs[0])

    def prior_coverage(
        self, article: Article, enrichment: Enrichment
    ) -> list[tuple[Article, Enrichment | None]]:
        """Earlier stored articles on the same tags and countries, most related first."""
        tags = [t.tag for t in enrichment.topics]
        places = [e.canonical or e.name for e in enrichment.entities
                  if e.type in ("country", "bloc") and e.mentions >= 2][:6]
        ids = self.store.related_before(
            article.id, tags, places, article.published_at, PRIOR_ARTICLES + 2
        )
        found = self.store.get_articles(ids)
        chosen: list[Article] = []
        for i in ids:
            prev = found.get(i)
            if prev is None or prev.content_hash == article.content_hash:
                continue  # a copy of this very article is not background
            chosen.append(prev)
            if len(chosen) == PRIOR_ARTICLES:
                break
        # Their enrichments carry the figures today's can be compared with.
        enrichments = self.store.get_enrichments([prev.id for prev in chosen])
        return [(prev, enrichments.get(prev.id)) for prev in chosen]

    def brief(self, ref: str, *, save: bool = False, now: datetime | None = None) -> Brief:
        """The extractive brief of an article given by path, URL, '-' or stored id."""
        article = self.load(ref)
        state = self.store.article_state(article.id)
        same = state is not None and state[0] == article.content_hash
        stored = self.store.get_enrichment(article.id) if same else None
        enrichment = stored if stored is not None else self.analyze(article)
        brief = compose_brief(
            article, enrichment, self.gazetteer, self.prior_coverage(article, enrichment),
            now=now or datetime.now(UTC),
        )
        if save:
            with self.store.transaction():
                if not same:  # new, or a new version of a stored article
                    self.store.put_article(article, enrichment)
                self.store.put_brief(brief)
        return brief

    def show(self, ref: str) -> ArticleView:
        article_id = self.resolve(ref)
        article = self.store.get_article(article_id)
        if article is None:
            raise NotFoundError(f"article {article_id} vanished from the store")
        enrichment = self.store.get_enrichment(article_id)
        brief = self.store.get_brief(article_id) or self.brief(article_id)
        return ArticleView(article=article, enrichment=enrichment, brief=brief)

    def search(
        self,
        query: str,
        *,
        tag: str | None = None,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 10,
    ) -> list[SearchHit]:
        if limit < 1:
            raise InputError("--limit must be at least 1")
        if since and until and since > until:
            raise InputError("--since is after --until: no article can match")
        return self.store.search(query, tag=tag, source=source, since=since, until=until,
                                 limit=limit)

    def figures(
        self, subject: str, *, unit: str | None = None, limit: int = 200
    ) -> list[FigurePoint]:
        """A figure series across stored articles: figures whose subject mentions every
        content word of `subject` ("exports to Russia" -> export, russia), oldest first."""
        words = [w.rstrip("s") if len(w) > 4 else w for w in re.findall(r"[\w'-]+", subject.lower())
                 if w not in _SUBJECT_STOP]
        if not words:
            raise InputError("--subject needs at least one content word, e.g. 'exports to Russia'")
        return self.store.figure_series(words, unit=unit, limit=limit)

    def verify(self, brief: Brief) -> Brief:
        """Re-check a brief (e.g. from a file) against the stored articles it cites."""
        ids = sorted({c.article_id for s in _cited_sentences(brief) for c in s.citations}
                     | {kf.citation.article_id for kf in brief.key_figures}
                     | {c.article_id for q in brief.quotes for c in q.citations})
        found = self.store.get_articles(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFoundError(
                f"the brief cites article(s) {', '.join(missing)} that are not in "
                f"{self.store.location}; ingest them first or pass --db"
            )
        return verify_brief(brief, make_lookup(list(found.values())), self.gazetteer)

    def stats(self) -> dict[str, Any]:
        return {"database": self.store.location, **self.store.stats()}

    @staticmethod
    def schema() -> dict[str, Any]:
        return json_schema()


__all__ = ["ArticleView", "Desk", "NewsdeskError", "StoreError"]


def _cited_sentences(brief: Brief) -> list[CitedSentence]:
    out = [*brief.summary, *brief.background, *(r.evidence for r in brief.risks)]
    for insight in brief.insights:
        out.append(insight.question)
        out.extend(insight.bullets)
    return out


# Worker side of `Desk.write_briefs`: one read-only desk per worker process and database.
_WORKER_DESKS: dict[str, Desk] = {}


def _serialised(brief: Brief) -> tuple[str, str, str, str]:
    """What the store keeps of a brief; a string crosses processes far cheaper than
    the model tree."""
    return (brief.article_id, brief.engine, brief.created_at.isoformat(),
            brief.model_dump_json())


def brief_job(job: tuple[Settings, str, datetime]) -> tuple[str, str, str, str]:
    settings, article_id, now = job
    key = str(settings.db_path)
    desk = _WORKER_DESKS.get(key)
    if desk is None:
        desk = _WORKER_DESKS[key] = Desk.open(settings, read_only=True)
    return _serialised(desk.brief(article_id, now=now))
