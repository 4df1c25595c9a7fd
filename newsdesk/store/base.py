"""The Store protocol: what the Desk needs from a database, whatever the engine.

SQLite implements it now; a PostgreSQL store (tsvector search, several writers) implements
the same methods later, so nothing above this layer changes.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from newsdesk.models import (
    NO_FILTERS,
    Article,
    Brief,
    Enrichment,
    FigurePoint,
    PriorFacts,
    QuarantineItem,
    SearchFilters,
    SearchHit,
    Story,
)
from newsdesk.store.rows import ArticleRows


class EmbeddingMatrix(NamedTuple):
    """One model's vectors of originals, a row each in store-key order."""

    ids: list[str]
    keys: np.ndarray  # int64 store keys (SQLite rowids), ascending
    matrix: np.ndarray  # float32, one row per id
    published: np.ndarray  # int64 microseconds since the epoch (UTC); rows.NO_DATE when unknown


@runtime_checkable
class Store(Protocol):
    # How many parsed earlier articles, and their facts, the store keeps for briefs.
    article_cache: int
    enrichment_cache: int

    @property
    def location(self) -> str:
        """Where the data lives, for messages (a file path, a server URL)."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes; all or nothing."""
        ...

    def get_article(self, article_id: str) -> Article | None: ...

    def get_articles(self, ids: list[str]) -> dict[str, Article]: ...

    def resolve_id(self, prefix: str) -> str | None:
        """Full id for a unique prefix (at least 6 characters) or a full id."""
        ...

    def article_state(self, article_id: str) -> tuple[str, str | None, str] | None:
        """(content hash, duplicate_of, metadata key) of a stored article."""
        ...

    def duplicates_of(self, article_id: str) -> list[str]:
        """Ids stored as exact copies of this article, oldest first."""
        ...

    def checkpoint(self) -> None:
        """Make committed writes cheap to read for other processes (may do nothing)."""
        ...

    def near_duplicate(
        self, sig: bytes, exclude: str | None = None, threshold: float = ...
    ) -> tuple[str, float] | None:
        """The stored original whose MinHash signature is most similar, if similar enough."""
        ...

    def find_by_hash(self, content_hash: str) -> str | None:
        """Id of the original (non-duplicate) article with this content hash."""
        ...

    def put_article(self, article: Article, enrichment: Enrichment | None) -> None:
        """Insert or replace an article and its enrichment (tags, places) and index it."""
        ...

    def put_rows(self, rows: ArticleRows, *, new: bool = False) -> None:
        """Insert an article from rows prepared by `store.rows.article_rows` (in a worker)."""
        ...

    def get_enrichment(self, article_id: str) -> Enrichment | None: ...

    def get_enrichments(self, ids: list[str]) -> dict[str, Enrichment]: ...

    def get_prior_facts(self, ids: list[str]) -> dict[str, PriorFacts]: ...

    def change_stamp(self) -> tuple[int, int]: ...

    def figure_series(
        self, subject_words: list[str], unit: str | None = None, limit: int = 200
    ) -> list[FigurePoint]:
        """Figures whose subject contains every word, oldest first."""
        ...

    def put_brief(self, brief: Brief) -> None: ...

    def put_brief_json(self, article_id: str, engine: str, created_at: str, data: str) -> None:
        """Store a brief already serialised to JSON (as `Brief.model_dump_json`)."""
        ...

    def get_brief(self, article_id: str, engine: str = "extractive") -> Brief | None: ...

    def related_before(
        self,
        article_id: str,
        tags: list[str],
        places: list[str],
        before: datetime | None,
        limit: int,
    ) -> list[str]:
        """Ids of earlier articles sharing tags/places, most related and recent first."""
        ...

    def search(
        self, query: str, filters: SearchFilters = NO_FILTERS, limit: int = 10
    ) -> list[SearchHit]: ...

    def rank(
        self, query: str, filters: SearchFilters = NO_FILTERS, limit: int = 10
    ) -> list[tuple[str, float]]: ...

    def facet_keys(self, filters: SearchFilters, most: int | None = None) -> np.ndarray | None:
        """Ascending store keys of the originals that may pass the filters' tag and place
        (a superset: `filter_ids` decides); None when the filters name neither or more
        than `most` articles carry them."""
        ...

    def filter_ids(self, ids: list[str], filters: SearchFilters) -> set[str]:
        """Which of `ids` are originals passing the search filters."""
        ...

    def hits(self, scored: list[tuple[str, float]], query: str = "") -> list[SearchHit]:
        """Search hits for (article id, score) pairs, in that order."""
        ...

    # stories
    def story_links(self) -> list[tuple[str, str]]:
        """(article id, story id) in arrival order."""
        ...

    def unassigned_originals(self) -> list[str]: ...

    def link_story(self, article_id: str, story_id: str) -> None: ...

    def put_story(self, story: Story) -> None: ...

    def list_stories(self, limit: int = 50) -> list[Story]: ...

    def stored_related(self) -> dict[str, list[str]]:
        """Story id -> the related stories its stored record lists, where it lists any."""
        ...

    def get_story(self, story_id: str) -> Story | None: ...

    def resolve_story(self, prefix: str) -> str | None: ...

    def story_of(self, article_id: str) -> str | None: ...

    def stories_of(self, article_ids: list[str]) -> dict[str, str]:
        """Article id -> story id, for those of `article_ids` that have a story."""
        ...

    def story_before(self, article_id: str, before: datetime | None, limit: int) -> list[str]:
        """Members of the article's story published (or arrived) before it, newest first."""
        ...

    def related_story_before(
        self, article_id: str, before: datetime | None, limit: int
    ) -> list[str]:
        """The latest earlier member of each story related to the article's own."""
        ...

    def story_count(self) -> int: ...

    # embeddings
    def missing_embeddings(self, model: str, limit: int) -> list[tuple[str, str, str]]: ...

    def vectors_by_key(self, model: str, keys: list[str]) -> dict[str, bytes]: ...

    def put_embeddings(self, model: str, rows: list[tuple[str, str, bytes, int]]) -> None: ...

    def embedding_models(self) -> list[tuple[str, int]]: ...

    def embedding_version(self, model: str) -> tuple[int, int]: ...

    def embedding_matrix(self, model: str) -> EmbeddingMatrix:
        """The vectors of the originals `model` has embedded, with ids, store keys and
        publication times."""
        ...

    def get_embedding(self, article_id: str, model: str) -> np.ndarray | None: ...

    def quarantine(self, origin: str, reason: str, payload: bytes | None = None) -> int: ...

    def list_quarantine(self, limit: int = 100) -> list[QuarantineItem]: ...

    def stats(self) -> dict[str, int]: ...

    def close(self) -> None: ...
