"""Near-duplicates: MinHash signatures (datasketch's scheme) and banded lookup keys."""

import numpy as np
from datasketch import MinHash

from newsdesk.relate.lsh import MERGE_AT, BandIndex, band_hashes
from newsdesk.relate.neardup import (
    BANDS,
    NUM_PERM,
    THRESHOLD,
    minhash,
    shingle_hashes,
    signature,
    similarity,
)

STORY = (
    "Chinese exports to Russia rose sharply in the first two months of the year as car "
    "makers and machinery suppliers filled the gap left by European brands. Customs data "
    "showed shipments of passenger cars more than doubled, while trucks and excavators "
    "also sold strongly. Traders said payments were mostly settled in yuan, and banks in "
    "border provinces handled a growing share of the transfers. Analysts expect growth to "
    "slow later in the year as Russian demand cools and freight costs climb again."
)


def test_signature_is_datasketchs_minhash() -> None:
    hashes = shingle_hashes(STORY)
    reference = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(reference.hashvalues, minhash(hashes))


def test_signature_is_stable_and_compact() -> None:
    assert signature(STORY) == signature(STORY)
    assert len(signature(STORY)) == NUM_PERM * 4


def test_a_lightly_edited_copy_is_a_near_duplicate() -> None:
    edited = STORY.replace("sharply", "strongly").replace("Analysts", "Economists")
    assert similarity(signature(STORY), signature(edited)) >= THRESHOLD


def test_another_article_on_the_same_story_is_not() -> None:
    other = (
        "Trade between China and Russia reached a record last year, customs figures show, "
        "though officials in Moscow warned that payment problems could slow deals. Chinese "
        "banks have tightened checks on transfers from Russian buyers since December."
    )
    assert similarity(signature(STORY), signature(other)) < 0.2


def test_similar_texts_share_a_band_hash() -> None:
    edited = STORY.replace("sharply", "strongly")
    a, b = band_hashes([signature(STORY), signature(edited)])
    assert len(a) == BANDS and set(a.tolist()) & set(b.tolist())
    (other,) = band_hashes([signature("A different text about football.")])
    assert not set(a.tolist()) & set(other.tolist())


def test_band_index_finds_the_texts_that_share_a_band() -> None:
    index = BandIndex()
    index.add([7, 8], [signature(STORY), signature("A different text about football.")])
    assert index.candidates(signature(STORY.replace("sharply", "strongly"))) == {7}
    assert index.candidates(signature("Nothing like either of them, about the weather.")) == set()


def test_band_index_is_the_same_before_and_after_merging() -> None:
    """Entries wait in a dict until MERGE_AT of them are merged into the sorted arrays;
    lookups see both, and a large batch goes straight into the arrays."""
    rng = np.random.default_rng(3)
    sigs = [rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32).astype("<u4").tobytes()
            for _ in range(MERGE_AT + 10)]
    one_by_one, batch = BandIndex(), BandIndex()
    for i, sig in enumerate(sigs):
        one_by_one.add([i], [sig])
    batch.add(list(range(len(sigs))), sigs)
    for i in (0, MERGE_AT - 1, MERGE_AT + 9):
        assert one_by_one.candidates(sigs[i]) == batch.candidates(sigs[i]) == {i}
    assert one_by_one.size == batch.size == len(sigs)


def test_empty_text_has_a_signature() -> None:
    assert similarity(signature(""), signature("")) == 1.0
