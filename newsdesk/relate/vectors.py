"""Vector retrieval: brute force over an in-memory float32 matrix, and rank fusion.

Exact, by design so far: 100,000 articles x 384 dimensions is about 150 MB of float32,
and one matrix-vector product over it takes 35-50 ms on the 2-core project machine (it is
bound by memory bandwidth), which is most of a search at that size (bench/README.md,
"Search and similar articles"). An approximate index is the next step beyond that. The
matrix is loaded once per process and model, and reloaded only when the store's vectors
change (see `Desk.vectors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

RRF_K = 60


def rrf(rankings: Iterable[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(d) = sum over rankings of 1 / (k + rank), rank from 1.

    Ties keep the order in which documents were first met (the first ranking wins)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    order = {doc: i for i, doc in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


@dataclass
class VectorIndex:
    """Ids and unit-length rows of one embedding model, searched by dot product."""

    model: str
    ids: list[str]
    matrix: np.ndarray
    version: tuple[int, int] = (0, 0)
    _row: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.matrix = np.ascontiguousarray(self.matrix, dtype=np.float32)
        self._row = {article_id: i for i, article_id in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row

    def vector(self, article_id: str) -> np.ndarray | None:
        row = self._row.get(article_id)
        return None if row is None else self.matrix[row]

    def nearest(
        self, query: np.ndarray, k: int, exclude: Iterable[str] = ()
    ) -> list[tuple[str, float]]:
        """The k rows most similar to `query` (cosine), best first; ties by stored order."""
        if not self.ids or k <= 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.matrix.shape[1] or not np.any(q):
            return []
        scores = self.matrix @ q
        skip = [self._row[i] for i in exclude if i in self._row]
        if skip:
            scores[skip] = -np.inf
        want = min(k + len(skip), len(self.ids))
        top = np.argpartition(-scores, want - 1)[:want] if want < len(self.ids) else (
            np.arange(len(self.ids)))
        # Best first, ties by stored order: one C-level sort, not a key call per row.
        ranked = top[np.lexsort((top, -scores[top]))]
        ranked = ranked[np.isfinite(scores[ranked])][:k]
        ids = self.ids
        return [(ids[i], s) for i, s in zip(ranked.tolist(), scores[ranked].tolist(),
                                            strict=True)]
