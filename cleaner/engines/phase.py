"""One phase of a run inside one process, the same for every engine: set up the phase's steps
(`init_phase`), then turn each input item into a spool entry (`work`).

A spool entry is one of ("ok", Document, signature | None), ("drop", Document), ("fail", Failure,
phase). With `keys`, phase A's kept entries carry a fourth item, the document's line keys (the
line-count pass then happens as the documents come back).
"""
from __future__ import annotations

import pickle
from typing import Any

from cleaner.document import Document
from cleaner.linefreq import LineCounts, document_keys
from cleaner.sources import Failure
from cleaner.steps.run import apply_steps, build_steps, prepare, split_phases

# This process's phase: the steps to run and the dedup stage (set by init_phase).
PHASE: dict[str, Any] = {}

Entry = tuple


def make_deduper(options: Any) -> Any:
    """The corpus dedup stage for `options.dedup` (near | exact | none), or None."""
    from cleaner.dedup import make_stage

    return make_stage(options.dedup, near_threshold=options.near_threshold)


def init_phase(options: Any, which: str, counts: LineCounts | None, last: bool, steps: list[Any] | None = None,
               keys: bool = False) -> None:
    """Set up this process's phase ("A" or "B"). `steps`: the run's built steps (in-process, or
    inherited by forked workers) rather than new ones built from `options`. `keys`: also return
    each kept document's line keys. Binds the counts and warms the steps up."""
    a, b = split_phases(steps if steps is not None else build_steps(options))
    mine = a if which == "A" else b
    prepare(mine, counts)                 # load lazily-loaded data now, before workers fork
    dedup = make_deduper(options) if last else None
    PHASE.clear()
    PHASE.update(which=which, steps=mine, dedup=dedup, counts=counts, keys=keys, last=last)


def work(item: Any) -> Entry:
    """Run this process's phase on one item: a Document or Failure (phase A) or a spool entry,
    possibly still pickled (phase B)."""
    if isinstance(item, bytes):
        item = pickle.loads(item)
    if isinstance(item, tuple):
        if item[0] != "ok":
            return item
        item = item[1]
    if isinstance(item, Failure):
        return ("fail", item, "A")
    out = apply_steps(PHASE["steps"], item)
    if out.failure is not None:
        return ("fail", out.failure, PHASE["which"])
    if out.dropped:
        return ("drop", out.doc)
    dedup = PHASE["dedup"]
    sig = dedup.signature(out.doc, PHASE["counts"]) if dedup is not None else None
    if PHASE.get("keys"):
        return ("ok", out.doc, sig, document_keys(out.doc.lines))
    return ("ok", out.doc, sig)


def limited(it: Any, max_chars: int) -> Any:
    """Cut a document longer than `max_chars` (counted in the stats as limit/max-chars)."""
    if isinstance(it, Document):
        if len(it.text) > max_chars:
            it.text = it.text[:max_chars]
            it.events.append("limit/max-chars")
        if it.html is not None and len(it.html) > 4 * max_chars:
            it.html = it.html[: 4 * max_chars]
            it.events.append("limit/max-chars")
    return it
