"""The Ray engine: the same steps as the local engine on Ray Data, with the same records.

Shape of a run (each stage over compact data where it can be):
  read       on the driver with `iter_items` (the exact order, decoding, URL politeness and failure
             reporting of the local engine), each item tagged with its input index and put into the
             object store in pickled batches: the driver holds object refs, not the corpus
  phase A    `map_batches` of the per-document steps (the local engine's `_work`, so semantics match)
  counts     the line-count pass: phase A emits each kept document's line keys (8-byte hashes) and
             site; a `map_batches` folds them into one partial `LineCounts` per batch; the driver
             merges the partials and broadcasts the result through the object store
  phase B    `map_batches` of the steps that need the counts, plus the dedup signature
  dedup      a map turns signatures into (band, band key, document) rows -> one Ray task per group
             of bands (band % tasks) buckets its rows by key, pairs the documents sharing a bucket
             and verifies those candidates against the broadcast signatures -> union-find and the
             representative rule of `cleaner.dedup.cluster.find_clusters` on the driver (verified
             edges and signatures only). Ray Data's groupby cost ~12 s on a tiny input; the tasks
             are the same shuffle by band without that overhead.
  records    in input order (order is preserved through every map), stats as in `run_local`

`--ray-address` / RAY_ADDRESS connects to a cluster (cleaner must be installed on its nodes);
otherwise a local Ray with `jobs` CPUs, no dashboard, bound to loopback.
"""
from __future__ import annotations

import logging
import os
import pickle
import sys
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from cleaner.document import Document
from cleaner.engines.run import _init_phase, _limited, _work, count_clusters, make_deduper, release
from cleaner.linefreq import LineCounts, document_keys, site_of
from cleaner.sources import Failure
from cleaner.sources.read import iter_items

BATCH = 32          # documents per object-store block and per map batch
_PROTOCOL = pickle.HIGHEST_PROTOCOL

# Per-worker-process cache of the phase set up by `_init_phase` (building steps loads rules, models).
_WORKER: dict[str, Any] = {}


# -- Ray setup --------------------------------------------------------------------------------
def _ensure_ray(options: Any) -> tuple[Any, bool]:
    """Connect to `options.ray_address` or start a quiet local Ray; returns (ray, started_here)."""
    import ray
    from ray.data import DataContext

    ctx = DataContext.get_current()
    ctx.execution_options.preserve_order = True          # records come back in input order
    ctx.enable_progress_bars = sys.stderr.isatty()
    if hasattr(ctx, "print_on_execution_start"):
        ctx.print_on_execution_start = False
    quiet = logging.WARNING if sys.stderr.isatty() else logging.ERROR
    for name in ("ray", "ray.data"):     # start-up notices, "progress bars disabled", resource hints
        logging.getLogger(name).setLevel(quiet)
    if ray.is_initialized():
        return ray, False
    if options.ray_address:
        ray.init(address=options.ray_address, log_to_driver=False, configure_logging=False)
        return ray, True
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    ray.init(num_cpus=max(1, int(options.jobs)), include_dashboard=False, log_to_driver=False,
             configure_logging=False, logging_level=logging.WARNING,
             runtime_env={"env_vars": {"PYTHONPATH": path}})
    return ray, True


# -- worker side ------------------------------------------------------------------------------
def _phase_for(options_blob: bytes, which: str, counts_ref: list, last: bool) -> None:
    """Set up `_init_phase` in this worker once per (options, phase, counts)."""
    key = (hash(options_blob), which, counts_ref[0].hex() if counts_ref else None, last)
    if _WORKER.get("key") != key:
        import ray

        counts = ray.get(counts_ref[0]) if counts_ref else None
        _init_phase(pickle.loads(options_blob), which, counts, last)
        _WORKER["key"] = key


def _columns(idx: list[int], entries: list[tuple]) -> dict[str, Any]:
    """A batch of spool entries as columns: compact ones for the corpus passes, pickles for the rest."""
    kind, phase, doc, other, sig, keys, site, acct = [], [], [], [], [], [], [], []
    for entry in entries:
        kind.append(entry[0])
        phase.append(entry[2] if entry[0] == "fail" else "")
        if entry[0] == "ok":
            d = entry[1]
            doc.append(pickle.dumps(d, _PROTOCOL))
            other.append(b"")
            sig.append(pickle.dumps(entry[2], _PROTOCOL) if entry[2] is not None else b"")
            keys.append(np.fromiter(sorted(document_keys(d.lines)), dtype=np.uint64).tobytes())
            site.append(site_of(d.url, d.source))
            acct.append(pickle.dumps(([r.rule for r in d.removed], list(d.events)), _PROTOCOL))
        else:
            doc.append(b"")
            other.append(pickle.dumps(entry, _PROTOCOL))
            sig.append(b"")
            keys.append(b"")
            site.append("")
            acct.append(b"")
    return {"idx": np.asarray(idx, dtype=np.int64), "kind": np.asarray(kind, dtype=object),
            "phase": np.asarray(phase, dtype=object), "doc": np.asarray(doc, dtype=object),
            "other": np.asarray(other, dtype=object), "sig": np.asarray(sig, dtype=object),
            "keys": np.asarray(keys, dtype=object), "site": np.asarray(site, dtype=object),
            "acct": np.asarray(acct, dtype=object)}


def _phase_a(batch: dict[str, np.ndarray], *, options_blob: bytes, last: bool) -> dict[str, Any]:
    _phase_for(options_blob, "A", [], last)
    entries = [_work(pickle.loads(item)) for item in batch["item"]]
    return _columns(batch["idx"].tolist(), entries)


def _phase_b(batch: dict[str, np.ndarray], *, options_blob: bytes, counts_ref: list) -> dict[str, Any]:
    _phase_for(options_blob, "B", counts_ref, True)
    entries = []
    for kind, doc, other in zip(batch["kind"], batch["doc"], batch["other"]):
        item = ("ok", pickle.loads(doc), None) if kind == "ok" else pickle.loads(other)
        entries.append(_work(item))
    return _columns(batch["idx"].tolist(), entries)


def _partial_counts(batch: dict[str, np.ndarray]) -> dict[str, Any]:
    """One partial LineCounts per batch of phase-A rows (the map side of the line-count pass)."""
    counts = LineCounts()
    for kind, keys, site in zip(batch["kind"], batch["keys"], batch["site"]):
        if kind == "ok":
            counts.add(set(np.frombuffer(keys, dtype=np.uint64).tolist()), site)
    return {"counts": np.asarray([pickle.dumps(counts, _PROTOCOL)], dtype=object)}


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


def _band_group(part: int, parts: int, sigs: list, config: Any, *blocks: Any) -> tuple[np.ndarray, int]:
    """One group of bands (band % parts == part): candidate pairs within its buckets, verified.

    Returns (verified pairs, candidate pairs) for those bands. Each band is independent, so the
    bands are the shuffle key; `blocks` are the (band, key, owner) tables of the band-row map.
    """
    from cleaner.dedup.cluster import _near, _pairs_in_buckets

    band = np.concatenate([b.column("band").to_numpy() for b in blocks]) if blocks else np.empty(0, np.int64)
    key = np.concatenate([b.column("key").to_numpy() for b in blocks]) if blocks else np.empty(0, np.uint64)
    owner = np.concatenate([b.column("owner").to_numpy() for b in blocks]) if blocks else np.empty(0, np.int64)
    chunks = []
    for b in range(part, config.bands, parts):
        mine = band == b
        found = _pairs_in_buckets(np.ascontiguousarray(key[mine]), np.ascontiguousarray(owner[mine]))
        if found:
            chunks.append(np.unique(np.concatenate(found), axis=0))
    if not chunks:
        return np.empty((0, 2), np.int64), np.empty((0, 2), np.int64)
    candidates = np.unique(np.concatenate(chunks), axis=0)
    keep = np.fromiter((_near(sigs[i], sigs[j], config) for i, j in candidates.tolist()), dtype=bool, count=len(candidates))
    return candidates[keep], candidates


# -- driver side ------------------------------------------------------------------------------
def _input_blocks(ray: Any, inputs: Iterable[Any], options: Any) -> list[Any]:
    """Read on the driver in input order; pickled batches of (index, item) straight to the object store."""
    import pyarrow as pa

    refs: list[Any] = []
    idx: list[int] = []
    items: list[bytes] = []

    def flush() -> None:
        if idx:
            refs.append(ray.put(pa.table({"idx": pa.array(idx, pa.int64()), "item": pa.array(items, pa.binary())})))
            idx.clear()
            items.clear()

    for n, item in enumerate(iter_items(inputs, max_bytes=options.max_bytes)):
        idx.append(n)
        items.append(pickle.dumps(_limited(item, options.max_chars), _PROTOCOL))
        if len(idx) >= BATCH:
            flush()
    flush()
    return refs


def _clusters_from_edges(rows: list[tuple], links: list[tuple[int, int]], edges: np.ndarray, candidates: int) -> Any:
    """Union-find over exact links and verified edges, then `find_clusters`' own representative rule."""
    from cleaner.dedup.cluster import DedupResult, _UnionFind, settle_components

    result = DedupResult(documents=len(rows), candidates=candidates)
    uf = _UnionFind(len(rows))
    for first, other in links:
        uf.union(first, other)
    for i, j in edges.tolist():
        if uf.find(i) != uf.find(j):
            uf.union(i, j)
            result.verified += 1
    return settle_components(result, rows, uf)


def distributed_clusters(ray: Any, final: Any, rows: list[tuple], row_index: list[int], config: Any) -> Any:
    """Cluster like `find_clusters(rows, config)`, with band grouping and verification on Ray.

    `rows` are (key, signature, source) sorted by key; `row_index[p]` is the input index of row p.
    """
    from cleaner.dedup.cluster import DedupResult, _exact_groups

    if config.mode == "none" or not rows:
        return DedupResult(documents=len(rows))
    sigs = [r[1] for r in rows]
    links, leaders = _exact_groups(sigs)
    edges = np.empty((0, 2), dtype=np.int64)
    candidates = 0
    if config.mode == "near":
        if any(len(s.bands) not in (0, 8 * config.bands) for s in sigs):
            raise ValueError(f"signatures were not made with {config.bands} bands: use one DedupConfig for both")
        members = [p for p in leaders if sigs[p].bands]
        if len(members) >= 2:
            position = np.full(max(row_index) + 1, -1, dtype=np.int64)
            for p in members:
                position[row_index[p]] = p
            position_ref = [ray.put(position)]
            banded = final.select_columns(["idx", "sig"]).map_batches(
                _band_rows, fn_kwargs={"position_ref": position_ref, "bands": config.bands}, batch_format="numpy")
            blocks = banded.to_arrow_refs()
            parts = max(1, min(config.bands, int(ray.cluster_resources().get("CPU", 1))))
            sigs_ref = ray.put(sigs)
            group = ray.remote(_band_group).options(num_returns=2)
            results = [group.remote(p, parts, sigs_ref, config, *blocks) for p in range(parts)]
            verified = [ray.get(v) for v, _ in results]
            found = [ray.get(c) for _, c in results]
            edges = np.unique(np.concatenate(verified), axis=0)
            candidates = len(np.unique(np.concatenate(found), axis=0))
    return _clusters_from_edges(rows, links, edges, candidates)


def _resolve(ray: Any, dedup: Any, final: Any, items: list[tuple[int, Any]]) -> Any:
    """`DedupStage.resolve` with the clustering distributed (same keys, same Resolution)."""
    from cleaner.dedup.stage import Resolution

    index_of: dict[Any, int] = {}
    ids: dict[Any, str] = {}
    rows = []
    for idx, (doc_id, source, sig) in items:
        key = (doc_id, source)
        if key in index_of:
            key = (doc_id, f"{source}\x1f{idx}")
        index_of[key] = idx
        ids[key] = doc_id
        rows.append((key, sig, source))
    rows.sort(key=lambda r: r[0])
    for a, b in zip(rows, rows[1:]):
        if a[0] == b[0]:
            raise ValueError(f"duplicate document key {a[0]!r}")
    row_index = [index_of[r[0]] for r in rows]
    return Resolution(distributed_clusters(ray, final, rows, row_index, dedup.config), index_of, ids)


def _user_error(error: BaseException) -> BaseException:
    """The exception a step or reader raised inside a Ray task, unwrapped from Ray's wrappers."""
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        inner = getattr(error, "cause", None) or error.__cause__
        if inner is None or not isinstance(inner, BaseException):
            break
        error = inner
    return error


def run_ray(pipe: Any, inputs: Iterable[Any], *, on_failure: Callable[[Failure], None],
            on_reject: Callable[[Document], None] | None) -> Iterator[Document]:
    """Run `pipe` over `inputs` on Ray Data; yield kept documents in input order (as run_local)."""
    opts = pipe.options
    stats = pipe.stats
    phase_a, phase_b = pipe.phases()
    dedup = make_deduper(opts)
    second_pass = bool(phase_b) or bool(getattr(dedup, "needs_counts", False))
    ray, started = _ensure_ray(opts)
    import ray.data

    options_blob = pickle.dumps(opts, _PROTOCOL)
    try:
        refs = _input_blocks(ray, inputs, opts)
        if not refs:
            return
        source = ray.data.from_arrow_refs(refs)
        final = source.map_batches(_phase_a, fn_kwargs={"options_blob": options_blob, "last": not second_pass},
                                   batch_format="numpy", batch_size=BATCH).materialize()
        phase_a_fails = [pickle.loads(b) for batch in final.select_columns(["kind", "other"]).iter_batches(batch_format="numpy")
                         for k, b in zip(batch["kind"], batch["other"]) if k == "fail"]
        for entry in phase_a_fails:
            on_failure(entry[1])
        if second_pass:
            counts = LineCounts()
            partials = final.select_columns(["kind", "keys", "site"]).map_batches(
                _partial_counts, batch_format="numpy", batch_size=BATCH * 16)
            for batch in partials.iter_batches(batch_format="numpy"):
                for blob in batch["counts"]:
                    counts.merge(pickle.loads(blob))
            counts_ref = [ray.put(counts)]
            final = final.select_columns(["idx", "kind", "doc", "other"]).map_batches(
                _phase_b, fn_kwargs={"options_blob": options_blob, "counts_ref": counts_ref},
                batch_format="numpy", batch_size=BATCH).materialize()

        # Accounting over the compact columns (kept documents stay in the object store), then dedup.
        signatures: list[tuple[int, Any]] = []
        late_failures: list[Failure] = []
        rejects: list[Document] = []
        for batch in final.select_columns(["idx", "kind", "phase", "other", "sig", "acct"]).iter_batches(batch_format="numpy"):
            for idx, kind, phase, other, sig, acct in zip(batch["idx"].tolist(), batch["kind"], batch["phase"],
                                                          batch["other"], batch["sig"], batch["acct"]):
                if kind == "fail":
                    failure = pickle.loads(other)[1]
                    stats.failures[failure.kind] += 1
                    if phase == "B" and second_pass:
                        late_failures.append(failure)
                    continue
                stats.documents_in += 1
                if kind == "ok":
                    rules, events = pickle.loads(acct)
                    stats.lines_removed.update(rules)
                    stats.events.update(events)
                    if sig:
                        signatures.append((idx, pickle.loads(sig)))
                    continue
                doc = pickle.loads(other)[1]
                stats.lines_removed.update(r.rule for r in doc.removed)
                stats.events.update(doc.events)
                if kind == "drop":
                    stats.dropped[doc.drop_reason or "dropped"] += 1
                    rejects.append(doc)
        for failure in late_failures:
            on_failure(failure)
        if on_reject:
            for doc in rejects:
                on_reject(doc)
        resolution = _resolve(ray, dedup, final, signatures) if dedup is not None else None
        count_clusters(stats, resolution)
        previous = -1
        for batch in final.select_columns(["idx", "kind", "doc"]).iter_batches(batch_format="numpy"):
            for idx, kind, blob in zip(batch["idx"].tolist(), batch["kind"], batch["doc"]):
                if idx <= previous:
                    raise RuntimeError("ray engine: records came back out of input order")
                previous = idx
                if kind != "ok":
                    continue
                doc = pickle.loads(blob)
                if release(doc, idx, resolution, stats, on_reject):
                    yield doc
    except Exception as e:      # noqa: BLE001 - re-raised: the user's error, not Ray's wrapper of it
        inner = _user_error(e)
        if inner is e:
            raise
        raise inner from None
    finally:
        if started:
            ray.shutdown()
