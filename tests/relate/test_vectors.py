"""Vector retrieval and reciprocal rank fusion."""

import numpy as np
import pytest

from newsdesk.relate.vectors import RRF_K, VectorIndex, rrf


def test_rrf_sums_reciprocal_ranks_with_k_60() -> None:
    fused = dict(rrf([["a", "b", "c"], ["c", "a"]]))
    assert RRF_K == 60
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)
    assert [d for d, _ in rrf([["a", "b", "c"], ["c", "a"]])] == ["a", "c", "b"]


def test_rrf_ties_keep_first_ranking_order_and_handles_empty() -> None:
    assert [d for d, _ in rrf([["x", "y"], ["y", "x"]])] == ["x", "y"]
    assert rrf([[], []]) == []
    assert [d for d, _ in rrf([[], ["q"]])] == ["q"]


def test_vector_index_nearest_excludes_and_orders() -> None:
    m = np.array([[1, 0, 0], [0.8, 0.6, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    index = VectorIndex("m", ["a", "b", "c", "d"], m)
    assert [i for i, _ in index.nearest(np.array([1, 0, 0]), 2)] == ["a", "b"]
    assert [i for i, _ in index.nearest(np.array([1, 0, 0]), 2, exclude={"a"})] == ["b", "c"]
    assert index.nearest(np.zeros(3), 2) == []
    assert index.nearest(np.ones(4), 2) == []  # wrong dimension
    assert "b" in index and index.vector("zz") is None and len(index) == 4


def test_vector_index_nearest_breaks_ties_by_stored_order_and_returns_scores() -> None:
    rows = np.array([[0, 1], [1, 0], [0, 1], [1, 0], [1, 0], [0.6, 0.8]], dtype=np.float32)
    index = VectorIndex("m", ["a", "b", "c", "d", "e", "f"], rows)
    found = index.nearest(np.array([1, 0]), 4)
    assert [i for i, _ in found] == ["b", "d", "e", "f"]
    assert [round(s, 3) for _, s in found] == [1.0, 1.0, 1.0, 0.6]
    assert all(isinstance(s, float) for _, s in found)
    assert [i for i, _ in index.nearest(np.array([1, 0]), 10, exclude={"d"})] == [
        "b", "e", "f", "a", "c"]
