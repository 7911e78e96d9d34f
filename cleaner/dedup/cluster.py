"""Corpus-wide part of dedup: exact groups, LSH candidates, verification, union-find, representatives.

Runs in one process over signatures only (memory ~ signatures, not texts). Everything is ordered by
document key first, so clusters, representatives and the `duplicates` lists do not depend on input
order or on how many workers produced the signatures. The band keys are the natural shuffle key to
distribute candidate generation (each band bucket is independent).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable

import numpy as np

from cleaner.dedup.config import DedupConfig
from cleaner.dedup.signature import DEFAULT_CONFIG, Signature
from cleaner.dedup.verify import overlap


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            # the smaller index becomes the root: stable, order-independent
            if rj < ri:
                ri, rj = rj, ri
            self.parent[rj] = ri


@dataclass
class DedupResult:
    """What the pipeline applies: which documents to keep and what each kept one replaced."""

    documents: int = 0
    clusters: int = 0            # clusters of two or more documents
    dropped: int = 0             # copies dropped (documents in clusters minus one per cluster)
    exact_dropped: int = 0       # of those, identical to their representative after normalisation
    candidates: int = 0          # LSH candidate pairs
    verified: int = 0            # candidate pairs verified as near-duplicates
    _replaced_by: dict[Hashable, Hashable] = field(default_factory=dict, repr=False)
    _duplicates: dict[Hashable, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def keep(self, key: Hashable) -> bool:
        return key not in self._replaced_by

    def representative_of(self, key: Hashable) -> Hashable:
        return self._replaced_by.get(key, key)

    def duplicates_of(self, key: Hashable) -> list[dict[str, Any]]:
        """The dropped copies this kept document stands for: [{"id", "source", "similarity"}]."""
        return [dict(d) for d in self._duplicates.get(key, ())]

    def cluster_members(self) -> dict[Hashable, list[Hashable]]:
        """Representative -> all members (representative first), for clusters of two or more."""
        return {rep: [rep] + [d["id"] for d in dups] for rep, dups in self._duplicates.items()}

    def stats(self) -> dict[str, int]:
        return {"documents": self.documents, "clusters": self.clusters, "dropped": self.dropped,
                "exact_dropped": self.exact_dropped, "near_dropped": self.dropped - self.exact_dropped,
                "candidates": self.candidates, "verified": self.verified}


def _pairs_in_buckets(keys: np.ndarray, owner: np.ndarray) -> list[np.ndarray]:
    """(i, j) pairs, i < j, of owners that share a key (owner ascending within each key)."""
    order = np.lexsort((owner, keys))
    keys, owner = keys[order], owner[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    chunks = []
    two = starts[sizes == 2]
    if two.size:
        chunks.append(np.stack([owner[two], owner[two + 1]], axis=1))
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist()):
        group = owner[start:start + size]
        i, j = np.triu_indices(size, k=1)
        chunks.append(np.stack([group[i], group[j]], axis=1))
    return chunks


def _candidate_pairs(sigs: list[Signature], members: list[int], bands: int) -> np.ndarray:
    """Sorted unique (i, j), i < j, of documents sharing at least one LSH band key.

    One band at a time, so the working memory is one column of keys, not the whole band matrix;
    each band (and each key within it) is independent: the shuffle key of a distributed run.
    """
    if len(members) < 2:
        return np.empty((0, 2), dtype=np.int64)
    matrix = np.frombuffer(b"".join(sigs[i].bands for i in members), dtype=np.uint64).reshape(len(members), bands)
    owner = np.asarray(members, dtype=np.int64)
    chunks: list[np.ndarray] = []
    for band in range(bands):
        found = _pairs_in_buckets(np.ascontiguousarray(matrix[:, band]), owner)
        if found:
            chunks.append(np.unique(np.concatenate(found), axis=0))
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(chunks), axis=0)


def _exact_groups(sigs: list[Signature]) -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs (first, other) of documents with the same normalised text, and the first of each text."""
    idx = np.array([i for i, s in enumerate(sigs) if s.exact is not None], dtype=np.int64)
    if idx.size == 0:
        return [], []
    hashes = np.array([sigs[i].exact for i in idx.tolist()], dtype=np.uint64)
    order = np.lexsort((idx, hashes))
    hashes, idx = hashes[order], idx[order]
    new = np.r_[True, hashes[1:] != hashes[:-1]]
    first = np.maximum.accumulate(np.where(new, np.arange(idx.size), 0))
    links = [(int(a), int(b)) for a, b in zip(idx[first][~new].tolist(), idx[~new].tolist())]
    return links, sorted(idx[new].tolist())


def _near(a: Signature, b: Signature, config: DedupConfig) -> bool:
    jac, contained = overlap(a, b)
    if jac >= config.near_threshold:
        return True
    return contained >= config.containment_threshold and min(a.size, b.size) >= config.min_containment_shingles


def find_clusters(
    items: Iterable[tuple], config: DedupConfig = DEFAULT_CONFIG
) -> DedupResult:
    """Cluster documents from `(key, signature)` or `(key, signature, source)` items.

    Keys must be unique and mutually comparable (document ids). The representative of a cluster is
    the most complete text (most story shingles, then most words), ties broken by the smallest key.
    """
    rows = sorted(items, key=lambda item: item[0])
    keys = [r[0] for r in rows]
    sigs: list[Signature] = [r[1] for r in rows]
    sources = [r[2] if len(r) > 2 else None for r in rows]
    for a, b in zip(keys, keys[1:]):
        if a == b:
            raise ValueError(f"duplicate document key {a!r}")
    result = DedupResult(documents=len(rows))
    if config.mode == "none" or not rows:
        return result
    uf = _UnionFind(len(rows))
    links, leaders = _exact_groups(sigs)
    for first, other in links:
        uf.union(first, other)
    if config.mode == "near":
        if any(len(s.bands) not in (0, 8 * config.bands) for s in sigs):
            raise ValueError(f"signatures were not made with {config.bands} bands: use one DedupConfig for both")
        members = [i for i in leaders if sigs[i].bands]
        pairs = _candidate_pairs(sigs, members, config.bands)
        result.candidates = len(pairs)
        for i, j in pairs.tolist():
            if uf.find(i) != uf.find(j) and _near(sigs[i], sigs[j], config):
                uf.union(i, j)
                result.verified += 1
    return settle_components(result, rows, uf)


def settle_components(result: DedupResult, rows: list[tuple], uf: "_UnionFind") -> DedupResult:
    """One representative per connected component of `uf`, and what it replaced, into `result`.

    The single place the representative rule lives (both engines use it): the most complete text
    (most story shingles, then most words), ties broken by the smallest key.
    """
    keys = [r[0] for r in rows]
    sigs: list[Signature] = [r[1] for r in rows]
    sources = [r[2] if len(r) > 2 else None for r in rows]
    roots = np.array([uf.find(i) for i in range(len(rows))], dtype=np.int64)
    order = np.argsort(roots, kind="stable")
    bounds = np.flatnonzero(np.r_[True, roots[order][1:] != roots[order][:-1], True])
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        if hi - lo < 2:
            continue
        group = order[lo:hi].tolist()
        rep = min(group, key=lambda i: (-sigs[i].size, -sigs[i].length, keys[i]))
        dups = []
        for i in group:
            if i == rep:
                continue
            same = sigs[i].exact == sigs[rep].exact
            similarity = 1.0 if same else round(overlap(sigs[rep], sigs[i])[0], 4)
            result.exact_dropped += same
            result._replaced_by[keys[i]] = keys[rep]
            dups.append({"id": keys[i], "source": sources[i], "similarity": similarity})
        dups.sort(key=lambda d: (-d["similarity"], d["id"]))
        result._duplicates[keys[rep]] = dups
        result.clusters += 1
        result.dropped += len(dups)
    return result
