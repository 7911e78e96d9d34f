"""Dedup stage 3, cluster: exact groups, candidate edges verified, connected components (union-find).

Runs over signatures only (memory ~ signatures, not texts), in key order: position p is the p-th
document key, so the clusters do not depend on input order or on how many workers produced the
signatures. Exact copies (same normalised text) are linked to the first of their text; the first of
each text takes part in LSH; each candidate edge (`cleaner.dedup.bucket`) is verified (Jaccard or
containment of the story shingles, `is_near`), and the clusters are the connected components of the
exact links and the verified edges. An edge whose ends are already joined is not verified: it could
not change the components, so a cluster of s documents costs about s verifications.
"""
from __future__ import annotations

from array import array
from typing import Callable, Iterable

import numpy as np

from cleaner.dedup.bucket import candidate_edges
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.decide import Decisions, settle
from cleaner.dedup.signature import DEFAULT_CONFIG, Signature
from cleaner.dedup.table import SignatureList, SignatureTable
from cleaner.dedup.verify import overlap


class UnionFind:
    """Union-find over positions 0..n-1; the smaller position becomes the root (order-independent)."""

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

    def union(self, i: int, j: int) -> bool:
        """Join i's and j's components; False when they were one already."""
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        if rj < ri:
            ri, rj = rj, ri
        self.parent[rj] = ri
        return True

    def roots(self) -> np.ndarray:
        """Every position's root (the smallest position of its component)."""
        n = len(self.parent)
        return np.fromiter((self.find(i) for i in range(n)), dtype=np.int64, count=n)


def exact_links(sigs: "list[Signature] | SignatureTable") -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs (first, other) of documents with the same normalised text, and the first of each text."""
    table = sigs if isinstance(sigs, SignatureTable) else SignatureList(sigs)
    idx, hashes = table.exact_hashes()
    if idx.size == 0:
        return [], []
    order = np.lexsort((idx, hashes))
    hashes, idx = hashes[order], idx[order]
    new = np.r_[True, hashes[1:] != hashes[:-1]]
    first = np.maximum.accumulate(np.where(new, np.arange(idx.size), 0))
    links = [(int(a), int(b)) for a, b in zip(idx[first][~new].tolist(), idx[~new].tolist())]
    return links, sorted(idx[new].tolist())


def is_near(a: Signature, b: Signature, config: DedupConfig) -> bool:
    """The verification of a candidate edge: Jaccard >= near_threshold, or containment of the smaller
    text >= containment_threshold when it has enough shingles to say so."""
    jac, contained = overlap(a, b)
    if jac >= config.near_threshold:
        return True
    return contained >= config.containment_threshold and min(a.size, b.size) >= config.min_containment_shingles


def link_verified(edges: np.ndarray, sig: Callable[[int], Signature], config: DedupConfig,
                  uf: UnionFind) -> list[tuple[int, int]]:
    """Verify `edges` (sorted (i, j)) whose ends `uf` does not join yet, join the near ones; returns
    the edges that joined two components (a spanning forest: at most one a document)."""
    joined = []
    last, last_sig = -1, None
    for block in range(0, len(edges), 4096):          # as Python ints a block at a time
        for i, j in edges[block:block + 4096].tolist():
            if uf.find(i) != uf.find(j):
                if i != last:                         # edges come sorted by i: read each sketch once
                    last, last_sig = i, sig(i)
                if is_near(last_sig, sig(j), config):
                    uf.union(i, j)
                    joined.append((i, j))
    return joined


def cluster_table(table: SignatureTable, config: DedupConfig = DEFAULT_CONFIG) -> Decisions:
    """The decisions over a table of signatures in key order, by position."""
    out = Decisions(documents=table.n)
    if config.mode == "none" or not table.n:
        return out
    uf = UnionFind(table.n)
    links, leaders = exact_links(table)
    for first, other in links:
        uf.union(first, other)
    if config.mode == "near":
        if not table.band_widths_ok(config.bands):
            raise ValueError(f"signatures were not made with {config.bands} bands: use one DedupConfig for both")
        members = [i for i in leaders if table.banded(i)]
        edges = candidate_edges(table, members, config.bands, config.bucket_neighbours)
        out.candidates = len(edges)
        out.verified = len(link_verified(edges, table.sig, config, uf))
    return settle(table, uf.roots(), out)


def find_clusters(items: Iterable[tuple], config: DedupConfig = DEFAULT_CONFIG) -> Decisions:
    """Cluster documents from `(key, signature)` or `(key, signature, source)` items; the decisions
    name documents by key (a record's `duplicates` give the keys as ids).

    Keys must be unique and mutually comparable (document ids). The representative of a cluster is
    the most complete text (most story shingles, then most words), ties broken by the smallest key.
    """
    rows = sorted(items, key=lambda item: item[0])
    keys = [r[0] for r in rows]
    sources = [r[2] if len(r) > 2 else None for r in rows]
    for a, b in zip(keys, keys[1:]):
        if a == b:
            raise ValueError(f"duplicate document key {a!r}")
    decisions = cluster_table(SignatureList([r[1] for r in rows]), config)
    return decisions.relabel(keys.__getitem__, lambda p: p, keys, sources)
