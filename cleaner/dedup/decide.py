"""Dedup stage 4, decide: one representative per cluster, and the one type that says what dedup decided.

`settle` turns the connected components (union-find roots) into decisions by position: the
representative of a cluster is the most complete text (most story shingles, then most words), ties
broken by the smallest key (= smallest position), so it does not depend on input order or on how many
workers made the signatures. Both engines settle with it.

`Decisions` is what the engines apply (`release` for the local engine, the shard writers on Ray) and
what `find_clusters` returns. A document is named by whatever its caller indexes with: a spool
index, an input index, a document key. The representative and the copies a record names are rows of
`ids`/`sources`, so a run's decisions can share the id and source lists it already holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence

import numpy as np

from cleaner.dedup.table import SignatureTable
from cleaner.dedup.verify import overlap


@dataclass
class Decisions:
    """Which documents to keep and, for each kept representative, the copies it replaced."""

    documents: int = 0
    clusters: int = 0            # clusters of two or more documents
    dropped: int = 0             # copies dropped (documents in clusters minus one per cluster)
    exact_dropped: int = 0       # of those, identical to their representative after normalisation
    candidates: int = 0          # candidate edges from the LSH buckets
    verified: int = 0            # candidate edges verified as near-duplicates (that joined two clusters)
    replaced_by: dict[Hashable, int] = field(default_factory=dict, repr=False)   # dropped -> representative's row
    duplicates: dict[Hashable, list[tuple[int, float]]] = field(default_factory=dict, repr=False)  # representative -> [(row, similarity)]
    ids: Sequence[Any] = field(default=(), repr=False)        # row -> the id a record names
    sources: Sequence[Any] = field(default=(), repr=False)    # row -> its source

    def keep(self, doc: Hashable) -> bool:
        return doc not in self.replaced_by

    def representative(self, doc: Hashable) -> Any:
        """The id of the document that replaced `doc`; a kept document stands for itself (`doc`)."""
        row = self.replaced_by.get(doc)
        return doc if row is None else self.ids[row]

    def duplicates_of(self, doc: Hashable) -> list[dict[str, Any]]:
        """The dropped copies this kept document stands for: [{"id", "source", "similarity"}], most
        similar first (ties by key)."""
        ids, sources = self.ids, self.sources
        return [{"id": ids[r], "source": sources[r], "similarity": sim} for r, sim in self.duplicates.get(doc, ())]

    def dropped_documents(self) -> list:
        """The documents dropped as copies, in ascending order."""
        return sorted(self.replaced_by)

    def stats(self) -> dict[str, int]:
        return {"documents": self.documents, "clusters": self.clusters, "dropped": self.dropped,
                "exact_dropped": self.exact_dropped, "near_dropped": self.dropped - self.exact_dropped,
                "candidates": self.candidates, "verified": self.verified}

    def relabel(self, name: Callable[[int], Hashable], row: Callable[[int], int],
                ids: Sequence[Any], sources: Sequence[Any]) -> "Decisions":
        """Decisions by position (`settle`'s) with position p named `name(p)` and its id and source
        at row `row(p)` of `ids` and `sources`. Only the clustered documents are touched."""
        out = Decisions(self.documents, self.clusters, self.dropped, self.exact_dropped, self.candidates,
                        self.verified, ids=ids, sources=sources)
        out.replaced_by = {name(p): row(rep) for p, rep in self.replaced_by.items()}
        out.duplicates = {name(rep): [(row(p), sim) for p, sim in dups] for rep, dups in self.duplicates.items()}
        return out


def settle(table: SignatureTable, roots: np.ndarray, out: Decisions | None = None) -> Decisions:
    """One representative per cluster of the positions of `table` (`roots[p]`: p's cluster, e.g. its
    union-find root), and what it replaced, into `out` (a new Decisions by default); documents and
    rows are positions."""
    out = out if out is not None else Decisions(documents=table.n)
    order = np.argsort(roots, kind="stable")
    bounds = np.flatnonzero(np.r_[True, roots[order][1:] != roots[order][:-1], True])
    sizes = np.diff(bounds)

    def rank(i: int) -> tuple[int, int, int]:
        size, length = table.size_length(i)
        return (-size, -length, i)

    for lo, hi in zip(bounds[:-1][sizes >= 2].tolist(), bounds[1:][sizes >= 2].tolist()):
        group = order[lo:hi].tolist()
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
