"""The Ray engine's input and output tasks: workers read the inputs and write the shards.

Reading: the driver only plans (`cleaner.sources.plan`: one segment per input file, per run of
URLs, per chunk of in-memory items); a Ray Data map reads each segment where it is scheduled and
runs phase A on its items in the same task, so documents never pass through the driver.

Writing (`-o DIR/`): workers measure each kept record's JSONL byte length; a task (`plan_measured`)
cuts the shards where `ShardWriter` would on the ordered stream, so the driver receives the plan
(per shard), never a per-record list; then one task per shard reads the blocks that hold its
records and writes the shard into the set's staging folder, which must be on a file system every
node sees (a shared disk; on this machine, the local disk). The driver renames them into place and writes the
manifest, as `ShardWriter` does: the same bytes as the local engine's shards.
"""
from __future__ import annotations

import pickle
from collections import Counter
from typing import Any, Iterator

import numpy as np

from cleaner.dedup import Decisions

_PROTOCOL = pickle.HIGHEST_PROTOCOL
MEASURE_BLOCKS = 16  # blocks measured per task


def node_id() -> str:
    import ray

    try:
        return ray.get_runtime_context().get_node_id()
    except Exception:  # noqa: BLE001  (outside a worker)
        return ""


def _rows(blocks: tuple, columns: list[str]) -> Iterator[tuple]:
    for block in blocks:
        cols = [block.column(c).to_pylist() for c in columns]
        yield from zip(*cols)


def _kept_records(blocks: tuple, decisions: Decisions, explain: bool, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, dict]]:
    for idx, kind, blob in _rows(blocks, ["idx", "kind", "doc"]):
        if kind != "ok" or idx < lo or (hi is not None and idx > hi) or not decisions.keep(idx):
            continue
        doc = pickle.loads(blob)
        doc.duplicates = decisions.duplicates_of(idx)
        yield idx, doc.record(explain)


def measure(decisions: Decisions, explain: bool, *blocks: Any) -> dict[str, Any]:
    """Per block: its input-index range; per kept record: its index and JSONL length; languages."""
    from cleaner.sinks.jsonl import dumps

    ranges = []
    for block in blocks:
        idx = block.column("idx").to_numpy()
        ranges.append((int(idx.min()), int(idx.max())) if idx.size else (-1, -1))
    kept, lengths, langs = [], [], Counter()
    for idx, record in _kept_records(blocks, decisions, explain):
        kept.append(idx)
        lengths.append(len(dumps(record)))
        langs[record.get("lang") or "und"] += 1
    return {"ranges": ranges, "idx": np.asarray(kept, dtype=np.int64), "lengths": np.asarray(lengths, dtype=np.int64),
            "languages": langs}


def write_one_shard(spec: Any, index: int, staging: str, lo: int, hi: int, decisions: Decisions, explain: bool,
                    *blocks: Any) -> tuple[dict, str]:
    """Write shard `index` from the kept records with input index in [lo, hi]; (manifest entry, node)."""
    from cleaner.sinks.shards import write_shard

    records = (record for _, record in _kept_records(blocks, decisions, explain, lo, hi))
    return write_shard(spec, index, staging, records, explain=explain), node_id()


def plan_writes(block_ranges: list[tuple[int, int]], kept_idx: np.ndarray, lengths: np.ndarray,
                shard_size: int) -> list[tuple[int, int, list[int]]]:
    """Per shard: (first input index, last input index, the blocks that hold its records)."""
    from cleaner.sinks.shards import shard_starts

    starts = shard_starts(lengths.tolist(), shard_size)
    bounds = starts[1:] + [len(kept_idx)]
    los = np.array([r[0] for r in block_ranges], dtype=np.int64)
    his = np.array([r[1] for r in block_ranges], dtype=np.int64)
    plan = []
    for a, b in zip(starts, bounds):
        lo, hi = int(kept_idx[a]), int(kept_idx[b - 1])
        blocks = np.flatnonzero((los <= hi) & (his >= lo) & (los >= 0)).tolist()
        plan.append((lo, hi, blocks))
    return plan


def plan_measured(shard_size: int, *measured: dict[str, Any]) -> tuple[list[tuple[int, int, list[int]]], int, Counter]:
    """From the `measure` results of all blocks, in a task (the per-record lengths never reach the
    driver): the shard plan (`plan_writes`), how many records are kept, and their languages."""
    ranges = [r for m in measured for r in m["ranges"]]
    kept = np.concatenate([m["idx"] for m in measured]) if measured else np.empty(0, np.int64)
    lengths = np.concatenate([m["lengths"] for m in measured]) if measured else np.empty(0, np.int64)
    order = np.argsort(kept, kind="stable")
    kept, lengths = kept[order], lengths[order]
    languages: Counter = Counter()
    for m in measured:
        languages.update(m["languages"])
    plan = plan_writes(ranges, kept, lengths, shard_size) if kept.size else []
    return plan, int(kept.size), languages


def write_shards(ray: Any, blocks: list, decisions: Decisions, writer: Any, shard_size: int,
                 explain: bool) -> tuple[int, Counter, list[dict]]:
    """Workers measure the kept records of `blocks` (the final rows), then write the shards into
    `writer`'s staging folder; the driver adds them in order. Returns (records kept, their languages,
    per shard: file, records, node)."""
    decisions_ref = ray.put(decisions)
    groups = [blocks[i:i + MEASURE_BLOCKS] for i in range(0, len(blocks), MEASURE_BLOCKS)]
    task = ray.remote(measure)
    measured = [task.remote(decisions_ref, explain, *g) for g in groups]
    plan, kept, languages = ray.get(ray.remote(plan_measured).options(num_cpus=0).remote(shard_size, *measured))
    del measured
    shards: list[dict] = []
    if kept == 0:
        return 0, languages, shards
    write = ray.remote(write_one_shard).options(scheduling_strategy="SPREAD")
    pending = [write.remote(writer.spec, k, str(writer.staging), lo, hi, decisions_ref, explain,
                            *[blocks[b] for b in which])
               for k, (lo, hi, which) in enumerate(plan)]
    for entry, node in ray.get(pending):
        writer.add(entry)
        shards.append({"file": entry["file"], "records": entry["records"], "node": node})
    return kept, languages, shards
