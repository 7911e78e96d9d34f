"""The dedup stage as the engines see it: `signature(doc, counts)` per document in workers, then
`resolve([(index, sig), ...])` once over all signatures, giving what to keep and what each kept
document replaced. Keys are (document id, source) so that the representative's tie-break, and so
the kept record, never depends on input order or worker count.
"""
from __future__ import annotations

from typing import Any

from cleaner.dedup.cluster import find_clusters
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.normalise import template_keys_from
from cleaner.dedup.signature import signature
from cleaner.document import Document


class Resolution:
    """Dedup decisions by spool index (only the documents in clusters are held)."""

    def __init__(self, result: Any = None, index_of: dict[Any, int] | None = None, ids: dict[Any, str] | None = None):
        self.clusters, self.dropped = (result.clusters, result.dropped) if result is not None else (0, 0)
        self._rep: dict[int, str] = {}
        self._dups: dict[int, list[dict]] = {}
        for key, idx in (index_of or {}).items():
            if result.keep(key):
                dups = result.duplicates_of(key)
                if dups:
                    self._dups[idx] = [{"id": ids[d["id"]], "source": d["source"], "similarity": d["similarity"]} for d in dups]
            else:
                self._rep[idx] = ids[result.representative_of(key)]

    @classmethod
    def from_store(cls, store: Any, clusters: Any, order: list[int]) -> "Resolution":
        """From `SignatureStore.cluster`: positions -> store rows -> spool indices, ids, sources.
        Only store rows and similarities are held; ids, sources and the `duplicates` dicts are
        looked up when a record asks for them (the store's id and source lists stay alive)."""
        out = cls()
        out.clusters, out.dropped = clusters.clusters, clusters.dropped
        idx = store.idx
        out._ids, out._sources = store.ids, store.sources
        out._rep_rows = {idx[order[pos]]: order[rep] for pos, rep in clusters.replaced_by.items()}
        out._dup_rows = {idx[order[rep]]: [(order[p], sim) for p, sim in dups] for rep, dups in clusters.duplicates.items()}
        return out

    _rep_rows: dict[int, int] | None = None
    _dup_rows: dict[int, list[tuple[int, float]]] | None = None

    def keep(self, idx: int) -> bool:
        if self._rep_rows is not None:
            return idx not in self._rep_rows
        return idx not in self._rep

    def representative(self, idx: int) -> str:
        if self._rep_rows is not None:
            row = self._rep_rows.get(idx)
            return "" if row is None else self._ids[row]
        return self._rep.get(idx, "")

    def duplicates_of(self, idx: int) -> list[dict]:
        if self._dup_rows is not None:
            ids, sources = self._ids, self._sources
            return [{"id": ids[r], "source": sources[r], "similarity": sim} for r, sim in self._dup_rows.get(idx, ())]
        return self._dups.get(idx, [])


class DedupStage:
    needs_counts = True   # template lines (held by many documents) are left out of the shingles

    def __init__(self, config: DedupConfig):
        self.config = config
        self._template: Any = None
        self._counts_seen: Any = None

    def signature(self, doc: Document, counts: Any) -> Any:
        if counts is not None and counts is not self._counts_seen:
            self._template = template_keys_from(counts, self.config.template_threshold)
            self._counts_seen = counts
        sig = signature(doc.text, template_keys=self._template, config=self.config)
        return (doc.id, doc.source, sig)

    def new_store(self) -> Any:
        """A SignatureStore for `add(idx, *signature(doc, counts))` and `resolve_store`."""
        from cleaner.dedup.store import SignatureStore

        return SignatureStore()

    def resolve_store(self, store: Any) -> Resolution:
        """`resolve` over a SignatureStore: the same decisions, in compact memory."""
        clusters, order = store.cluster(self.config)
        return Resolution.from_store(store, clusters, order)

    def resolve(self, items: list[tuple[int, Any]]) -> Resolution:
        index_of: dict[Any, int] = {}
        ids: dict[Any, str] = {}
        rows = []
        for idx, (doc_id, source, sig) in items:
            key = (doc_id, source)
            if key in index_of:               # the same input given twice: keep keys unique, stably
                key = (doc_id, f"{source}\x1f{idx}")
            index_of[key] = idx
            ids[key] = doc_id
            rows.append((key, sig, source))
        return Resolution(find_clusters(rows, self.config), index_of, ids)


def make_stage(mode: str, near_threshold: float | None = None) -> DedupStage | None:
    """The stage for `--dedup near|exact|none` (None for none)."""
    if mode == "none":
        return None
    kwargs: dict[str, Any] = {"mode": mode}
    if near_threshold is not None:
        kwargs["near_threshold"] = near_threshold
    return DedupStage(DedupConfig(**kwargs))
