"""Dedup stage 2, bucket: LSH band buckets -> candidate edges, a bounded number per document.

Documents whose band keys are equal share a bucket. Pairing every two members of a bucket costs
s(s-1)/2 for a bucket of s documents, and a cluster of thousands of near-identical pages (one
template, mirrors, error pages) puts all of them in the same bucket of nearly every band. Instead,
within a bucket, members in position order (position = rank of the document key, so the edges do
not depend on input order or on the number of workers), each member after the first is linked to

  * the bucket's first member (a star: one near-identical group is connected in one step), and
  * the `neighbours` members just before it (a short chain: a member that is near a later one but
    not near the first still links up, and a stray member that shares the bucket by chance does
    not cut the bucket in two).

So a bucket of s documents yields at most (1 + neighbours)(s - 1) edges, and a document at most
(1 + neighbours) edges per band it belongs to. Edges are verified (`cluster.link_verified`); the
clusters are the connected components of the verified edges, so a pair that is near but never
linked still merges when a path of verified edges joins them, as a transitive cluster does.
"""
from __future__ import annotations

from typing import Any

import numpy as np

EMPTY_EDGES = np.empty((0, 2), dtype=np.int64)


def band_edges(keys: np.ndarray, owner: np.ndarray, neighbours: int) -> np.ndarray:
    """(i, j) edges, i < j, among owners that share a key: each bucket's members in owner order,
    each linked to the first member and to the `neighbours` members before it (no repeats)."""
    if keys.size < 2:
        return EMPTY_EDGES
    order = np.lexsort((owner, keys))
    keys, owner = keys[order], owner[order]
    at = np.arange(keys.size)
    new = np.r_[True, keys[1:] != keys[:-1]]
    first = np.maximum.accumulate(np.where(new, at, 0))   # where each member's bucket starts
    later = at[~new]
    chunks = [np.stack([owner[first[later]], owner[later]], axis=1)]
    for k in range(1, neighbours + 1):
        sel = at[at - k > first]             # the member k before is in the bucket and is not its first
        if sel.size == 0:
            break
        chunks.append(np.stack([owner[sel - k], owner[sel]], axis=1))
    return np.concatenate(chunks)


def as_codes(edges: np.ndarray, n: int) -> np.ndarray:
    """Edges as sorted unique int64 codes i * n + j (8 bytes an edge; sorted codes are sorted pairs)."""
    return np.unique(edges[:, 0] * np.int64(n) + edges[:, 1]) if edges.size else np.empty(0, np.int64)


def from_codes(codes: np.ndarray, n: int) -> np.ndarray:
    return np.stack([codes // n, codes % n], axis=1) if codes.size else EMPTY_EDGES


def candidate_edges(table: Any, members: list[int], bands: int, neighbours: int) -> np.ndarray:
    """Sorted unique (i, j), i < j, candidate edges of all bands among `members` (positions).

    One band at a time, so the working memory is one column of keys and the edges kept so far; each
    band (and each bucket within it) is independent: the shuffle key of a distributed run.
    """
    if len(members) < 2:
        return EMPTY_EDGES
    owner = np.asarray(members, dtype=np.int64)
    n = table.n
    seen = np.empty(0, dtype=np.int64)
    for band in range(bands):
        seen = np.union1d(seen, as_codes(band_edges(table.band_column(owner, band), owner, neighbours), n))
    return from_codes(seen, n)
