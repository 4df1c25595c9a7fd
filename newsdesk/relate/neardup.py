"""Near-duplicates: MinHash signatures of word shingles, banded for LSH lookup.

Syndicated copies with a changed headline, and lightly edited rewrites, share most of
their five-word shingles. A 128-value MinHash signature (datasketch) estimates the
Jaccard similarity of two articles' shingle sets; cutting it into 32 bands of 4 values
gives keys under which similar articles collide, so a new article is compared with a
handful of candidates instead of the whole store (the band index: newsdesk/relate/lsh.py,
in memory, derived from the stored signatures); `similarity` confirms a candidate from
the two signatures.

Pure functions: workers compute signatures, the single writer looks candidates up.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

import numpy as np

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE = 5
# A rewrite that changes one word in 25 keeps about 0.7 of its five-word shingles' Jaccard
# similarity (one in 50: 0.84); two different articles on the same story score below
# 0.05 in the sample corpus. 0.6 sits between, erring toward keeping articles apart.
THRESHOLD = 0.6
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine permutations for NUM_PERM values (made once per process).

    Imported here, not at the top: datasketch imports scipy (half a second), which every
    command that merely imports the store would otherwise pay."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def shingle_hashes(text: str, size: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the overlapping `size`-word windows of the text, in text order (a
    repeated window repeats its hash: MinHash keeps minima, so repeats change nothing and
    are not worth a sort to remove).

    Words are hashed once (crc32: stable across processes, unlike `hash`), and a window's
    hash is a polynomial of its words' hashes computed for all windows at once."""
    words = text.lower().split()
    if not words:
        return np.zeros(0, dtype=np.uint32)
    wh = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64,
                     count=len(words))
    size = min(size, len(wh))
    n = len(wh) - size + 1
    acc = np.zeros(n, dtype=np.uint64)
    for j in range(size):
        acc = acc * np.uint64(_MULT) + wh[j:j + n]  # wraps modulo 2**64, as intended
    return ((acc ^ (acc >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


_MULT = 1_000_003
_FMIX = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)  # MurmurHash3's 32-bit finalizer


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The MinHash of 32-bit values: the same numbers as datasketch's
    `MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int).update_batch(values)` (affine32
    scheme), computed for all values in one array operation instead of one Python call
    per value."""
    a, b = _permutations()
    if hashes.size == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    s1, m1, s2, m2, s3 = _FMIX
    hv = hashes.astype(np.uint32).reshape(-1, 1)
    hv = hv ^ (hv >> np.uint32(s1))
    hv = hv * np.uint32(m1)
    hv = hv ^ (hv >> np.uint32(s2))
    hv = hv * np.uint32(m2)
    hv = hv ^ (hv >> np.uint32(s3))
    return (hv * a + b).min(axis=0)


def signature(text: str) -> bytes:
    """The MinHash signature of a text, as NUM_PERM little-endian uint32 values."""
    return minhash(shingle_hashes(text)).astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity: the share of equal signature values."""
    va, vb = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    return float(np.count_nonzero(va == vb)) / NUM_PERM
