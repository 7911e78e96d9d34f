"""Running a pipeline over a corpus on this machine: phases, the line-count pass, dedup, ordering.

The engine gets the run's options, built steps and stats (a `Pipeline`, read through those three
attributes only); the per-process work of a phase is `cleaner.engines.phase`, shared with Ray.
"""
from __future__ import annotations

import pickle
from typing import Any, Callable, Iterable, Iterator

from cleaner.document import Document
from cleaner.engines.local import can_fork, map_ordered
from cleaner.engines.phase import PHASE, Entry, init_phase, limited, make_deduper, work
from cleaner.linefreq import LineCounts, document_keys, site_of
from cleaner.sources import Failure
from cleaner.sources.read import iter_items
from cleaner.steps.run import accounting, prepare, split_phases

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
    stats.add_kept(doc.lang)
    return True


# What a local worker sends back: (kind, blob, a, b). `blob` is the spool entry already pickled (the
# parent writes it to the spool as it is, never unpickling the document); beside it only what the
# parent needs:  ("fail", blob, Failure, phase) | ("drop", blob, accounting, None) |
# ("ok", blob, accounting in the last phase else None, signature in the last phase, or
# (line keys, site) when the parent counts lines). `accounting` is `cleaner.steps.run.accounting`.
_PROTOCOL = pickle.HIGHEST_PROTOCOL
KINDS = {"ok": 0, "drop": 1, "fail": 2}


def _compact(entry: Entry, blob: bytes | None, last: bool) -> tuple:
    kind = entry[0]
    if kind == "fail":
        return ("fail", blob, entry[1], entry[2])
    doc = entry[1]
    if kind == "drop":
        return ("drop", blob, accounting(doc), None)
    if len(entry) == 4:
        return ("ok", blob, None, (entry[3], site_of(doc.url, doc.source)))
    return ("ok", blob, accounting(doc) if last else None, entry[2])


def _work_local(item: Any) -> tuple:
    entry = work(item)
    blob = pickle.dumps(entry[:3] if len(entry) == 4 else entry, protocol=_PROTOCOL)
    return _compact(entry, blob, PHASE["last"])


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
        if kind == "fail":
            self.stats.add_failure(a)
            return
        self.stats.add_document(a, dropped=kind == "drop")
        if kind == "drop":
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
    stats.expect_steps(step.name for step in pipe.steps)
    phase_b = split_phases(pipe.steps)[1]
    dedup = make_deduper(opts)
    # A second pass over the spool runs when a step or the dedup stage needs cross-document line counts.
    second_pass = bool(phase_b) or (dedup is not None and dedup.needs_counts)
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
            yield limited(it, opts.max_chars)

    # Workers use this process's built steps when they can inherit them (in-process or forked).
    shared_steps = pipe.steps if jobs <= 1 or can_fork() else None
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
        init_a = (opts, "A", None, not second_pass, shared_steps, second_pass)
        for result in map_ordered(_work_local, items(), jobs=jobs, init=init_phase, init_args=init_a):
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

                warm = threading.Thread(target=prepare, args=(phase_b,), daemon=True)
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
            init_b = (opts, "B", counts, True, shared_steps, False)
            for result in map_ordered(_work_local, spool.raw(), jobs=jobs, init=init_phase, init_args=init_b):
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
