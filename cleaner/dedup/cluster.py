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


def _candidate_pairs(sigs: list[Signature], members: list[int]) -> np.ndarray:
    """Sorted unique (i, j), i < j, of documents sharing at least one LSH band key."""
    if len(members) < 2:
        return np.empty((0, 2), dtype=np.int64)
    keys = np.concatenate([sigs[i].band_keys() for i in members])
    owner = np.repeat(np.asarray(members, dtype=np.int64), [len(sigs[i].bands) // 8 for i in members])
    order = np.lexsort((owner, keys))
    keys, owner = keys[order], owner[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    chunks = []
    pair2 = starts[sizes == 2]
    if pair2.size:
        chunks.append(np.stack([owner[pair2], owner[pair2 + 1]], axis=1))
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist()):
        group = owner[start:start + size]
        i, j = np.triu_indices(size, k=1)
        chunks.append(np.stack([group[i], group[j]], axis=1))
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(chunks)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


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
    leader: dict[int, int] = {}
    for i, sig in enumerate(sigs):
        if sig.exact is not None:
            first = leader.setdefault(sig.exact, i)
            if first != i:
                uf.union(first, i)
    if config.mode == "near":
        members = [i for i in leader.values() if sigs[i].bands]
        members.sort()
        pairs = _candidate_pairs(sigs, members)
        result.candidates = len(pairs)
        for i, j in pairs.tolist():
            if uf.find(i) != uf.find(j) and _near(sigs[i], sigs[j], config):
                uf.union(i, j)
                result.verified += 1
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(uf.find(i), []).append(i)
    for group in groups.values():
        if len(group) < 2:
            continue
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
