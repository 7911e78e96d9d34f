"""The Ray engine's per-document tasks, run on the workers: read a segment and run phase A on its
items, fold the kept documents' line keys into partial line counts and merge them, run phase B.

Every task returns its outcomes as columns (`outcome_columns`): the pickled documents stay in the
object store. The driver reads one small row per block (`segment_rows`, `block_stats`): rows per
segment, a partial Stats, and the failures it prints, in input order; nothing per document. A worker sets its phase up once per (options, phase, counts) and keeps it (`WORKER`).
"""
from __future__ import annotations

import pickle
from typing import Any, Iterator

import numpy as np

from cleaner.engines.phase import init_phase, limited, work
from cleaner.engines.ray_io import node_id
from cleaner.linefreq import LineCounts, document_keys, site_of
from cleaner.stats import Stats
from cleaner.steps.run import accounting

BATCH = 32          # documents per map batch
MERGE_FAN_IN = 16   # partial line-count tables merged per task
_PROTOCOL = pickle.HIGHEST_PROTOCOL

# Per-worker-process cache of the phase set up by `init_phase` (building steps loads rules, models).
WORKER: dict[str, Any] = {}


def phase_for(options_blob: bytes, which: str, counts_ref: list, last: bool) -> None:
    """Set up `init_phase` in this worker once per (options, phase, counts)."""
    key = (hash(options_blob), which, counts_ref[0].hex() if counts_ref else None, last)
    if WORKER.get("key") != key:
        import ray

        counts = ray.get(counts_ref[0]) if counts_ref else None
        init_phase(pickle.loads(options_blob), which, counts, last)
        WORKER["key"] = key


def outcome_columns(entries: list[tuple], **fixed: Any) -> dict[str, Any]:
    """A batch of outcomes as columns: compact ones for the corpus passes, pickles for the rest.

    kind ok|drop|fail; doc: the pickled Document (ok, drop); fail: the pickled Failure; acct: what
    the stats need (`cleaner.steps.run.accounting`); sig: the pickled dedup signature; did/dsrc/exact/
    has_exact/size/length/banded: the signature's scalars, all the driver reads of it."""
    cols: dict[str, list] = {k: [] for k in ("kind", "phase", "doc", "fail", "sig", "keys", "site", "acct", "did",
                                             "dsrc", "exact", "has_exact", "size", "length", "banded")}
    for entry in entries:
        kind = entry[0]
        cols["kind"].append(kind)
        cols["phase"].append(entry[2] if kind == "fail" else "")
        cols["fail"].append(pickle.dumps(entry[1], _PROTOCOL) if kind == "fail" else b"")
        doc = entry[1] if kind != "fail" else None
        cols["doc"].append(pickle.dumps(doc, _PROTOCOL) if doc is not None else b"")
        cols["acct"].append(pickle.dumps(accounting(doc), _PROTOCOL) if doc is not None else b"")
        sig = entry[2] if kind == "ok" else None
        cols["sig"].append(pickle.dumps(sig, _PROTOCOL) if sig is not None else b"")
        cols["keys"].append(np.fromiter(sorted(document_keys(doc.lines)), dtype=np.uint64).tobytes() if kind == "ok" else b"")
        cols["site"].append(site_of(doc.url, doc.source) if kind == "ok" else "")
        cols["did"].append(sig[0] if sig is not None else "")
        cols["dsrc"].append(sig[1] if sig is not None else "")
        exact = sig[2].exact if sig is not None else None
        cols["exact"].append(exact if exact is not None else 0)
        cols["has_exact"].append(exact is not None)
        cols["size"].append(sig[2].size if sig is not None else 0)
        cols["length"].append(sig[2].length if sig is not None else 0)
        cols["banded"].append(bool(sig[2].bands) if sig is not None else False)
    out: dict[str, Any] = {k: np.asarray(fixed[k], dtype=np.int64) for k in fixed}
    for k, v in cols.items():
        if k == "exact":
            out[k] = np.asarray(v, dtype=np.uint64)
        elif k in ("size", "length"):
            out[k] = np.asarray(v, dtype=np.int64)
        elif k in ("has_exact", "banded"):
            out[k] = np.asarray(v, dtype=bool)
        else:
            out[k] = np.asarray(v, dtype=object)
    return out


def read_phase_a(batch: dict[str, np.ndarray], *, options_blob: bytes, last: bool) -> Iterator[dict[str, Any]]:
    """Read segments (one row each) and run phase A on their items, BATCH outcomes at a time."""
    from cleaner.sources.plan import read_segment

    phase_for(options_blob, "A", [], last)
    opts = pickle.loads(options_blob)
    fetch = {"delay": opts.delay, "allow_private_redirects": opts.allow_private_redirects}
    from cleaner.sources import urls as url_lists

    url_lists.FETCH_OPTIONS.update(fetch)
    node = node_id()
    for task, blob in zip(batch["task"].tolist(), batch["seg"]):
        entries: list[tuple] = []
        first = 0
        for item in read_segment(pickle.loads(blob), max_bytes=opts.max_bytes, fetch_options=fetch):
            entries.append(work(limited(item, opts.max_chars)))
            if len(entries) >= BATCH:
                yield with_node(outcome_columns(entries, task=[task] * len(entries), n=range(first, first + len(entries))), node)
                first += len(entries)
                entries = []
        if entries:
            yield with_node(outcome_columns(entries, task=[task] * len(entries), n=range(first, first + len(entries))), node)


def with_node(cols: dict[str, Any], node: str) -> dict[str, Any]:
    """The columns with the node that made them (for the `ray_trace` side channel)."""
    cols["node"] = np.asarray([node] * len(cols["kind"]), dtype=object)
    return cols


def entries_of(batch: dict[str, np.ndarray]) -> list[tuple]:
    """Phase A's rows back as spool entries (the input of phase B)."""
    out = []
    for kind, doc, fail, phase in zip(batch["kind"], batch["doc"], batch["fail"], batch["phase"]):
        if kind == "ok":
            out.append(("ok", pickle.loads(doc), None))
        elif kind == "drop":
            out.append(("drop", pickle.loads(doc)))
        else:
            out.append(("fail", pickle.loads(fail), phase))
    return out


def input_index(batch: dict[str, np.ndarray], offsets_ref: list) -> np.ndarray:
    """Each row's input index: its segment's offset plus its ordinal in the segment."""
    import ray

    offsets = ray.get(offsets_ref[0])
    return offsets[batch["task"]] + batch["n"]


def run_phase_b(batch: dict[str, np.ndarray], *, options_blob: bytes, counts_ref: list, offsets_ref: list) -> dict[str, Any]:
    """Run phase B (the steps that need the counts, then the dedup signature) on phase A's rows."""
    phase_for(options_blob, "B", counts_ref, True)
    entries = [work(e) for e in entries_of(batch)]
    return outcome_columns(entries, idx=input_index(batch, offsets_ref))


def add_index(batch: dict[str, np.ndarray], *, offsets_ref: list) -> dict[str, Any]:
    """Phase A's rows as the final rows when there is no phase B: the input index, no count columns."""
    out = {k: v for k, v in batch.items() if k not in ("task", "n", "node", "keys", "site")}
    out["idx"] = input_index(batch, offsets_ref)
    return out


def partial_counts(batch: dict[str, np.ndarray]) -> dict[str, Any]:
    """One partial LineCounts per batch of phase-A rows (the map side of the line-count pass)."""
    counts = LineCounts()
    for kind, keys, site in zip(batch["kind"], batch["keys"], batch["site"]):
        if kind == "ok":
            counts.add(set(np.frombuffer(keys, dtype=np.uint64).tolist()), site)
    return {"counts": np.asarray([pickle.dumps(counts, _PROTOCOL)], dtype=object)}


def merge_counts(*parts: Any) -> LineCounts:
    """Merge partial line counts: blocks of the partial map, or tables of an earlier merge."""
    counts = LineCounts()
    for part in parts:
        if isinstance(part, LineCounts):
            counts.merge(part)
            continue
        for blob in part.column("counts").to_pylist():
            counts.merge(pickle.loads(blob))
    return counts


def line_counts(ray: Any, first: Any) -> Any:
    """The corpus line counts of phase A's rows (dataset `first`), as an object-store reference: a
    map folds each batch's line keys into a partial table, tasks merge the partials in a tree; the
    driver never holds a table."""
    partials = first.select_columns(["kind", "keys", "site"]).map_batches(
        partial_counts, batch_format="numpy", batch_size=BATCH * 16).to_arrow_refs()
    merge = ray.remote(merge_counts)
    level: list[Any] = list(partials)
    while True:
        level = [merge.remote(*level[i:i + MERGE_FAN_IN]) for i in range(0, len(level), MERGE_FAN_IN)]
        if len(level) <= 1:
            break
    return level[0] if level else ray.put(LineCounts())


def one_row(**values: Any) -> dict[str, np.ndarray]:
    """A batch of one row whose columns are pickles (what a per-block fold returns to the driver)."""
    return {k: np.asarray([pickle.dumps(v, _PROTOCOL)], dtype=object) for k, v in values.items()}


def segment_rows(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One block of phase A's rows folded: rows per segment, its failures (pickled, in row order) and,
    if the block has a `node` column, the node that read each segment."""
    tasks, rows = np.unique(batch["task"], return_counts=True)
    fails = [blob for kind, blob in zip(batch["kind"], batch["fail"]) if kind == "fail"]
    nodes: dict[int, str] = {}
    if "node" in batch:
        for t, node in zip(batch["task"].tolist(), batch["node"]):
            nodes.setdefault(t, str(node))
    return one_row(rows=(tasks.astype(np.int64), rows.astype(np.int64)), fails=fails, nodes=nodes)


def block_stats(batch: dict[str, np.ndarray], *, shown_phase: str) -> dict[str, np.ndarray]:
    """One block of the final rows folded into a partial Stats (`Stats.add_document` and `add_failure`,
    as the local engine counts), the failures of phase `shown_phase` (pickled, in row order: the driver
    prints them), and how many documents were dropped and how many signed for dedup."""
    stats = Stats()
    shown: list[bytes] = []
    drops = signed = 0
    for kind, phase, fail, acct, did, dsrc in zip(batch["kind"], batch["phase"], batch["fail"], batch["acct"],
                                                  batch["did"], batch["dsrc"]):
        if kind == "fail":
            stats.add_failure(pickle.loads(fail))
            if phase == shown_phase:
                shown.append(fail)
            continue
        stats.add_document(pickle.loads(acct), dropped=kind == "drop")
        if kind == "drop":
            drops += 1
        elif did or dsrc:
            signed += 1
    return one_row(stats=stats, fails=shown, drops=drops, signed=signed)
