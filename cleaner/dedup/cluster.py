"""Corpus-wide part of dedup: exact groups, LSH candidates, verification, union-find, representatives.

Runs in one process over signatures only (memory ~ signatures, not texts). Everything is ordered by
document key first, so clusters, representatives and the `duplicates` lists do not depend on input
order or on how many workers produced the signatures. The band keys are the natural shuffle key to
distribute candidate generation (each band bucket is independent).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable

import numpy as np

from cleaner.dedup.bucket import candidate_edges
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.signature import DEFAULT_CONFIG, Signature
from cleaner.dedup.verify import overlap


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = array("q", range(n))      # 8 bytes a document

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


def _exact_groups(sigs: "list[Signature] | _Table") -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs (first, other) of documents with the same normalised text, and the first of each text."""
    table = sigs if isinstance(sigs, _Table) else _ListTable(sigs)
    idx, hashes = table.exact_hashes()
    if idx.size == 0:
        return [], []
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


class _Table:
    """The signatures of the documents in key order, as clustering reads them: exact hashes and band
    columns as arrays, one whole Signature at a time for verification."""

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

    def exact(self, i: int) -> int | None:
        raise NotImplementedError


class _ListTable(_Table):
    """A list of Signature objects (the `find_clusters` API)."""

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

    def exact(self, i: int) -> int | None:
        return self.sigs[i].exact


def find_clusters(
    items: Iterable[tuple], config: DedupConfig = DEFAULT_CONFIG
) -> DedupResult:
    """Cluster documents from `(key, signature)` or `(key, signature, source)` items.

    Keys must be unique and mutually comparable (document ids). The representative of a cluster is
    the most complete text (most story shingles, then most words), ties broken by the smallest key.
    """
    rows = sorted(items, key=lambda item: item[0])
    keys = [r[0] for r in rows]
    sources = [r[2] if len(r) > 2 else None for r in rows]
    for a, b in zip(keys, keys[1:]):
        if a == b:
            raise ValueError(f"duplicate document key {a!r}")
    clusters = cluster_table(_ListTable([r[1] for r in rows]), config)
    return clusters.as_result(keys, sources)


@dataclass
class Clusters:
    """What clustering found, by position in key order: who replaced whom, with what similarity."""

    documents: int = 0
    clusters: int = 0
    dropped: int = 0
    exact_dropped: int = 0
    candidates: int = 0
    verified: int = 0
    replaced_by: dict[int, int] = field(default_factory=dict)          # position -> representative's
    duplicates: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # rep -> [(position, similarity)]

    def as_result(self, keys: list, sources: list) -> DedupResult:
        result = DedupResult(documents=self.documents, clusters=self.clusters, dropped=self.dropped,
                             exact_dropped=self.exact_dropped, candidates=self.candidates, verified=self.verified)
        for i, rep in self.replaced_by.items():
            result._replaced_by[keys[i]] = keys[rep]
        for rep, dups in self.duplicates.items():
            result._duplicates[keys[rep]] = [{"id": keys[i], "source": sources[i], "similarity": sim} for i, sim in dups]
        return result


def cluster_table(table: _Table, config: DedupConfig = DEFAULT_CONFIG) -> Clusters:
    """`find_clusters` over a table of signatures already in key order (positions are the order)."""
    out = Clusters(documents=table.n)
    if config.mode == "none" or not table.n:
        return out
    uf = _UnionFind(table.n)
    links, leaders = _exact_groups(table)
    for first, other in links:
        uf.union(first, other)
    if config.mode == "near":
        if not table.band_widths_ok(config.bands):
            raise ValueError(f"signatures were not made with {config.bands} bands: use one DedupConfig for both")
        members = [i for i in leaders if table.banded(i)]
        pairs = candidate_edges(table, members, config.bands, config.bucket_neighbours)
        out.candidates = len(pairs)
        last, last_sig = -1, None
        for block in range(0, len(pairs), 4096):          # as Python ints a block at a time
            for i, j in pairs[block:block + 4096].tolist():
                if uf.find(i) != uf.find(j):
                    if i != last:                 # pairs come sorted by i: read each sketch once
                        last, last_sig = i, table.sig(i)
                    if _near(last_sig, table.sig(j), config):
                        uf.union(i, j)
                        out.verified += 1
    return _settle(out, table, uf)


def _settle(out: Clusters, table: _Table, uf: "_UnionFind") -> Clusters:
    """One representative per connected component of `uf`, and what it replaced, into `out`.

    The single place the representative rule lives (both engines use it): the most complete text
    (most story shingles, then most words), ties broken by the smallest key (= smallest position).
    """
    n = table.n
    roots = np.fromiter((uf.find(i) for i in range(n)), dtype=np.int64, count=n)
    order = np.argsort(roots, kind="stable")
    bounds = np.flatnonzero(np.r_[True, roots[order][1:] != roots[order][:-1], True])
    sizes = np.diff(bounds)
    for lo, hi in zip(bounds[:-1][sizes >= 2].tolist(), bounds[1:][sizes >= 2].tolist()):
        group = order[lo:hi].tolist()

        def rank(i: int) -> tuple[int, int, int]:
            size, length = table.size_length(i)
            return (-size, -length, i)

        rep = min(group, key=rank)
        rep_sig = table.sig(rep)
        dups = []
        for i in group:
            if i == rep:
                continue
            other = table.sig(i)
            same = other.exact == rep_sig.exact
            similarity = 1.0 if same else round(overlap(rep_sig, other)[0], 4)
            out.exact_dropped += same
            out.replaced_by[i] = rep
            dups.append((i, similarity))
        dups.sort(key=lambda d: (-d[1], d[0]))
        out.duplicates[rep] = dups
        out.clusters += 1
        out.dropped += len(dups)
    return out


def settle_components(result: DedupResult, rows: list[tuple], uf: "_UnionFind") -> DedupResult:
    """One representative per connected component of `uf`, and what it replaced, into `result`
    (rows: (key, signature, source) sorted by key; the Ray engine's entry to `_settle`)."""
    keys = [r[0] for r in rows]
    sources = [r[2] if len(r) > 2 else None for r in rows]
    settled = _settle(Clusters(documents=len(rows)), _ListTable([r[1] for r in rows]), uf).as_result(keys, sources)
    result.clusters += settled.clusters
    result.dropped += settled.dropped
    result.exact_dropped += settled.exact_dropped
    result._replaced_by.update(settled._replaced_by)
    result._duplicates.update(settled._duplicates)
    return result
