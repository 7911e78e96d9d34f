"""The dedup signatures of a whole run, compact: what `DedupStage.resolve_store` decides over.

Per document in memory: its spool index, id and source (the tie-break key and what a record's
`duplicates` names), the exact hash, the story size and word count, and its LSH band keys (8 bytes a
band) in one flat buffer. The bottom-k sketches (up to 1 KB a document, only read to verify a
candidate pair or to score a cluster member) go to an unnamed temporary file and are read back by
offset. ~0.6 KB a document in memory instead of ~3-4 KB of Signature objects and the clusterer's
lists.
"""
from __future__ import annotations

import os
import tempfile
from array import array
from typing import Any

import numpy as np

from cleaner.dedup.cluster import cluster_table
from cleaner.dedup.decide import Decisions
from cleaner.dedup.signature import Signature
from cleaner.dedup.table import SignatureTable, key_order


class SignatureStore:
    def __init__(self) -> None:
        self.idx = array("q")
        self.ids: list[str] = []
        self.sources: list[str] = []
        self.exact = array("Q")
        self.has_exact = bytearray()
        self.size = array("I")
        self.length = array("I")
        self.band_row = array("q")          # row in `bands`, -1 for a document without bands
        self.bands = bytearray()
        self.band_bytes: int | None = None  # width of every band row (all rows must agree)
        self.band_widths: set[int] = set()
        self._file = tempfile.TemporaryFile(prefix="cleaner-sketch-")
        self.sketch_at = array("Q")
        self.sketch_len = array("I")
        self._end = 0

    def __len__(self) -> int:
        return len(self.idx)

    def add(self, idx: int, doc_id: str, source: str, sig: Signature) -> None:
        self.idx.append(idx)
        self.ids.append(doc_id)
        self.sources.append(source)
        self.exact.append(sig.exact or 0)
        self.has_exact.append(sig.exact is not None)
        self.size.append(sig.size)
        self.length.append(sig.length)
        self.band_widths.add(len(sig.bands))
        if sig.bands:
            self.band_bytes = self.band_bytes or len(sig.bands)   # (other widths fail band_widths_ok)
            self.band_row.append(len(self.bands) // self.band_bytes)
            self.bands += sig.bands
        else:
            self.band_row.append(-1)
        self._file.write(sig.sketch)
        self.sketch_at.append(self._end)
        self.sketch_len.append(len(sig.sketch))
        self._end += len(sig.sketch)

    def signature(self, row: int) -> Signature:
        n = self.sketch_len[row]
        sketch = os.pread(self._file.fileno(), n, self.sketch_at[row]) if n else b""
        b = self.band_row[row]
        bands = bytes(self.bands[b * self.band_bytes:(b + 1) * self.band_bytes]) if b >= 0 else b""
        return Signature(self.exact[row] if self.has_exact[row] else None, self.size[row], self.length[row], bands, sketch)

    def close(self) -> None:
        self._file.close()

    def cluster(self, config: Any) -> tuple[Decisions, list[int]]:
        """Cluster in key order (`key_order`); returns the decisions by position and each position's row."""
        self._file.flush()
        order = key_order(self.ids, self.sources, self.idx)
        return cluster_table(_StoreTable(self, order), config), order

    def decide(self, config: Any) -> Decisions:
        """The decisions by spool index; a record's ids and sources are read from this store's lists."""
        decisions, order = self.cluster(config)
        idx = self.idx
        return decisions.relabel(lambda p: idx[order[p]], order.__getitem__, self.ids, self.sources)


class _StoreTable(SignatureTable):
    """A SignatureStore seen in key order (position p is store row order[p])."""

    def __init__(self, store: SignatureStore, order: list[int]) -> None:
        self.store, self.order, self.n = store, order, len(order)
        self._rows = np.asarray(order, dtype=np.int64)

    def exact_hashes(self) -> tuple[np.ndarray, np.ndarray]:
        has = np.frombuffer(bytes(self.store.has_exact), dtype=np.uint8).astype(bool) if self.n else np.empty(0, bool)
        exact = np.frombuffer(self.store.exact, dtype=np.uint64) if self.n else np.empty(0, np.uint64)
        positions = np.flatnonzero(has[self._rows])
        return positions.astype(np.int64), exact[self._rows[positions]]

    def banded(self, i: int) -> bool:
        return self.store.band_row[self.order[i]] >= 0

    def band_widths_ok(self, bands: int) -> bool:
        return self.store.band_widths <= {0, 8 * bands}

    def band_column(self, owners: np.ndarray, band: int) -> np.ndarray:
        store = self.store
        width = store.band_bytes // 8
        matrix = np.frombuffer(store.bands, dtype=np.uint64).reshape(-1, width)
        band_rows = np.frombuffer(store.band_row, dtype=np.int64)[self._rows[owners]]
        return np.ascontiguousarray(matrix[band_rows, band])

    def sig(self, i: int) -> Signature:
        return self.store.signature(self.order[i])

    def size_length(self, i: int) -> tuple[int, int]:
        row = self.order[i]
        return self.store.size[row], self.store.length[row]
