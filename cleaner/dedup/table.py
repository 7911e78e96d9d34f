"""The signatures of a corpus as the clustering reads them, in key order (position = rank of the key).

Exact hashes and band columns come out as arrays (a column a band, so the working memory is one
column); a whole Signature is read only to verify a candidate edge or to score a cluster member.
`SignatureList` wraps a list of Signature objects; the compact store of a whole run
(`cleaner.dedup.store`) has its own. `key_order` is the one rule that puts documents in key order.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from cleaner.dedup.signature import Signature


class SignatureTable:
    """What clustering reads of the documents at positions 0..n-1."""

    n: int

    def exact_hashes(self) -> tuple[np.ndarray, np.ndarray]:
        """(positions of documents with words, their exact hashes)."""
        raise NotImplementedError

    def banded(self, i: int) -> bool:
        raise NotImplementedError

    def band_widths_ok(self, bands: int) -> bool:
        raise NotImplementedError

    def band_column(self, owners: np.ndarray, band: int) -> np.ndarray:
        raise NotImplementedError

    def sig(self, i: int) -> Signature:
        raise NotImplementedError

    def size_length(self, i: int) -> tuple[int, int]:
        raise NotImplementedError


class SignatureList(SignatureTable):
    """A list of Signature objects, already in key order."""

    def __init__(self, sigs: list[Signature]) -> None:
        self.sigs, self.n = sigs, len(sigs)

    def exact_hashes(self) -> tuple[np.ndarray, np.ndarray]:
        idx = np.array([i for i, s in enumerate(self.sigs) if s.exact is not None], dtype=np.int64)
        return idx, np.array([self.sigs[i].exact for i in idx.tolist()], dtype=np.uint64)

    def banded(self, i: int) -> bool:
        return bool(self.sigs[i].bands)

    def band_widths_ok(self, bands: int) -> bool:
        return all(len(s.bands) in (0, 8 * bands) for s in self.sigs)

    def band_column(self, owners: np.ndarray, band: int) -> np.ndarray:
        return np.fromiter((np.frombuffer(self.sigs[i].bands, dtype=np.uint64)[band] for i in owners.tolist()),
                           dtype=np.uint64, count=owners.size)

    def sig(self, i: int) -> Signature:
        return self.sigs[i]

    def size_length(self, i: int) -> tuple[int, int]:
        return self.sigs[i].size, self.sigs[i].length


def key_order(ids: Sequence[str], sources: Sequence[str], indexes: Sequence[int]) -> list[int]:
    """The rows in key order (position p is row order[p]). A row's key is (id, source); when the
    same input is given twice, the rows after the first (in row order) take (id, `source<US>index`),
    so keys stay unique and the first keeps its own whatever the number of workers."""
    order = sorted(range(len(ids)), key=lambda r: (ids[r], sources[r]))    # stable: repeats in row order
    renamed = {b: (ids[b], f"{sources[b]}\x1f{indexes[b]}") for a, b in zip(order, order[1:])
               if ids[a] == ids[b] and sources[a] == sources[b]}
    if renamed:
        def key(r: int) -> tuple[str, str]:
            return renamed.get(r) or (ids[r], sources[r])

        order = sorted(range(len(ids)), key=key)
        for a, b in zip(order, order[1:]):
            if key(a) == key(b):
                raise ValueError(f"duplicate document key {key(a)!r}")
    return order
