"""The Ray engine: the same steps as the local engine on a Ray cluster, with the same records.

Shape of a run; the driver holds per-input and per-document scalars, never documents:
  plan       the driver lists the inputs as segments (`cleaner.sources.plan`: one per file, per run
             of URLs, per chunk of in-memory documents); nothing is read yet
  read + A   a Ray Data map reads each segment on a worker (the local engine's readers, failures and
             URL politeness) and runs the per-document steps (`phase.work`) on its items in the same task;
             rows carry (segment, ordinal): the input index is segment offset + ordinal, the local
             engine's spool index, once the driver has counted the rows per segment
  counts     each kept document's line keys (8-byte hashes) and site; a map folds them into partial
             `LineCounts`, tasks merge the partials in a tree, and the merged table stays in the
             object store for phase B (the driver holds a reference)
  phase B    `map_batches` of the steps that need the counts, plus the dedup signature
  dedup      the driver gets each signed document's key, exact hash, size and length (no sketches):
             sorts by key, links exact copies; workers turn the banded documents' signatures into
             (band, key, position) rows, one task per group of bands links the documents sharing a
             bucket (`band_edges`: a bounded number of edges a document) and verifies
             those candidates (`link_verified`); union-find on the driver; a task settles the
             clusters (representative, similarities: `settle`, the local engine's rule) over the
             signatures of clustered documents only; the result is the local engine's `Decisions`
  records    `-o DIR/`: workers measure every kept record, the driver cuts the shards where
             `ShardWriter` would, and one task per shard writes it (ray_io.py); other outputs stream
             the records to the driver in input order, as before

The tasks of read + A, counts and phase B are in ray_tasks.py; connecting to Ray in ray_setup.py.
The option `ray_trace = "FILE"` (config) writes which node read each input and wrote each shard (a
JSON side channel).
"""
from __future__ import annotations

import json
import pickle
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from cleaner.document import Document
from cleaner.dedup import Decisions
from cleaner.engines.phase import make_deduper
from cleaner.engines.ray_io import node_id, write_shards
from cleaner.engines.ray_setup import ensure_ray, guarded
from cleaner.engines.ray_tasks import BATCH, add_index, line_counts, read_phase_a, run_phase_b
from cleaner.engines.run import count_clusters, release
from cleaner.sources import Failure
from cleaner.steps.run import split_phases

_PROTOCOL = pickle.HIGHEST_PROTOCOL


# -- worker side (the phases' tasks are in ray_tasks.py) ----------------------------------------
def _only(batch: dict[str, np.ndarray], *, kinds: tuple = (), idx_ref: list | None = None) -> dict[str, np.ndarray]:
    """The rows of a batch of one of `kinds`, or whose idx is marked in the boolean array `idx_ref`."""
    import ray

    if idx_ref is not None:
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


def _settle(idx: list[int], roots: np.ndarray, *blocks: Any) -> Any:
    """`settle` over the clustered documents only (whole components), in a task: decisions by their
    position in `idx` (input indexes, in key order)."""
    from cleaner.dedup import SignatureList, settle

    want = {i: p for p, i in enumerate(idx)}
    sigs: list[Any] = [None] * len(idx)
    for block in blocks:
        for i, sig in zip(block.column("idx").to_pylist(), block.column("sig").to_pylist()):
            if i in want:
                sigs[want[i]] = pickle.loads(sig)[2]
    return settle(SignatureList(sigs), roots)


# -- driver side: dedup -----------------------------------------------------------------------
def distributed_clusters(ray: Any, signed: Any, rows: list[tuple], config: Any, *, count_candidates: bool = False) -> Decisions:
    """The dedup `Decisions` by input index, as the local engine's, from the scalars of each signature
    on the driver.

    `rows`: (id, source, idx, exact | None, size, length, banded) in key order (`key_order`);
    `signed`: a dataset with the pickled signatures (column `sig`) by input index (column `idx`). The
    result's `candidates` is counted only with `count_candidates` (the edges would come to the
    driver); a run reports none of it.
    """
    from cleaner.dedup import Signature, UnionFind, exact_links

    out = Decisions(documents=len(rows))
    if config.mode == "none" or not rows:
        return out
    light = [Signature(r[3], r[4], r[5], b"", b"") for r in rows]      # what exact_links reads
    links, leaders = exact_links(light)
    del light
    uf = UnionFind(len(rows))
    for first, other in links:
        uf.union(first, other)
    size = max(r[2] for r in rows) + 1
    if config.mode == "near":
        members = [p for p in leaders if rows[p][6]]
        if len(members) >= 2:
            position = np.full(size, -1, dtype=np.int64)
            for p in members:
                position[rows[p][2]] = p
            position_ref = [ray.put(position)]
            member_rows = signed.select_columns(["idx", "sig"]).map_batches(
                _only, fn_kwargs={"idx_ref": [ray.put(position >= 0)]}, batch_format="numpy").materialize()
            table = ray.remote(_signature_table).remote(position_ref[0], *member_rows.to_arrow_refs())
            banded = member_rows.map_batches(_band_rows, fn_kwargs={"position_ref": position_ref, "bands": config.bands},
                                             batch_format="numpy")
            blocks = banded.to_arrow_refs()
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
    roots = uf.roots()
    clustered = np.flatnonzero(np.bincount(roots, minlength=len(rows))[roots] >= 2)
    if clustered.size == 0:
        return out
    idx = [rows[p][2] for p in clustered.tolist()]
    mark = np.zeros(size, dtype=bool)
    mark[idx] = True
    picked = signed.select_columns(["idx", "sig"]).map_batches(
        _only, fn_kwargs={"idx_ref": [ray.put(mark)]}, batch_format="numpy").to_arrow_refs()
    settled = ray.get(ray.remote(_settle).remote(idx, roots[clustered], *picked))
    settled.documents, settled.candidates, settled.verified = out.documents, out.candidates, out.verified
    return settled.relabel(idx.__getitem__, lambda q: q, [rows[p][0] for p in clustered.tolist()],
                           [rows[p][1] for p in clustered.tolist()])


def _decide(ray: Any, dedup: Any, final: Any, signed: list[tuple]) -> Decisions:
    """`DedupStage.resolve` with the clustering distributed: the same keys, the same decisions.
    `signed`: (idx, id, source, exact | None, size, length, banded) of each signed document."""
    from cleaner.dedup import key_order

    order = key_order([r[1] for r in signed], [r[2] for r in signed], [r[0] for r in signed])
    rows = [(signed[r][1], signed[r][2], signed[r][0], *signed[r][3:]) for r in order]
    del order
    return distributed_clusters(ray, final, rows, dedup.config)


# -- driver side: the run ---------------------------------------------------------------------
class _Run:
    """One run over the cluster: phases, accounting and dedup; then records or shards."""

    def __init__(self, pipe: Any, inputs: Iterable[Any], on_failure: Callable[[Failure], None],
                 on_reject: Callable[[Document], None] | None):
        self.pipe, self.inputs, self.on_failure, self.on_reject = pipe, inputs, on_failure, on_reject
        self.opts, self.stats = pipe.options, pipe.stats
        self.trace: dict[str, list] = {"reads": [], "shards": []}

    def prepare(self, ray: Any) -> bool:
        """Everything up to the dedup decisions; False when there is nothing to write."""
        import ray.data

        from cleaner.sources.plan import plan_segments

        opts, stats = self.opts, self.stats
        stats.expect_steps(step.name for step in self.pipe.steps)
        later = split_phases(self.pipe.steps)[1]
        dedup = make_deduper(opts)
        second_pass = bool(later) or (dedup is not None and dedup.needs_counts)
        options_blob = pickle.dumps(opts, _PROTOCOL)
        segments = [pickle.dumps(s, _PROTOCOL) for s in plan_segments(self.inputs, max_bytes=opts.max_bytes)]
        if not segments:
            return False
        nseg = len(segments)
        self.segment_names = [pickle.loads(s).display for s in segments] if opts.ray_trace else None
        cpus = int(ray.cluster_resources().get("CPU", 1))
        tasks = ray.data.from_items([{"task": i, "seg": s} for i, s in enumerate(segments)],
                                    override_num_blocks=min(nseg, max(64, 4 * cpus)))
        del segments
        first = tasks.map_batches(read_phase_a, fn_kwargs={"options_blob": options_blob, "last": not second_pass},
                                  batch_format="numpy", batch_size=1).materialize()

        # Rows per segment (-> input indexes) and phase A's failures, in input order.
        counts = np.zeros(nseg, dtype=np.int64)
        readers: dict[int, str] = {}
        columns = ["task", "kind", "fail"] + (["node"] if self.segment_names else [])
        for batch in first.select_columns(columns).iter_batches(batch_format="numpy"):
            np.add.at(counts, batch["task"], 1)
            for k, blob in zip(batch["kind"], batch["fail"]):
                if k == "fail":
                    self.on_failure(pickle.loads(blob))
            if self.segment_names:
                for t, node in zip(batch["task"].tolist(), batch["node"]):
                    readers.setdefault(t, node)
        if self.segment_names:
            self.trace["reads"] = [{"input": self.segment_names[t], "node": n} for t, n in sorted(readers.items())]
        total = int(counts.sum())
        if total == 0:
            return False
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        offsets_ref = [ray.put(offsets)]

        if second_pass:
            counts_ref = [line_counts(ray, first)]
            final = first.map_batches(run_phase_b, fn_kwargs={"options_blob": options_blob, "counts_ref": counts_ref,
                                                           "offsets_ref": offsets_ref},
                                      batch_format="numpy", batch_size=BATCH).materialize()
        else:
            final = first.map_batches(add_index, fn_kwargs={"offsets_ref": offsets_ref}, batch_format="numpy").materialize()
        del first
        self.final, self.total = final, total

        # Accounting over the compact columns (documents stay in the object store), then dedup.
        signed: list[tuple] = []
        drops = 0
        for batch in final.select_columns(["idx", "kind", "phase", "fail", "acct", "did", "dsrc", "exact", "has_exact",
                                           "size", "length", "banded"]).iter_batches(batch_format="numpy"):
            for row in zip(batch["idx"].tolist(), batch["kind"], batch["phase"], batch["fail"], batch["acct"],
                           batch["did"], batch["dsrc"], batch["exact"].tolist(), batch["has_exact"].tolist(),
                           batch["size"].tolist(), batch["length"].tolist(), batch["banded"].tolist()):
                idx, kind, phase, fail, acct, did, dsrc, exact, has_exact, size, length, banded = row
                if kind == "fail":
                    failure = pickle.loads(fail)
                    stats.add_failure(failure)
                    if phase == "B" and second_pass:
                        self.on_failure(failure)
                    continue
                stats.add_document(pickle.loads(acct), dropped=kind == "drop")
                if kind == "drop":
                    drops += 1
                elif did or dsrc:
                    signed.append((idx, str(did), str(dsrc), exact if has_exact else None, size, length, banded))
        if self.on_reject and drops:
            for doc in self._docs(ray, kinds=("drop",)):
                self.on_reject(doc)
        self.decisions = _decide(ray, dedup, final, signed) if dedup is not None and signed else None
        del signed
        if self.decisions is not None:
            count_clusters(stats, self.decisions)
        return True

    def _docs(self, ray: Any, kinds: tuple = (), marked: np.ndarray | None = None) -> Iterator[Document]:
        """The pickled documents of some rows, streamed to the driver in input order."""
        kwargs: dict[str, Any] = {"idx_ref": [ray.put(marked)]} if marked is not None else {"kinds": kinds}
        rows = self.final.select_columns(["idx", "kind", "doc"]).map_batches(_only, fn_kwargs=kwargs, batch_format="numpy")
        for batch in rows.iter_batches(batch_format="numpy"):
            for blob in batch["doc"]:
                yield pickle.loads(blob)

    def _reject_duplicates(self, ray: Any) -> None:
        d = self.decisions
        if self.on_reject is None or d is None or not d.replaced_by:
            return
        dropped = d.dropped_documents()
        marked = np.zeros(dropped[-1] + 1, dtype=bool)
        marked[dropped] = True
        for doc, idx in zip(self._docs(ray, marked=marked), dropped):
            doc.drop_reason = f"duplicate of {d.representative(idx)}"
            self.on_reject(doc)

    def records(self, ray: Any) -> Iterator[Document]:
        """The kept documents in input order, through the driver (single-file outputs)."""
        previous = -1
        for batch in self.final.select_columns(["idx", "kind", "doc"]).iter_batches(batch_format="numpy"):
            for idx, kind, blob in zip(batch["idx"].tolist(), batch["kind"], batch["doc"]):
                if idx <= previous:
                    raise RuntimeError("ray engine: records came back out of input order")
                previous = idx
                if kind != "ok":
                    continue
                doc = pickle.loads(blob)
                if release(doc, idx, self.decisions, self.stats, self.on_reject):
                    yield doc

    def write_shards(self, ray: Any, writer: Any, shard_size: int, explain: bool) -> None:
        """Workers write the shards into `writer`'s staging folder; the driver adds them in order."""
        self._reject_duplicates(ray)
        blocks = self.final.to_arrow_refs()          # the materialized blocks themselves, no copy
        kept, languages, shards = write_shards(ray, blocks, self.decisions or Decisions(), writer, shard_size, explain)
        self.stats.documents_out += kept
        self.stats.languages.update(languages)
        self.trace["shards"].extend(shards)

    def write_trace(self) -> None:
        """Which node read each input and wrote each shard, to the `ray_trace` file if one is set."""
        path = self.opts.ray_trace
        if path:
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"driver": node_id(), **self.trace}, f, indent=1)


def run_ray(pipe: Any, inputs: Iterable[Any], *, on_failure: Callable[[Failure], None],
            on_reject: Callable[[Document], None] | None) -> Iterator[Document]:
    """Run `pipe` over `inputs` on Ray; yield kept documents in input order (as run_local)."""
    ray, started = ensure_ray(pipe.options)
    run = _Run(pipe, inputs, on_failure, on_reject)
    try:
        if not guarded(lambda: run.prepare(ray)):
            return
        stream = run.records(ray)
        while True:
            try:
                doc = guarded(lambda: next(stream))
            except StopIteration:
                break
            yield doc
        run.write_trace()
    finally:
        if started:
            ray.shutdown()


def write_shards_on_ray(pipe: Any, inputs: Iterable[Any], writer: Any, *, shard_size: int, explain: bool,
                        on_failure: Callable[[Failure], None], on_reject: Callable[[Document], None] | None) -> None:
    """Run `pipe` over `inputs` on Ray with workers writing the shards of the open `writer`."""
    ray, started = ensure_ray(pipe.options)
    run = _Run(pipe, inputs, on_failure, on_reject)
    try:
        if guarded(lambda: run.prepare(ray)):
            guarded(lambda: run.write_shards(ray, writer, shard_size, explain))
        run.write_trace()
    finally:
        if started:
            ray.shutdown()
