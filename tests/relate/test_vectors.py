"""Vector retrieval and reciprocal rank fusion."""

import numpy as np
import pytest

from newsdesk.relate.vectors import RRF_K, VectorIndex, rrf
from newsdesk.store.rows import epoch_us


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


def _keyed(n: int = 300, dim: int = 8, seed: int = 3) -> VectorIndex:
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n, dim)).astype(np.float32)
    rows[5] = rows[9]  # a tie, broken by stored order
    keys = np.arange(n, dtype=np.int64) * 3 + 7  # store keys: ascending, with gaps
    return VectorIndex("m", [f"a{i}" for i in range(n)], rows, keys=keys)


@pytest.mark.parametrize("step", [3, 1])  # a third of the rows: gathered; all: masked
def test_nearest_among_rows_is_nearest_over_those_rows_alone(step: int) -> None:
    """A filtered search scores only the given rows: the same answer, scores and tie
    order as the whole ranking with every other row taken out (a third of the rows are
    gathered in blocks smaller than the subset; past half, the whole product is masked)."""
    index = _keyed(5000)
    q = np.random.default_rng(1).normal(size=8).astype(np.float32)
    rows = index.rows_of(index.keys[::step].copy())  # type: ignore[index]
    allowed = {f"a{i}" for i in range(0, 5000, step)}
    whole = [(i, s) for i, s in index.nearest(q, 5000) if i in allowed]
    got = index.nearest(q, 50, rows=rows)
    assert [i for i, _ in got] == [i for i, _ in whole[:50]]
    assert [s for _, s in got] == pytest.approx([s for _, s in whole[:50]], rel=1e-5)
    excluded = {got[0][0], "a1"}
    assert index.nearest(q, 10, exclude=excluded, rows=rows) == [
        (i, s) for i, s in got if i not in excluded][:10]


def test_rows_of_skips_unknown_keys_and_accepts_any_order() -> None:
    index = _keyed(10)
    assert index.rows_of(np.array([7, 8, 34, 10, 10_000, 0])).tolist() == [0, 1, 9]
    assert index.rows_of(np.zeros(0, dtype=np.int64)).tolist() == []
    tie = index.nearest(index.matrix[5], 2, rows=index.rows_of(np.array([34, 22])))
    assert [i for i, _ in tie] == ["a5", "a9"]
    assert index.nearest(np.ones(8), 3, rows=index.rows_of(np.array([1, 2]))) == []


def test_keys_must_be_one_ascending_key_per_row() -> None:
    m = np.eye(3, dtype=np.float32)
    with pytest.raises(ValueError):
        VectorIndex("m", ["a", "b", "c"], m, keys=np.array([1, 3, 2]))
    with pytest.raises(ValueError):
        VectorIndex("m", ["a", "b", "c"], m, keys=np.array([1, 2]))
    with pytest.raises(ValueError):
        VectorIndex("m", ["a", "b", "c"], m).rows_of(np.array([1]))
    with pytest.raises(ValueError):
        VectorIndex("m", ["a", "b", "c"], m, published=np.array([1, 2]))
    with pytest.raises(ValueError):
        VectorIndex("m", ["a", "b", "c"], m).dated(1, None)


def test_dated_rows_follow_the_store_date_filter() -> None:
    """Publication times as microseconds order as the stored UTC texts do; an article
    without a date never passes a `since`, and `since`/`until` are inclusive."""
    texts = ["2023-01-01T00:00:00+00:00", None, "2023-01-01T00:00:00.500000+00:00",
             "2024-06-30T23:59:59+00:00"]
    index = VectorIndex("m", ["a", "b", "c", "d"], np.eye(4, dtype=np.float32),
                        published=np.array([epoch_us(t) for t in texts]))
    start = epoch_us("2023-01-01T00:00:00+00:00")
    assert index.dated(start, None).tolist() == [True, False, True, True]
    assert index.dated(None, epoch_us("2023-01-01T00:00:00.5+00:00")).tolist() == [
        True, True, True, False]
    assert index.dated(None, None).all()
    assert sorted(t for t in texts if t) == sorted(
        (t for t in texts if t), key=epoch_us)  # the integers sort as the texts
