"""An in-memory LSH index over MinHash signatures: band hashes in sorted numpy arrays.

Why not a table of band keys in SQLite (what migration 4 did): every original adds 32
keys at random places in a B-tree, so each commit rewrites most of the table's pages;
at 100,000 articles that write amplification made lookups and stores take minutes. The
signatures themselves are stored (one row per original, appended); this index is derived
from them, built once per process in a second or so, and kept current by adding the
rows stored since (see `SQLiteStore.near_duplicate`).

Each band of ROWS values is folded into one 64-bit hash (collisions only add candidates,
which the full signatures then reject). Per band, a sorted array of hashes with the
matching ordinals; new entries wait in a small dict until they are merged in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from newsdesk.relate.neardup import BANDS, NUM_PERM, ROWS

# Odd 64-bit multipliers (from splitmix64 / xxhash) to fold a band's values into one hash.
_MIX = np.array([0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB,
                 0xC2B2AE3D27D4EB4F], dtype=np.uint64)
MERGE_AT = 4096


def band_hashes(signatures: Sequence[bytes]) -> np.ndarray:
    """(n, BANDS) uint64: one hash per band of each signature."""
    if not signatures:
        return np.zeros((0, BANDS), dtype=np.uint64)
    values = np.frombuffer(b"".join(signatures), dtype="<u4").astype(np.uint64)
    values = values.reshape(len(signatures), BANDS, ROWS)
    with np.errstate(over="ignore"):
        mixed = (values * _MIX[:ROWS]).sum(axis=2, dtype=np.uint64)
        mixed ^= mixed >> np.uint64(31)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(29)
    return mixed


class BandIndex:
    """Ordinal -> signature bands; `candidates` gives the ordinals sharing any band."""

    def __init__(self) -> None:
        self._keys = [np.zeros(0, dtype=np.uint64) for _ in range(BANDS)]
        self._ids = [np.zeros(0, dtype=np.int64) for _ in range(BANDS)]
        self._pending: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
        self._pending_count = 0
        self.size = 0

    def add(self, ordinals: Sequence[int], signatures: Sequence[bytes]) -> None:
        if len(ordinals) != len(signatures):
            raise ValueError("one ordinal per signature")
        if any(len(s) != NUM_PERM * 4 for s in signatures):
            raise ValueError(f"a signature is {NUM_PERM * 4} bytes")
        hashes = band_hashes(signatures)
        if len(ordinals) >= MERGE_AT:
            self._merge(np.asarray(ordinals, dtype=np.int64), hashes)
        else:
            for ordinal, row in zip(ordinals, hashes.tolist(), strict=True):
                for band, key in enumerate(row):
                    self._pending[band].setdefault(key, []).append(ordinal)
            self._pending_count += len(ordinals)
            if self._pending_count >= MERGE_AT:
                self._flush()
        self.size += len(ordinals)

    def candidates(self, signature: bytes) -> set[int]:
        out: set[int] = set()
        for band, key in enumerate(band_hashes([signature])[0].tolist()):
            keys = self._keys[band]
            lo = int(np.searchsorted(keys, key, side="left"))
            hi = int(np.searchsorted(keys, key, side="right"))
            if hi > lo:
                out.update(self._ids[band][lo:hi].tolist())
            out.update(self._pending[band].get(key, ()))
        return out

    def _flush(self) -> None:
        for band in range(BANDS):
            pending = self._pending[band]
            if not pending:
                continue
            keys = np.fromiter((k for k, ids in pending.items() for _ in ids), np.uint64)
            ids = np.fromiter((i for v in pending.values() for i in v), np.int64)
            self._insert(band, keys, ids)
            pending.clear()
        self._pending_count = 0

    def _merge(self, ordinals: np.ndarray, hashes: np.ndarray) -> None:
        self._flush()
        for band in range(BANDS):
            self._insert(band, hashes[:, band].copy(), ordinals)

    def _insert(self, band: int, keys: np.ndarray, ids: np.ndarray) -> None:
        all_keys = np.concatenate([self._keys[band], keys])
        all_ids = np.concatenate([self._ids[band], ids])
        order = np.argsort(all_keys, kind="stable")
        self._keys[band], self._ids[band] = all_keys[order], all_ids[order]
