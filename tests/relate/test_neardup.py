"""Near-duplicates: MinHash signatures (datasketch's scheme) and banded lookup keys."""

import numpy as np
from datasketch import MinHash

from newsdesk.relate.neardup import (
    BANDS,
    NUM_PERM,
    THRESHOLD,
    band_keys,
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


def test_similar_texts_share_a_band_key() -> None:
    edited = STORY.replace("sharply", "strongly")
    a, b = band_keys(signature(STORY)), band_keys(signature(edited))
    assert len(a) == BANDS and set(a) & set(b)
    assert not set(a) & set(band_keys(signature("A different text about football.")))


def test_empty_text_has_a_signature() -> None:
    assert similarity(signature(""), signature("")) == 1.0
