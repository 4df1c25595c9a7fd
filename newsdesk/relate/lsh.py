"""An in-memory LSH index over MinHash signatures: band hashes in sorted numpy arrays.

Why not a table of band keys in SQLite (what migration 4 did): every original adds 32
keys at random places in a B-tree, so each commit rewrites most of the table's pages;
at 100,000 articles that write amplification made lookups and stores take minutes. The
signatures themselves are stored (one row per original, appended); this index is derived
from them, built once per process in a second or so, and kept current by adding the
rows stored since (see `SQLiteStore.near_duplicate`).

Each band of ROWS values is folded into one 64-bit hash that also encodes the band's
number, so the hashes of all bands live in one sorted array and a lookup is two
`searchsorted` calls for all bands at once (a call per band cost more than the rest of
the lookup). Collisions only add candidates, which the full signatures then reject. New
entries wait in a dict until they are merged in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from newsdesk.relate.neardup import BANDS, NUM_PERM, ROWS

# Odd 64-bit multipliers (from splitmix64 / xxhash) to fold a band's values into one hash;
# each band adds its own multiple of the golden ratio, so equal values in two different
# bands do not give equal hashes.
_MIX = np.array([0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB,
                 0xC2B2AE3D27D4EB4F], dtype=np.uint64)
with np.errstate(over="ignore"):
    _BAND_SALT = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
MERGE_AT = 4096


def band_hashes(signatures: Sequence[bytes]) -> np.ndarray:
    """(n, BANDS) uint64: one hash per band of each signature."""
    if not signatures:
        return np.zeros((0, BANDS), dtype=np.uint64)
    values = np.frombuffer(b"".join(signatures), dtype="<u4").astype(np.uint64)
    values = values.reshape(len(signatures), BANDS, ROWS)
    with np.errstate(over="ignore"):
        mixed = (values * _MIX[:ROWS]).sum(axis=2, dtype=np.uint64) + _BAND_SALT
        mixed ^= mixed >> np.uint64(31)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(29)
    return mixed


class BandIndex:
    """Ordinal -> signature bands; `candidates` gives the ordinals sharing any band."""

    def __init__(self) -> None:
        self._keys = np.zeros(0, dtype=np.uint64)
        self._ids = np.zeros(0, dtype=np.int64)
        self._pending: dict[int, list[int]] = {}
        self._pending_count = 0
        self.size = 0
        # The last signature looked up: the writer usually stores it right after.
        self._last: tuple[bytes, np.ndarray] | None = None

    def add(self, ordinals: Sequence[int], signatures: Sequence[bytes]) -> None:
        if len(ordinals) != len(signatures):
            raise ValueError("one ordinal per signature")
        if any(len(s) != NUM_PERM * 4 for s in signatures):
            raise ValueError(f"a signature is {NUM_PERM * 4} bytes")
        if len(signatures) == 1 and self._last is not None and self._last[0] == signatures[0]:
            hashes = self._last[1].reshape(1, BANDS)
        else:
            hashes = band_hashes(signatures)
        if len(ordinals) >= MERGE_AT:
            self._flush()
            self._insert(hashes.ravel(), np.repeat(np.asarray(ordinals, dtype=np.int64), BANDS))
        else:
            for ordinal, row in zip(ordinals, hashes.tolist(), strict=True):
                for key in row:
                    self._pending.setdefault(key, []).append(ordinal)
            self._pending_count += len(ordinals)
            # Merging rewrites the whole array: wait longer as it grows (amortised cost).
            if self._pending_count >= max(MERGE_AT, self.size // 8):
                self._flush()
        self.size += len(ordinals)

    def candidates(self, signature: bytes) -> set[int]:
        query = band_hashes([signature])[0]
        self._last = (signature, query)
        lows = np.searchsorted(self._keys, query, side="left").tolist()
        highs = np.searchsorted(self._keys, query, side="right").tolist()
        out: set[int] = set()
        for lo, hi in zip(lows, highs, strict=True):
            if hi > lo:
                out.update(self._ids[lo:hi].tolist())
        if self._pending:
            for key in query.tolist():
                out.update(self._pending.get(key, ()))
        return out

    def _flush(self) -> None:
        if not self._pending:
            return
        pending = self._pending
        keys = np.fromiter((k for k, ids in pending.items() for _ in ids), np.uint64)
        ids = np.fromiter((i for v in pending.values() for i in v), np.int64)
        self._insert(keys, ids)
        pending.clear()
        self._pending_count = 0

    def _insert(self, keys: np.ndarray, ids: np.ndarray) -> None:
        # Sorting the new entries first leaves two sorted runs, which the stable sort
        # (timsort for 64-bit keys) merges in linear time.
        order = np.argsort(keys, kind="stable")
        all_keys = np.concatenate([self._keys, keys[order]])
        all_ids = np.concatenate([self._ids, ids[order]])
        order = np.argsort(all_keys, kind="stable")
        self._keys, self._ids = all_keys[order], all_ids[order]
