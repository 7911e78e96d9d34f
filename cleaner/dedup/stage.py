"""The dedup stage as the engines see it: `signature(doc, counts)` per document in workers, then
`resolve_store(store)` (or `resolve([(index, sig), ...])`) once over all signatures, giving the
`Decisions`: what to keep and what each kept document replaced. Keys are (document id, source) so
that the representative's tie-break, and so the kept record, never depends on input order or worker
count.
"""
from __future__ import annotations

from typing import Any

from cleaner.dedup.cluster import cluster_table
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.decide import Decisions
from cleaner.dedup.normalise import template_keys_from
from cleaner.dedup.signature import signature
from cleaner.dedup.table import SignatureList, key_order
from cleaner.document import Document


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

    def resolve_store(self, store: Any) -> Decisions:
        """The decisions by spool index over a SignatureStore (compact memory)."""
        return store.decide(self.config)

    def resolve(self, items: list[tuple[int, Any]]) -> Decisions:
        """The decisions by index over `[(index, signature(doc, counts)), ...]` (the same as
        `resolve_store` over a store holding them)."""
        indexes = [idx for idx, _ in items]
        ids = [sig[0] for _, sig in items]
        sources = [sig[1] for _, sig in items]
        order = key_order(ids, sources, indexes)
        decisions = cluster_table(SignatureList([items[r][1][2] for r in order]), self.config)
        return decisions.relabel(lambda p: indexes[order[p]], order.__getitem__, ids, sources)


def make_stage(mode: str, near_threshold: float | None = None) -> DedupStage | None:
    """The stage for `--dedup near|exact|none` (None for none)."""
    if mode == "none":
        return None
    kwargs: dict[str, Any] = {"mode": mode}
    if near_threshold is not None:
        kwargs["near_threshold"] = near_threshold
    return DedupStage(DedupConfig(**kwargs))
