"""Running a Pipeline over a corpus on this machine: phases, the line-count pass, dedup, ordering."""
from __future__ import annotations

import pickle
from typing import Any, Callable, Iterable, Iterator

from cleaner.document import Document
from cleaner.engines.local import can_fork, map_ordered
from cleaner.engines.spool import Spool
from cleaner.linefreq import LineCounts, document_keys, site_of
from cleaner.sources import Failure
from cleaner.sources.read import iter_items

# Per-process state of a phase: the steps to run and the dedup stage (set by _init_phase).
_PHASE: dict[str, Any] = {}


def make_deduper(options: Any) -> Any:
    """The corpus dedup stage for `options.dedup` (near | exact | none), or None."""
    from cleaner.dedup import make_stage

    return make_stage(options.dedup, near_threshold=options.near_threshold)


def _init_phase(options: Any, which: str, counts: LineCounts | None, last: bool, pipe: Any = None,
                keys: bool = False) -> None:
    """Set up this process's phase. `pipe`: use its built steps (in-process, or inherited by forked
    workers) rather than building new ones. `keys`: also return each kept document's line keys (the
    count pass then happens in the workers)."""
    if pipe is None:
        from cleaner.pipeline import Pipeline

        pipe = Pipeline(options)
    a, b = pipe.phases()
    steps = a if which == "A" else b
    for step in steps:
        if counts is not None and hasattr(step, "bind"):
            step.bind(counts)
        warm_up = getattr(step, "warm_up", None)
        if callable(warm_up):
            warm_up()                     # load lazily-loaded data now, before workers fork
    dedup = make_deduper(options) if last else None
    _PHASE.clear()
    _PHASE.update(which=which, steps=steps, dedup=dedup, counts=counts, keys=keys)


# A spool entry is one of ("ok", Document, signature | None), ("drop", Document), ("fail", Failure, phase).
# With `keys`, phase A's kept entries carry a fourth item, the document's line keys, which the main
# process counts and strips before spooling.
Entry = tuple


def _work(item: Any) -> Entry:
    """Run this process's phase on one item: a Document or Failure (phase A) or an entry, possibly
    still pickled (phase B)."""
    from cleaner.pipeline import apply_steps

    if isinstance(item, bytes):
        item = pickle.loads(item)
    if isinstance(item, tuple):
        if item[0] != "ok":
            return item
        item = item[1]
    if isinstance(item, Failure):
        return ("fail", item, "A")
    out = apply_steps(_PHASE["steps"], item)
    if out.failure is not None:
        return ("fail", out.failure, _PHASE["which"])
    if out.dropped:
        return ("drop", out.doc)
    dedup = _PHASE["dedup"]
    sig = dedup.signature(out.doc, _PHASE["counts"]) if dedup is not None else None
    if _PHASE.get("keys"):
        return ("ok", out.doc, sig, document_keys(out.doc.lines))
    return ("ok", out.doc, sig)


def _limited(it: Any, max_chars: int) -> Any:
    """Cut a document longer than `max_chars` (counted in the stats as limit/max-chars)."""
    if isinstance(it, Document):
        if len(it.text) > max_chars:
            it.text = it.text[:max_chars]
            it.events.append("limit/max-chars")
        if it.html is not None and len(it.html) > 4 * max_chars:
            it.html = it.html[: 4 * max_chars]
            it.events.append("limit/max-chars")
    return it


def count_clusters(stats: Any, resolution: Any) -> None:
    if resolution is not None:
        stats.duplicate_clusters += resolution.clusters
        stats.duplicates_dropped += resolution.dropped


def release(doc: Document, idx: int, resolution: Any, stats: Any,
            on_reject: Callable[[Document], None] | None) -> bool:
    """Apply the dedup decision to a kept document (spool index `idx`) and count it; False if dropped."""
    if resolution is not None:
        if not resolution.keep(idx):
            doc.drop_reason = f"duplicate of {resolution.representative(idx)}"
            if on_reject:
                on_reject(doc)
            return False
        doc.duplicates = resolution.duplicates_of(idx)
    stats.documents_out += 1
    stats.languages[doc.lang] += 1
    return True


def run_local(pipe: Any, inputs: Iterable[Any], *, on_failure: Callable[[Failure], None],
              on_reject: Callable[[Document], None] | None, progress: Callable[[int], None] | None,
              checkpoint: str | None = None, resume: bool = False) -> Iterator[Document]:
    """Run `pipe` over `inputs` with the local engine; yield kept documents in input order.

    With `checkpoint` (the output path), phase A is checkpointed beside it and `resume` continues it.
    """
    from itertools import islice

    opts = pipe.options
    stats = pipe.stats
    phase_a, phase_b = pipe.phases()
    dedup = make_deduper(opts)
    # A second pass over the spool runs when a step or the dedup stage needs cross-document line counts.
    second_pass = bool(phase_b) or bool(getattr(dedup, "needs_counts", False))
    jobs = max(1, int(opts.jobs))
    inputs = list(inputs) if checkpoint else inputs

    cp = None
    if checkpoint:
        from cleaner.engines.checkpoint import Checkpoint

        cp, spool, skip = Checkpoint.start(checkpoint, inputs, opts, resume)
    else:
        from cleaner.engines.spool import Spool as _S

        spool, skip = _S(), 0

    def items() -> Iterator[Any]:
        fetch = {"delay": opts.delay, "allow_private_redirects": opts.allow_private_redirects}
        from cleaner.sources import urls as url_lists

        url_lists.FETCH_OPTIONS.update(fetch)       # `.urls` files fetch with the same manners
        source = iter_items(inputs, max_bytes=opts.max_bytes, fetch_options=fetch)
        for it in islice(source, skip, None):
            yield _limited(it, opts.max_chars)

    # Workers use this process's built steps when they can inherit them (in-process or forked).
    shared_pipe = pipe if jobs <= 1 or can_fork() else None
    counts = LineCounts() if second_pass else None
    final = spool
    try:
        if counts is not None and skip:
            # Resumed: the outcomes already in the checkpoint are counted from it.
            for entry in spool:
                if entry[0] == "ok":
                    counts.add(document_keys(entry[1].lines), site_of(entry[1].url, entry[1].source))

        # Phase A: every outcome, in input order, to the spool (the checkpointed part); the line
        # keys of kept documents come back with them and are counted here.
        done = skip
        init_a = (opts, "A", None, not second_pass, shared_pipe, second_pass)
        for entry in map_ordered(_work, items(), jobs=jobs, init=_init_phase, init_args=init_a):
            done += 1
            if progress:
                progress(done)
            if entry[0] == "fail":
                on_failure(entry[1])
            elif len(entry) == 4:
                counts.add(entry[3], site_of(entry[1].url, entry[1].source))
                entry = entry[:3]
            spool.write(entry)
            if cp:
                cp.maybe_save(spool)
        if cp:
            cp.maybe_save(spool, force=True)

        # Phase B over the spool (records go to the workers still pickled).
        if second_pass:
            from cleaner.engines.spool import Spool as _S

            final = _S()
            init_b = (opts, "B", counts, True, shared_pipe, False)
            for entry in map_ordered(_work, spool.raw(), jobs=jobs, init=_init_phase, init_args=init_b):
                if entry[0] == "fail" and entry[2] == "B":
                    on_failure(entry[1])
                final.write(entry)

        # Accounting, then dedup over the signatures, then the records in order.
        signatures: list[tuple[int, Any]] = []
        for idx, entry in enumerate(final):
            kind = entry[0]
            if kind == "fail":
                stats.failures[entry[1].kind] += 1
                continue
            doc = entry[1]
            stats.documents_in += 1
            stats.lines_removed.update(r.rule for r in doc.removed)
            stats.events.update(doc.events)
            if kind == "drop":
                stats.dropped[doc.drop_reason or "dropped"] += 1
                if on_reject:
                    on_reject(doc)
            elif entry[2] is not None:
                signatures.append((idx, entry[2]))
        resolution = dedup.resolve(signatures) if dedup is not None else None
        count_clusters(stats, resolution)
        for idx, entry in enumerate(final):
            if entry[0] == "ok" and release(entry[1], idx, resolution, stats, on_reject):
                yield entry[1]
        if cp:
            cp.finish()
    finally:
        if final is not spool:
            final.close()
        spool.close()

