"""The Ray engine: the same steps as the local engine on a Ray cluster, with the same records.

Shape of a run; the driver holds per-input state and the dedup decisions, never documents or
per-document lists (its peak memory stays flat as the corpus grows: bench/ray_memory.py):
  plan       the driver lists the inputs as segments (`cleaner.sources.plan`: one per file, per run
             of URLs, per chunk of in-memory documents); nothing is read yet
  read + A   a Ray Data map reads each segment on a worker (the local engine's readers, failures and
             URL politeness) and runs the per-document steps (`phase.work`) on its items in the same task;
             rows carry (segment, ordinal): the input index is segment offset + ordinal, the local
             engine's spool index, once the driver has counted the rows per segment
  rows       a map folds each block of phase A's rows into rows per segment and its failures
             (`segment_rows`): the driver reads one row per block and prints the failures in order
  counts     each kept document's line keys (8-byte hashes) and site; a map folds them into partial
             `LineCounts`, tasks merge the partials in a tree, and the merged table stays in the
             object store for phase B (the driver holds a reference)
  phase B    `map_batches` of the steps that need the counts, plus the dedup signature
  stats      a map folds each block of the final rows into a partial `Stats` (`block_stats`: the
             local engine's `add_document`); the driver merges them in input order (`Stats.merge`)
             and prints phase B's failures, one row per block
  dedup      one coordinating task (no CPU of its own) runs it, so the driver holds nothing per
             document: a task puts the signed documents in key order (`key_order`) and keeps their
             fixed-width scalars (input index, exact hash, size, length, banded; no ids, no
             sketches); exact copies are linked; workers turn the banded documents' signatures into
             (band, key, position) rows, one task per group of bands links the documents sharing a
             bucket (`band_edges`: a bounded number of edges a document) and verifies those
             candidates (`link_verified`); union-find in the coordinator; a task settles the clusters
             (representative, similarities: `settle`, the local engine's rule) over the signatures of
             clustered documents only and names them; the driver gets the local engine's `Decisions`
             (their size grows with the documents in clusters, not with the corpus)
  records    `-o DIR/`: workers measure every kept record, a task cuts the shards where
             `ShardWriter` would, and one task per shard writes it (ray_io.py); other outputs stream
             the records to the driver in input order, as before

The tasks of read + A, counts and phase B are in ray_tasks.py, dedup in ray_dedup.py; connecting to Ray in ray_setup.py.
The option `ray_trace = "FILE"` (config) writes which node read each input and wrote each shard (a
JSON side channel).
"""
from __future__ import annotations

import json
import pickle
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from cleaner.dedup import Decisions
from cleaner.document import Document
from cleaner.engines.phase import make_deduper
from cleaner.engines.ray_dedup import decide, only_rows
from cleaner.engines.ray_io import node_id, write_shards
from cleaner.engines.ray_setup import ensure_ray, guarded
from cleaner.engines.ray_tasks import (
    BATCH,
    add_index,
    block_stats,
    line_counts,
    read_phase_a,
    run_phase_b,
    segment_rows,
)
from cleaner.engines.run import count_clusters, release
from cleaner.sources import Failure
from cleaner.steps.run import split_phases

_PROTOCOL = pickle.HIGHEST_PROTOCOL



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

        # Rows per segment (-> input indexes) and phase A's failures, in input order: one row per block.
        counts = np.zeros(nseg, dtype=np.int64)
        readers: dict[int, str] = {}
        columns = ["task", "kind", "fail"] + (["node"] if self.segment_names else [])
        for row in first.select_columns(columns).map_batches(segment_rows, batch_format="numpy",
                                                             batch_size=None).iter_rows():
            tasks, rows = pickle.loads(row["rows"])
            counts[tasks] += rows
            for blob in pickle.loads(row["fails"]):
                self.on_failure(pickle.loads(blob))
            for t, node in pickle.loads(row["nodes"]).items():
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

        # Accounting on the workers: a partial Stats per block, merged here in input order (documents
        # and their accounting stay in the object store); phase B's failures come back to be printed.
        signed = drops = 0
        shown_phase = "B" if second_pass else "-"      # phase A's failures were printed above
        for row in final.select_columns(["kind", "phase", "fail", "acct", "did", "dsrc"]).map_batches(
                block_stats, fn_kwargs={"shown_phase": shown_phase}, batch_format="numpy", batch_size=None).iter_rows():
            stats.merge(pickle.loads(row["stats"]))
            for blob in pickle.loads(row["fails"]):
                self.on_failure(pickle.loads(blob))
            drops += pickle.loads(row["drops"])
            signed += pickle.loads(row["signed"])
        if self.on_reject and drops:
            for doc in self._docs(ray, kinds=("drop",)):
                self.on_reject(doc)
        self.decisions = decide(ray, dedup, final) if dedup is not None and signed else None
        if self.decisions is not None:
            count_clusters(stats, self.decisions)
        return True

    def _docs(self, ray: Any, kinds: tuple = (), listed: np.ndarray | None = None) -> Iterator[Document]:
        """The pickled documents of some rows (of `kinds`, or whose input index is in the sorted array
        `listed`), streamed to the driver in input order."""
        kwargs: dict[str, Any] = {"listed_ref": [ray.put(listed)]} if listed is not None else {"kinds": kinds}
        rows = self.final.select_columns(["idx", "kind", "doc"]).map_batches(only_rows, fn_kwargs=kwargs, batch_format="numpy")
        for batch in rows.iter_batches(batch_format="numpy"):
            for blob in batch["doc"]:
                yield pickle.loads(blob)

    def _reject_duplicates(self, ray: Any) -> None:
        d = self.decisions
        if self.on_reject is None or d is None or not d.replaced_by:
            return
        dropped = d.dropped_documents()
        listed = np.asarray(dropped, dtype=np.int64)        # as many as the duplicates, not the corpus
        for doc, idx in zip(self._docs(ray, listed=listed), dropped):
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
