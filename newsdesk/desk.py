"""The Desk: the one object the CLI (and later the web layer) talks to.

It owns the store and the loaded resources (taxonomy, gazetteer) and strings the pure
pipeline stages together: read -> prepare -> analyze -> store, and article -> brief. Every
policy decision that is not a pure transformation lives here: what counts as a duplicate,
what goes to quarantine, which earlier articles a brief may draw on.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import Gazetteer, default_gazetteer
from newsdesk.analyze.topics import Taxonomy, cached_taxonomy
from newsdesk.brief.compose import compose_brief, make_lookup
from newsdesk.brief.verify import verify_brief
from newsdesk.config import ENGINES, Settings
from newsdesk.errors import InputError, NewsdeskError, NotFoundError, StoreError
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.sources import Unit, expand, read_unit, with_stdin
from newsdesk.models import (
    NO_FILTERS,
    Article,
    Brief,
    CitedSentence,
    Enrichment,
    Figure,
    FigurePoint,
    IngestOutcome,
    IngestReport,
    PriorArticle,
    QuarantineItem,
    RawDocument,
    SearchFilters,
    SearchHit,
    Story,
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
from newsdesk.relate.embed import (
    Embedder,
    HashingEmbedder,
    content_key,
    default_embedder,
    embedding_text,
)
from newsdesk.relate.stories import FEED_SETTINGS, StoryIndex
from newsdesk.relate.vectors import RRF_K, VectorIndex, rrf
from newsdesk.store.base import Store
from newsdesk.store.chunks import first_passing
from newsdesk.store.rows import epoch_us, story_input, utc_text
from newsdesk.store.sqlite import RELATED_STORIES_SCHEMA, SQLiteStore, has_search_words

log = logging.getLogger(__name__)

PRIOR_ARTICLES = 5
RELATED_STORY_ARTICLES = 1  # of those, at most this many from related stories
_SUBJECT_STOP = frozenset({"the", "a", "an", "of", "to", "in", "on", "for", "and", "from", "by"})
QUARANTINE_PAYLOAD_MAX = 1024 * 1024
BRIEF_BATCH = 200
UnitCallback = Callable[[Unit, list[IngestOutcome]], None]
EMBED_BATCH = 512  # articles a model call sorts by length: less padding than 64 (-15%)
# 'hashing' picks the fast fallback embedder even where MiniLM is installed.
ENV_EMBEDDER = "NEWSDESK_EMBEDDER"
REPLAY_CHUNK = 500
# Hybrid search: candidates taken from each ranking before fusion, and from the vector
# ranking when filters must be checked afterwards.
FUSION_CANDIDATES = 100
FILTERED_CANDIDATES = 2000
# Vector matrices by (database, model): loaded once per process, reloaded on change.
_VECTORS: dict[tuple[str, str], VectorIndex] = {}


@dataclass(frozen=True)
class ArticleView:
    """Everything `show` prints about one stored article."""

    article: Article
    enrichment: Enrichment | None
    brief: Brief


@dataclass(frozen=True)
class StoryView:
    """A story and its figure series: figures whose subject recurs across members."""

    story: Story
    series: dict[str, list[FigurePoint]] = field(default_factory=dict)
    related: list[Story] = field(default_factory=list)  # `story.related`, as records


class Desk:
    """Facade over store + pipeline. Use as a context manager so the store is closed."""

    def __init__(
        self, store: Store, settings: Settings, embedder: Embedder | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self._embedder = embedder
        self._stories: StoryIndex | None = None
        self._dirty_stories: set[str] = set()
        # (store change stamp, vector index) of the last `vectors()` call.
        self._vectors_seen: tuple[tuple[int, int, str], VectorIndex | None] | None = None

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        read_only: bool = False,
        embedder: Embedder | None = None,
    ) -> Desk:
        """Open (or create) the configured database.

        A read-only command on a database that does not exist yet gets an empty in-memory
        store, so `newsdesk brief article.txt` works before anything was ingested and does
        not leave a database file behind.
        """
        settings = settings or Settings.from_env()
        path: str | Path = settings.db_path
        if read_only and not Path(path).exists():
            path = ":memory:"
        store = SQLiteStore(path)
        desk = cls(store, settings, embedder)
        upgraded = store.upgraded_from
        if upgraded is not None and upgraded < RELATED_STORIES_SCHEMA:
            # Records stored before related stories existed get them from a replay now,
            # by whichever command first opens the upgraded store (as the migration is),
            # not whenever their story next changes.
            log.info("upgraded from schema %d: replaying stories for their related ones",
                     upgraded)
            try:
                desk._stories = desk._replay()
            except BaseException:
                desk.close()
                raise
        return desk

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
                self._flush_stories()
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
        with self.store.transaction():
            outcome = self._store_processed(process_document(raw, self.taxonomy,
                                                             self.gazetteer))
            self._flush_stories()
        return outcome

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
        if rows.terms is not None:
            self._assign(rows.id, rows.story_article(), rows.terms)
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
        enrichment = self.analyze(article)
        self.store.put_article(article, enrichment)
        self._assign(article.id, *story_input(article, enrichment))
        for other in copies[1:]:
            copy = self.store.get_article(other)
            if copy is not None:
                linked = copy.model_copy(update={"duplicate_of": article.id})
                self.store.put_article(linked, None)

    def write_briefs(self, article_ids: list[str], *, workers: int = 1) -> int:
        """Compose and store the brief of each stored article; returns how many.

        Briefs are composed story by story: the articles of a story draw on the same
        earlier coverage, which each process then parses once and finds in its caches.
        (In arrival order, a story's articles lie far apart and half of them go to the
        other worker: about 10% more CPU per brief on the 10,000-article benchmark.) A
        brief depends on neither the order nor the process that composes it."""
        now = datetime.now(UTC)
        article_ids = grouped_by_story(article_ids, self.store.stories_of(article_ids))
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

    # --- stories ----------------------------------------------------------------------

    @property
    def story_index(self) -> StoryIndex:
        """The online story index of this desk, rebuilt on first use by replaying the
        stored links in arrival order; originals no story holds yet (stored before
        stories existed, or by another path) are then assigned and persisted."""
        if self._stories is None:
            self._stories = self._replay()
        return self._stories

    def _replay(self) -> StoryIndex:
        index = StoryIndex(FEED_SETTINGS)
        links = self.store.story_links()
        moved = 0
        for start in range(0, len(links), REPLAY_CHUNK):
            chunk = links[start:start + REPLAY_CHUNK]
            for (_, stored), sid in zip(chunk, self._replay_ids(
                    index, [a for a, _ in chunk]), strict=True):
                if sid is not None and sid != stored:
                    moved += 1
        if moved:
            log.warning("%d stored story links differ from the replay", moved)
        self._stories = index
        missing = self.store.unassigned_originals()
        with self.store.transaction():
            for start in range(0, len(missing), REPLAY_CHUNK):
                ids = missing[start:start + REPLAY_CHUNK]
                for article_id, sid in zip(ids, self._replay_ids(index, ids), strict=True):
                    if sid is not None:
                        self.store.link_story(article_id, sid)
                        self._dirty_stories.add(sid)
            self._dirty_stories |= _stale_related(index.related(), self.store.stored_related())
            self._flush_stories()
        return index

    def _replay_ids(self, index: StoryIndex, ids: list[str]) -> list[str | None]:
        articles = self.store.get_articles(ids)
        enrichments = self.store.get_enrichments(ids)
        out: list[str | None] = []
        for article_id in ids:
            article, enrichment = articles.get(article_id), enrichments.get(article_id)
            if article is None or enrichment is None or article.duplicate_of:
                out.append(None)
                continue
            out.append(index.add(*story_input(article, enrichment)))
        return out

    def _assign(self, article_id: str, story_article: Any, terms: Any) -> None:
        """Story assignment of a stored original, in arrival order (single writer)."""
        sid = self.story_index.add(story_article, terms)
        self.store.link_story(article_id, sid)
        self._dirty_stories.add(sid)

    def _flush_stories(self) -> None:
        """Write the records of the stories that changed (once per unit, not per article:
        a record lists every member)."""
        if self._stories is None or not self._dirty_stories:
            return
        for sid in sorted(self._dirty_stories):
            self.store.put_story(self._stories.story(sid))
        self._dirty_stories.clear()

    def stories(self, limit: int = 50) -> list[Story]:
        """Stories, most recently active first."""
        if limit < 1:
            raise InputError("--limit must be at least 1")
        return self.store.list_stories(limit)

    def resolve_story(self, ref: str) -> str:
        found = self.store.resolve_story(ref)
        if found is None:
            raise NotFoundError(
                f"no story with id '{ref}' (use 'newsdesk stories' to list them)"
            )
        return found

    def story(self, ref: str) -> StoryView:
        """A story with its timeline and the figure series of its members: every figure
        whose subject appears in at least two member articles, in date order."""
        story_id = self.resolve_story(ref)
        story = self.store.get_story(story_id)
        if story is None:
            raise NotFoundError(f"story {story_id} vanished from the store")
        ids = [e.article_id for e in story.timeline]
        articles = self.store.get_articles(ids)
        enrichments = self.store.get_enrichments(ids)
        by_subject: dict[str, list[FigurePoint]] = {}
        for article_id in ids:
            article, enrichment = articles.get(article_id), enrichments.get(article_id)
            if article is None or enrichment is None:
                continue
            for figure in enrichment.figures:
                key = _subject_key(figure)
                if figure.role != "figure" or not key:
                    continue
                by_subject.setdefault(key, []).append(FigurePoint(
                    article_id=article.id, title=article.title, source=article.source,
                    published_at=article.published_at, figure=figure))
        series = {k: v for k, v in by_subject.items()
                  if len({p.article_id for p in v}) >= 2}
        related = [r for r in map(self.store.get_story, story.related) if r is not None]
        return StoryView(story=story, series=series, related=related)

    def rebuild_stories(self) -> list[Story]:
        """Replay every stored link into a fresh index (what a reopened desk does) and
        return its stories, for checking that the stored ones are reproduced."""
        self._stories = None
        return self.story_index.stories()

    # --- embeddings ---------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            kind = os.environ.get(ENV_EMBEDDER, "auto").strip().lower()
            if kind not in ("auto", "hashing"):
                raise InputError(f"{ENV_EMBEDDER}={kind}: use 'auto' or 'hashing'")
            self._embedder = HashingEmbedder() if kind == "hashing" else default_embedder()
        return self._embedder

    def keeps_vectors(self) -> bool:
        """True when the store holds vectors of the model this desk embeds with.

        Then whatever is added should get its vector too (`embed()` after ingest), or
        hybrid search would rank the newest articles on keywords alone. A desk whose user
        never embedded keeps none, and ingest does not load a model for it."""
        models = dict(self.store.embedding_models())
        return bool(models) and self.embedder.name in models

    def embed(
        self, *, batch: int = EMBED_BATCH, on_batch: Callable[[int], None] | None = None
    ) -> dict[str, Any]:
        """Embed every stored original that has no vector from the configured model, in
        batches; a text this model already embedded (another article, an earlier
        version) is copied, not recomputed. Idempotent: a second run embeds nothing."""
        embedder = self.embedder
        model = embedder.name
        embedded = copied = 0
        while True:
            rows = self.store.missing_embeddings(model, batch)
            if not rows:
                break
            texts = [embedding_text(title, text) for _, title, text in rows]
            keys = [content_key(model, t) for t in texts]
            known = self.store.vectors_by_key(model, keys)
            todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
            if todo:
                vectors = embedder.embed(list(todo.values()))
                for k, v in zip(todo, vectors, strict=True):
                    known[k] = np.asarray(v, dtype=np.float32).tobytes()
            with self.store.transaction():
                self.store.put_embeddings(model, [
                    (article_id, k, known[k], embedder.dim)
                    for (article_id, _, _), k in zip(rows, keys, strict=True)])
            embedded += len(todo)
            copied += len(rows) - len(todo)
            if on_batch:
                on_batch(len(rows))
        return {"model": model, "embedded": embedded, "reused": copied,
                "total": self.store.embedding_version(model)[0]}

    def vectors(self) -> VectorIndex | None:
        """The stored vectors of the model search uses (the configured one when it has
        vectors, else the model with most vectors), cached per process."""
        stamp = (*self.store.change_stamp(), self._embedder.name if self._embedder else "")
        if self._vectors_seen is not None and self._vectors_seen[0] == stamp:
            return self._vectors_seen[1]  # nothing changed: skip counting the vectors
        models = dict(self.store.embedding_models())
        if not models:
            self._vectors_seen = (stamp, None)
            return None
        model = next(iter(models))
        if self._embedder is not None and self._embedder.name in models:
            model = self._embedder.name
        key = (self.store.location, model)
        version = self.store.embedding_version(model)
        cached = _VECTORS.get(key)
        if cached is None or cached.version != version:
            em = self.store.embedding_matrix(model)
            cached = _VECTORS[key] = VectorIndex(model, em.ids, em.matrix, version, em.keys,
                                                 em.published)
        self._vectors_seen = (stamp, cached)
        return cached

    def _query_embedder(self, model: str) -> Embedder | None:
        """An embedder that produces `model`'s vectors for a query, if one is at hand."""
        if self._embedder is not None and self._embedder.name == model:
            return self._embedder
        hashing = HashingEmbedder()
        if model == hashing.name:
            return hashing
        try:
            configured = self.embedder
        except NewsdeskError as exc:
            log.warning("no query embedder: %s", exc)
            return None
        return configured if configured.name == model else None

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
        self, article: Article, enrichment: Enrichment, story: list[str] | None = None,
        continued: list[str] | None = None,
    ) -> list[PriorArticle]:
        """Earlier articles for the Background, PRIOR_ARTICLES in all: those of the
        article's own story (the most recent first), then the latest earlier article of
        each related story (up to RELATED_STORY_ARTICLES: the running story it continues,
        which time decay closed), then earlier stored articles on the same tags and
        countries (most related, then most recent first)."""
        ids = list(self._story_before(article) if story is None else story)
        if continued is None:
            continued = self._continued_before(article)
        continued = [i for i in continued if i not in ids]
        ids = ids[:PRIOR_ARTICLES - len(continued)] + continued
        tags = [t.tag for t in enrichment.topics]
        places = [e.canonical or e.name for e in enrichment.entities
                  if e.type in ("country", "bloc") and e.mentions >= 2][:6]
        related = self.store.related_before(
            article.id, tags, places, article.published_at, PRIOR_ARTICLES + 2
        )
        ids += [i for i in related if i not in ids]
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
        facts = self.store.get_prior_facts([prev.id for prev in chosen])
        return [(prev, facts.get(prev.id)) for prev in chosen]

    def _story_before(self, article: Article) -> list[str]:
        """Members of the article's story published before it, newest first."""
        return self.store.story_before(article.id, article.published_at, PRIOR_ARTICLES)

    def _continued_before(self, article: Article) -> list[str]:
        """The latest earlier article of each story related to the article's own."""
        return self.store.related_story_before(article.id, article.published_at,
                                               RELATED_STORY_ARTICLES)

    def brief(self, ref: str, *, save: bool = False, now: datetime | None = None,
              engine: str | None = None) -> Brief:
        """The brief of an article given by path, URL, '-' or stored id, written by
        `engine` ("extractive" or "llm"; default: the settings')."""
        engine = engine or self.settings.engine
        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
        article = self.load(ref)
        state = self.store.article_state(article.id)
        same = state is not None and state[0] == article.content_hash
        stored = self.store.get_enrichment(article.id) if same else None
        enrichment = stored if stored is not None else self.analyze(article)
        story = self._story_before(article)
        continued = self._continued_before(article)
        prior = self.prior_coverage(article, enrichment, story, continued)
        if engine == "llm":
            from newsdesk.llm.engine import llm_brief  # httpx client only when asked for

            brief = llm_brief(article, enrichment, self.gazetteer, prior,
                              settings=self.settings, now=now or datetime.now(UTC),
                              same_story=frozenset(story), continued=frozenset(continued))
        else:
            brief = compose_brief(
                article, enrichment, self.gazetteer, prior, now=now or datetime.now(UTC),
                same_story=frozenset(story), continued=frozenset(continued),
            )
        if save:
            with self.store.transaction():
                if not same:  # new, or a new version of a stored article
                    self.store.put_article(article, enrichment)
                    if not article.duplicate_of:
                        self._assign(article.id, *story_input(article, enrichment))
                        self._flush_stories()
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
        filters: SearchFilters = NO_FILTERS,
        *,
        limit: int = 10,
        mode: str = "hybrid",
    ) -> list[SearchHit]:
        """BM25 (FTS5) fused with vector similarity by reciprocal rank fusion (k=60) when
        the store holds vectors and the query can be embedded; pure BM25 otherwise or
        with mode='bm25'. The score of a fused hit is its RRF score."""
        if limit < 1:
            raise InputError("--limit must be at least 1")
        if filters.since and filters.until and filters.since > filters.until:
            raise InputError("--since is after --until: no article can match")
        if mode not in ("hybrid", "bm25", "vector"):
            raise InputError(f"unknown search mode '{mode}': use hybrid, bm25 or vector")
        if not has_search_words(query):
            if mode == "vector":
                raise InputError("--mode vector needs words to search for; without a query "
                                 "the newest articles are listed by the other modes")
            return self.store.search(query, filters, limit)  # the newest that pass
        index = self.vectors() if mode != "bm25" else None
        embedder = self._query_embedder(index.model) if index is not None else None
        if index is None or embedder is None or not len(index):
            if mode == "vector":
                raise InputError("no vectors to search: run 'newsdesk embed' first")
            return self.store.search(query, filters, limit)
        pool = max(limit, FUSION_CANDIDATES)
        bm25 = [] if mode == "vector" else [
            i for i, _ in self.store.rank(query, filters, pool)]
        query_vector = embedder.embed([query.strip()])[0]
        if filters.active:
            # Score only the rows the filters' tag or place and dates allow, then check
            # the nearest of those against every filter.
            near = index.nearest(query_vector, FILTERED_CANDIDATES,
                                 rows=self._vector_rows(index, filters))
            ids = first_passing([i for i, _ in near], pool,
                                lambda chunk: self.store.filter_ids(chunk, filters))
        else:
            ids = [i for i, _ in index.nearest(query_vector, pool)]
        fused = rrf([bm25, ids[:pool]], k=RRF_K)[:limit]
        return self.store.hits(fused, query)

    def _vector_rows(self, index: VectorIndex, filters: SearchFilters) -> np.ndarray | None:
        """The rows of `index` that may pass `filters` (a superset: ids are checked after),
        from the facet doclist of a tag or place that at most a third of the articles
        carry (reading a broader one costs more than it saves) and from the rows'
        publication times; None when neither narrows anything."""
        mask: np.ndarray | None = None
        keys = self.store.facet_keys(filters, most=len(index) // 3)
        if keys is not None:
            mask = np.zeros(len(index), dtype=bool)
            mask[index.rows_of(keys)] = True
        if filters.since or filters.until:
            dated = index.dated(
                epoch_us(utc_text(filters.since)) if filters.since else None,
                epoch_us(utc_text(filters.until)) if filters.until else None)
            mask = dated if mask is None else mask & dated
        return None if mask is None else np.flatnonzero(mask)

    def similar(self, ref: str, *, limit: int = 10) -> tuple[str, list[SearchHit]]:
        """Articles most like a stored one: by vector similarity when it has a vector,
        else the other members of its story, then keyword overlap with its title and
        lead (BM25). Returns (how they were found, hits)."""
        if limit < 1:
            raise InputError("--limit must be at least 1")
        article_id = self.resolve(ref)
        article = self.store.get_article(article_id)
        if article is None:
            raise NotFoundError(f"article {article_id} vanished from the store")
        if article.duplicate_of:
            article_id = article.duplicate_of
        exclude = {article_id, *self.store.duplicates_of(article_id)}
        index = self.vectors()
        vector = index.vector(article_id) if index is not None else None
        if index is not None and vector is not None:
            return "vectors", self.store.hits(index.nearest(vector, limit, exclude=exclude))
        scored: list[tuple[str, float]] = []
        story_id = self.store.story_of(article_id)
        story = self.store.get_story(story_id) if story_id else None
        if story is not None:
            members = [e.article_id for e in reversed(story.timeline)
                       if e.article_id not in exclude]
            scored = [(i, 1.0) for i in members[:limit]]
        if len(scored) < limit:
            words = re.findall(r"[A-Za-z][\w'-]{3,}", " ".join([article.title,
                                                                  *article.sentences[:2]]))
            query = " OR ".join(dict.fromkeys(w.lower() for w in words))
            seen = exclude | {i for i, _ in scored}
            for hit in self.store.search(query, limit=limit + len(seen)) if query else []:
                if hit.article_id not in seen and len(scored) < limit:
                    scored.append((hit.article_id, hit.score))
        return ("story" if story is not None else "keywords"), self.store.hits(scored)

    def figures(
        self, subject: str, *, unit: str | None = None, limit: int = 200
    ) -> list[FigurePoint]:
        """A figure series across stored articles: figures whose subject mentions every
        content word of `subject` ("exports to Russia" -> export, russia), oldest first."""
        words = subject_words(subject)
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
        location = self.store.location
        if location == ":memory:" and str(self.settings.db_path) != ":memory:":
            # A read command on a desk not created yet (Desk.open, read_only): name the
            # file it would be, not the empty in-memory stand-in.
            location = f"{self.settings.db_path} (not created yet: 'newsdesk ingest' creates it)"
        return {"database": location, **self.store.stats()}

    @staticmethod
    def schema() -> dict[str, Any]:
        return json_schema()


__all__ = ["ArticleView", "Desk", "NewsdeskError", "StoreError"]


def _stale_related(replayed: dict[str, list[str]], stored: dict[str, list[str]]) -> set[str]:
    """Replayed stories whose stored record lists other related stories than the replay
    gives: records written before related stories existed (schema 11 and older), or by
    an older rule."""
    return {sid for sid, related in replayed.items() if related != stored.get(sid, [])}


def grouped_by_story(article_ids: list[str], story_of: dict[str, str]) -> list[str]:
    """The ids with each story's articles together: stories in the order their first
    article comes, articles in their given order; an id without a story stands alone."""
    groups: dict[str, list[str]] = {}
    for i in article_ids:
        groups.setdefault(story_of.get(i, "\0" + i), []).append(i)
    return [i for members in groups.values() for i in members]


def subject_words(subject: str) -> list[str]:
    """The content words of a figure subject, singular: 'exports to Russia' ->
    ['export', 'russia']. Figures match a query, or form one series, by these."""
    return [w.rstrip("s") if len(w) > 4 else w
            for w in re.findall(r"[\w'-]+", subject.lower()) if w not in _SUBJECT_STOP]


def _subject_key(figure: Figure) -> str:
    """Figures are one series when their subjects have the same content words."""
    return " ".join(subject_words(figure.subject or ""))


def _cited_sentences(brief: Brief) -> list[CitedSentence]:
    out = [*brief.summary, *brief.background, *(r.evidence for r in brief.risks)]
    for insight in brief.insights:
        out.append(insight.question)
        out.extend(insight.bullets)
    return out


# Worker side of `Desk.write_briefs`: one read-only desk per worker process and database.
_WORKER_DESKS: dict[str, Desk] = {}
BATCH_BRIEF_CACHE = 4096


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
        # Related coverage recurs across a batch's briefs: keeping 4,096 parsed earlier
        # articles and facts (2,048 and 1,024 by default; up to ~100 MB a worker) took
        # ~5% off a brief on the 10,000-article benchmark.
        desk.store.article_cache = desk.store.enrichment_cache = BATCH_BRIEF_CACHE
    return _serialised(desk.brief(article_id, now=now))
