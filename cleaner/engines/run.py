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
    _PHASE.update(which=which, steps=steps, dedup=dedup, counts=counts, keys=keys, last=last)


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


# What a local worker sends back: (kind, blob, a, b). `blob` is the spool entry already pickled (the
# parent writes it to the spool as it is, never unpickling the document); beside it only what the
# parent needs:  ("fail", blob, Failure, phase) | ("drop", blob, (rules, events, reason), None) |
# ("ok", blob, (rules, events) in the last phase else None, signature in the last phase, or
# (line keys, site) when the parent counts lines).
_PROTOCOL = pickle.HIGHEST_PROTOCOL
KINDS = {"ok": 0, "drop": 1, "fail": 2}


def _accounting(doc: Document) -> tuple[list[str], list[str]]:
    return [r.rule for r in doc.removed], list(doc.events)


def _compact(entry: Entry, blob: bytes | None, last: bool) -> tuple:
    kind = entry[0]
    if kind == "fail":
        return ("fail", blob, entry[1], entry[2])
    doc = entry[1]
    if kind == "drop":
        return ("drop", blob, (*_accounting(doc), doc.drop_reason), None)
    if len(entry) == 4:
        return ("ok", blob, None, (entry[3], site_of(doc.url, doc.source)))
    return ("ok", blob, _accounting(doc) if last else None, entry[2])


def _work_local(item: Any) -> tuple:
    entry = _work(item)
    blob = pickle.dumps(entry[:3] if len(entry) == 4 else entry, protocol=_PROTOCOL)
    return _compact(entry, blob, _PHASE["last"])


class _Ledger:
    """The last phase's results as they arrive, in input order: stats, failures and rejects reported,
    the kind of every spool entry (one byte each) and the dedup signatures of the kept documents."""

    def __init__(self, stats: Any, on_reject: Callable[[Document], None] | None, dedup: Any):
        self.stats, self.on_reject = stats, on_reject
        self.kinds = bytearray()
        self.signatures = dedup.new_store() if dedup is not None else None

    def add(self, result: tuple, blob_doc: Callable[[], Document]) -> None:
        kind, _, a, b = result
        idx = len(self.kinds)
        self.kinds.append(KINDS[kind])
        stats = self.stats
        if kind == "fail":
            stats.failures[a.kind] += 1
            return
        stats.documents_in += 1
        rules, events = a[0], a[1]
        stats.lines_removed.update(rules)
        stats.events.update(events)
        if kind == "drop":
            stats.dropped[a[2] or "dropped"] += 1
            if self.on_reject:
                self.on_reject(blob_doc())
        elif b is not None:
            self.signatures.add(idx, *b)


def _trim_heap() -> None:
    """Give freed heap pages back to the OS (glibc keeps them after large temporaries, such as the
    line-count fold's, and the process's peak would carry them into the next phase)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _phase_b_warm_up(steps: list[Any]) -> None:
    """Load what the later phase's steps load lazily (language profiles, stop lists), in this process
    so that the phase's forked workers inherit it."""
    for step in steps:
        warm_up = getattr(step, "warm_up", None)
        if callable(warm_up):
            warm_up()
        elif hasattr(step, "bind"):
            # The line classifier reads jusText's ~100 stop lists on first use (~0.3 s per process).
            from collections import Counter

            from cleaner.classifier.features import document_stoplist

            document_stoplist(Counter())


def run_local(pipe: Any, inputs: Iterable[Any], *, on_failure: Callable[[Failure], None],
              on_reject: Callable[[Document], None] | None, progress: Callable[[int, int], None] | None,
              checkpoint: str | None = None, resume: bool = False) -> Iterator[Document]:
    """Run `pipe` over `inputs` with the local engine; yield kept documents in input order.

    With `checkpoint` (the output path), phase A is checkpointed beside it and `resume` continues it.
    `progress(done, chars)` follows phase A: documents done, characters of text and HTML read.
    Documents travel between processes pickled once: a worker pickles its spool entry and the parent
    writes those bytes to the spool; the parent unpickles a document only to yield it (or reject it).
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

    read = [0]                                   # characters of text and HTML read so far

    def items() -> Iterator[Any]:
        fetch = {"delay": opts.delay, "allow_private_redirects": opts.allow_private_redirects}
        from cleaner.sources import urls as url_lists

        url_lists.FETCH_OPTIONS.update(fetch)       # `.urls` files fetch with the same manners
        source = iter_items(inputs, max_bytes=opts.max_bytes, fetch_options=fetch)
        for it in islice(source, skip, None):
            if isinstance(it, Document):
                read[0] += len(it.html if it.html is not None else it.text)
            yield _limited(it, opts.max_chars)

    # Workers use this process's built steps when they can inherit them (in-process or forked).
    shared_pipe = pipe if jobs <= 1 or can_fork() else None
    counts = LineCounts() if second_pass else None
    ledger = _Ledger(stats, on_reject, dedup)
    final = spool
    warm = None
    try:
        if skip:
            # Resumed: the outcomes already in the checkpoint are counted (or accounted) from it.
            for entry in spool:
                if counts is not None:
                    if entry[0] == "ok":
                        counts.add(document_keys(entry[1].lines), site_of(entry[1].url, entry[1].source))
                else:
                    ledger.add(_compact(entry, None, True), lambda e=entry: e[1])

        # Phase A: every outcome, in input order, to the spool (the checkpointed part); the line
        # keys of kept documents come back with them and are counted here.
        done = skip
        init_a = (opts, "A", None, not second_pass, shared_pipe, second_pass)
        for result in map_ordered(_work_local, items(), jobs=jobs, init=_init_phase, init_args=init_a):
            done += 1
            if progress:
                progress(done, read[0])
            kind, blob = result[0], result[1]
            if kind == "fail" and result[3] == "A":
                on_failure(result[2])
            if second_pass:
                if kind == "ok":
                    counts.add(*result[3])
            else:
                ledger.add(result, lambda b=blob: pickle.loads(b)[1])
            spool.write_raw(blob)
            if cp:
                cp.maybe_save(spool)
            if warm is None and second_pass and jobs > 1:
                # The pool is running: the parent loads what phase B needs meanwhile.
                import threading

                warm = threading.Thread(target=_phase_b_warm_up, args=(phase_b,), daemon=True)
                warm.start()
        if cp:
            cp.maybe_save(spool, force=True)
        if warm is not None:
            warm.join()

        # Phase B over the spool (records go to the workers still pickled, and come back pickled).
        if second_pass:
            from cleaner.engines.spool import Spool as _S

            final = _S()
            counts.freeze()                    # the tables are built once, here, and inherited
            _trim_heap()
            init_b = (opts, "B", counts, True, shared_pipe, False)
            for result in map_ordered(_work_local, spool.raw(), jobs=jobs, init=_init_phase, init_args=init_b):
                if result[0] == "fail" and result[3] == "B":
                    on_failure(result[2])
                ledger.add(result, lambda b=result[1]: pickle.loads(b)[1])
                final.write_raw(result[1])

        # Dedup over the signatures, then the kept records in order.
        resolution = dedup.resolve_store(ledger.signatures) if dedup is not None else None
        if ledger.signatures is not None:
            ledger.signatures.close()
            ledger.signatures = None
        count_clusters(stats, resolution)
        kinds, ok = ledger.kinds, KINDS["ok"]
        for idx, blob in enumerate(final.raw()):
            if kinds[idx] == ok:
                doc = pickle.loads(blob)[1]
                if release(doc, idx, resolution, stats, on_reject):
                    yield doc
        if cp:
            cp.finish()
    except KeyboardInterrupt:
        if cp:
            cp.maybe_save(spool, force=True)          # what is done stays done for --resume
        raise
    finally:
        if final is not spool:
            final.close()
        spool.close()
