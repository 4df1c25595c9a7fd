"""Check ranked candidates against a filter a chunk at a time, best first.

Filtered search ranks first (BM25 inside the full-text index, or vector similarity over
the matrix) and filters after: checking a row costs a lookup, so rows are checked in
chunks sized by the pass rate seen so far until enough pass. A loose filter stops after
a few hundred rows; a selective one reads only as far as it must.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

FIRST_CHUNK = 200


def first_passing(
    items: Sequence[T], want: int, check: Callable[[list[T]], Collection[T]]
) -> list[T]:
    """The first `want` of `items`, in order, that `check` lets through (`check` gets a
    chunk and answers with the members of it that pass)."""
    out: list[T] = []
    start, size = 0, max(want, FIRST_CHUNK)
    while start < len(items) and len(out) < want:
        chunk = list(items[start:start + size])
        allowed = check(chunk)
        out.extend(i for i in chunk if i in allowed)
        start += len(chunk)
        rate = max(len(out) / start, 0.02)
        size = max(FIRST_CHUNK, int((want - len(out)) / rate * 1.25))
    return out[:want]
