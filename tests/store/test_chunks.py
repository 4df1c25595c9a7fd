"""Checking ranked candidates against a filter a chunk at a time."""

from newsdesk.store.chunks import first_passing


def test_first_passing_keeps_order_and_reads_only_as_far_as_needed() -> None:
    """Filtered search checks its best-ranked rows against the filters a chunk at a
    time: the answer is the first `want` that pass, whatever the chunking."""
    ids = [f"a{n}" for n in range(2000)]
    checked: list[int] = []

    def every_tenth(chunk: list[str]) -> set[str]:
        checked.append(len(chunk))
        return {i for i in chunk if int(i[1:]) % 10 == 0}

    assert first_passing(ids, 50, every_tenth) == [f"a{n}" for n in range(0, 500, 10)]
    assert sum(checked) < 1000  # not all 2,000
    assert first_passing(ids, 50, set) == ids[:50]
    assert first_passing(ids, 500, lambda chunk: set()) == []
    # fewer pass than wanted: every one that does, in order
    assert first_passing(ids, 300, every_tenth) == [f"a{n}" for n in range(0, 2000, 10)]
