"""The Ray engine's dedup: the local engine's decisions, with nothing per document on the driver.

`decide` runs `_decide_here` as one coordinating task (no CPU of its own: it waits on the tasks it
starts). It puts the signed documents in key order in a task (`_key_columns`, `key_order`), keeping
fixed-width scalars only (input index, exact hash, size, length, banded: 34 bytes a document); links
exact copies; turns the banded documents' signatures into (band, key, position) rows on the workers;
one task per group of bands links the documents sharing a bucket (`band_edges`) and verifies the
candidates (`link_verified`); union-find in the coordinator; a task settles the clusters (`settle`)
over the signatures of clustered documents only and names them. The driver receives the `Decisions`,
whose size grows with the documents in clusters, not with the corpus.
"""
from __future__ import annotations

import pickle
from typing import Any

import numpy as np

from cleaner.dedup import Decisions, SignatureTable

KEY_COLUMNS = ("idx", "did", "dsrc", "exact", "has_exact", "size", "length", "banded")


# -- worker side ------------------------------------------------------------------------------
def only_rows(batch: dict[str, np.ndarray], *, kinds: tuple = (), idx_ref: list | None = None,
              listed_ref: list | None = None) -> dict[str, np.ndarray]:
    """The rows of a batch of one of `kinds`, or whose idx is marked in the boolean array `idx_ref`,
    or listed in the sorted index array `listed_ref` (a few rows of a large corpus)."""
    import ray

    if listed_ref is not None:
        listed = ray.get(listed_ref[0])
        idx = batch["idx"]
        at = np.minimum(np.searchsorted(listed, idx), max(listed.size - 1, 0))
        keep = listed[at] == idx if listed.size else np.zeros(idx.size, dtype=bool)
    elif idx_ref is not None:
        marked = ray.get(idx_ref[0])
        idx = batch["idx"]
        keep = np.zeros(idx.size, dtype=bool)
        inside = idx < marked.size
        keep[inside] = marked[idx[inside]]
    else:
        keep = np.isin(batch["kind"].astype(str), list(kinds))
    return {k: v[keep] for k, v in batch.items()}


def _band_rows(batch: dict[str, np.ndarray], *, position_ref: list, bands: int) -> dict[str, Any]:
    """(band, band key, owner) rows of the documents that take part in LSH (dedup as a map)."""
    import ray

    position = ray.get(position_ref[0])          # input index -> clustering position, -1: not banded
    band, key, owner = [], [], []
    for idx, sig in zip(batch["idx"].tolist(), batch["sig"]):
        pos = int(position[idx]) if idx < position.size else -1
        if pos < 0 or not sig:
            continue
        keys = pickle.loads(sig)[2].band_keys()
        band.append(np.arange(bands, dtype=np.int64))
        key.append(keys)
        owner.append(np.full(bands, pos, dtype=np.int64))
    if not band:
        return {"band": np.empty(0, np.int64), "key": np.empty(0, np.uint64), "owner": np.empty(0, np.int64)}
    return {"band": np.concatenate(band), "key": np.concatenate(key), "owner": np.concatenate(owner)}


def _signature_table(position: np.ndarray, *blocks: Any) -> dict[int, Any]:
    """Clustering position -> Signature, for the rows of `blocks` that have a position (in a task)."""
    table = {}
    for block in blocks:
        for idx, sig in zip(block.column("idx").to_pylist(), block.column("sig").to_pylist()):
            if idx < position.size and position[idx] >= 0 and sig:
                table[int(position[idx])] = pickle.loads(sig)[2]
    return table


def _band_group(part: int, parts: int, sigs: dict, config: Any, want_candidates: bool,
                *blocks: Any) -> tuple[np.ndarray, np.ndarray]:
    """One group of bands (band % parts == part): candidate edges within its buckets, verified.

    Returns (verified edges that join components, candidate edges if wanted, else none) for those
    bands. Each band is independent, so the bands are the shuffle key; `blocks` are the (band, key,
    owner) tables of the band-row map. An edge whose ends the group's verified edges already join
    is not verified (it would not change the components), so at most one edge a document goes back.
    """
    from cleaner.dedup import UnionFind, as_codes, band_edges, from_codes, link_verified

    band = np.concatenate([b.column("band").to_numpy() for b in blocks]) if blocks else np.empty(0, np.int64)
    key = np.concatenate([b.column("key").to_numpy() for b in blocks]) if blocks else np.empty(0, np.uint64)
    owner = np.concatenate([b.column("owner").to_numpy() for b in blocks]) if blocks else np.empty(0, np.int64)
    n = int(owner.max()) + 1 if owner.size else 1
    codes = np.empty(0, np.int64)
    for b in range(part, config.bands, parts):
        mine = band == b
        found = band_edges(np.ascontiguousarray(key[mine]), np.ascontiguousarray(owner[mine]), config.bucket_neighbours)
        codes = np.union1d(codes, as_codes(found, n))
    candidates = from_codes(codes, n)
    joined = link_verified(candidates, sigs.__getitem__, config, UnionFind(n))
    verified = np.asarray(joined, dtype=np.int64).reshape(-1, 2)
    return verified, (candidates if want_candidates else np.empty((0, 2), np.int64))


def _settle(idx: list[int], roots: np.ndarray, *blocks: Any) -> tuple[Any, list, list]:
    """`settle` over the clustered documents only (whole components), in a task: decisions by their
    position in `idx` (input indexes, in key order), and those documents' ids and sources."""
    from cleaner.dedup import SignatureList, settle

    want = {i: p for p, i in enumerate(idx)}
    sigs: list[Any] = [None] * len(idx)
    ids: list[Any] = [None] * len(idx)
    sources: list[Any] = [None] * len(idx)
    for block in blocks:
        for i, sig in zip(block.column("idx").to_pylist(), block.column("sig").to_pylist()):
            if i in want:
                ids[want[i]], sources[want[i]], sigs[want[i]] = pickle.loads(sig)
    return settle(SignatureList(sigs), roots), ids, sources


def _signed_keys(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rows that take part in dedup (kept documents with an id or a source) and their key columns."""
    keep = (batch["kind"] == "ok") & np.array([bool(a) or bool(b) for a, b in zip(batch["did"], batch["dsrc"])],
                                              dtype=bool)
    return {k: batch[k][keep] for k in KEY_COLUMNS}


def _key_columns(*blocks: Any) -> dict[str, np.ndarray]:
    """The signed documents' scalars in key order (`key_order`), in a task: the driver gets fixed-width
    columns (idx, exact, has_exact, size, length, banded: 34 bytes a document), never the ids and sources."""
    from cleaner.dedup import key_order

    cols = {k: [] for k in KEY_COLUMNS}
    for block in blocks:
        for k in KEY_COLUMNS:
            cols[k].append(block.column(k).to_numpy(zero_copy_only=False))
    merged = {k: (np.concatenate(v) if v else np.empty(0)) for k, v in cols.items()}
    by_index = np.argsort(merged["idx"], kind="stable")         # row order = input order (key_order's repeats)
    merged = {k: v[by_index] for k, v in merged.items()}
    order = np.asarray(key_order([str(d) for d in merged["did"]], [str(s) for s in merged["dsrc"]],
                                 merged["idx"].tolist()), dtype=np.int64)
    return {k: np.ascontiguousarray(merged[k][order]) for k in KEY_COLUMNS if k not in ("did", "dsrc")}


class _Scalars(SignatureTable):
    """What `exact_links` reads (`SignatureTable.exact_hashes`) from the key columns."""

    def __init__(self, keys: dict[str, np.ndarray]) -> None:
        self.keys, self.n = keys, len(keys["idx"])

    def exact_hashes(self) -> tuple[np.ndarray, np.ndarray]:
        positions = np.flatnonzero(self.keys["has_exact"])
        return positions.astype(np.int64), self.keys["exact"][positions].astype(np.uint64)


# -- driver side: dedup -----------------------------------------------------------------------
def distributed_clusters(ray: Any, signed: Any, keys: dict[str, np.ndarray], config: Any, *,
                         count_candidates: bool = False) -> Decisions:
    """The dedup `Decisions` by input index, as the local engine's, from the scalars of each signature
    on the driver.

    `keys`: fixed-width columns in key order (`key_order`; `_key_columns`): idx (input index), exact,
    has_exact, size, length, banded; `signed`: a dataset with the pickled (id, source, signature) (column
    `sig`) by input index (column `idx`). The ids and sources of the clustered documents come back
    from the task that settles them. The result's `candidates` is counted only with `count_candidates`
    (the edges would come to the driver); a run reports none of it.
    """
    from cleaner.dedup import UnionFind, exact_links

    n = len(keys["idx"])
    out = Decisions(documents=n)
    if config.mode == "none" or not n:
        return out
    index = keys["idx"]
    links, leaders = exact_links(_Scalars(keys))
    uf = UnionFind(n)
    for first, other in links:
        uf.union(first, other)
    del links
    size = int(index.max()) + 1
    if config.mode == "near":
        banded = keys["banded"]
        members = [p for p in leaders if banded[p]]
        if len(members) >= 2:
            position = np.full(size, -1, dtype=np.int64)
            position[index[members]] = members
            del members
            position_ref = [ray.put(position)]
            member_rows = signed.select_columns(["idx", "sig"]).map_batches(
                only_rows, fn_kwargs={"idx_ref": [ray.put(position >= 0)]}, batch_format="numpy").materialize()
            del position
            table = ray.remote(_signature_table).remote(position_ref[0], *member_rows.to_arrow_refs())
            banded_rows = member_rows.map_batches(_band_rows, fn_kwargs={"position_ref": position_ref, "bands": config.bands},
                                                  batch_format="numpy")
            blocks = banded_rows.to_arrow_refs()
            parts = max(1, min(config.bands, int(ray.cluster_resources().get("CPU", 1))))
            group = ray.remote(_band_group).options(num_returns=2)
            results = [group.remote(p, parts, table, config, count_candidates, *blocks) for p in range(parts)]
            verified = np.concatenate([ray.get(v) for v, _ in results])
            if count_candidates:
                out.candidates = len(np.unique(np.concatenate([ray.get(c) for _, c in results]), axis=0))
            del results
            del table, blocks, member_rows
            for i, j in (np.unique(verified, axis=0) if len(verified) else verified).tolist():
                out.verified += uf.union(i, j)
    del leaders
    roots = uf.roots()
    del uf
    clustered = np.flatnonzero(np.bincount(roots, minlength=n)[roots] >= 2)
    if clustered.size == 0:
        return out
    idx = index[clustered].tolist()
    mark = np.zeros(size, dtype=bool)
    mark[idx] = True
    picked = signed.select_columns(["idx", "sig"]).map_batches(
        only_rows, fn_kwargs={"idx_ref": [ray.put(mark)]}, batch_format="numpy").to_arrow_refs()
    settled, ids, sources = ray.get(ray.remote(_settle).remote(idx, roots[clustered], *picked))
    settled.documents, settled.candidates, settled.verified = out.documents, out.candidates, out.verified
    return settled.relabel(idx.__getitem__, lambda q: q, ids, sources)


def _decide_here(final: Any, config: Any) -> Decisions:
    """Dedup over the dataset `final`, run as a task (`decide`): a task puts the signed documents in key
    order, then `distributed_clusters`; the per-document columns, the union-find and the Ray Data
    bookkeeping of the dedup passes live in this task's worker, not on the driver."""
    import ray
    from ray.data import DataContext

    DataContext.get_current().execution_options.preserve_order = True
    blocks = final.select_columns(["kind", *KEY_COLUMNS]).map_batches(_signed_keys, batch_format="numpy").to_arrow_refs()
    keys = ray.get(ray.remote(_key_columns).remote(*blocks))
    del blocks
    return distributed_clusters(ray, final, keys, config)


def decide(ray: Any, dedup: Any, final: Any) -> Decisions:
    """`DedupStage.resolve` with the clustering distributed: the same keys, the same decisions. The
    driver only receives the decisions (their size grows with the documents in clusters, not with the
    corpus); the coordinating task takes no CPU of its own (it waits on the tasks it starts)."""
    task = ray.remote(_decide_here).options(num_cpus=0)
    return ray.get(task.remote(final, dedup.config))
