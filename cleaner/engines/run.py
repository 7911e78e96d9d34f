"""Running a Pipeline over a corpus on this machine: phases, the line-count pass, dedup, ordering."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from cleaner.document import Document
from cleaner.engines.local import map_ordered
from cleaner.engines.spool import Spool
from cleaner.linefreq import LineCounts, document_keys, site_of
from cleaner.sources import Failure
from cleaner.sources.read import iter_items

# Per-process state of a phase: the steps to run and the dedup stage (set by _init_phase).
_PHASE: dict[str, Any] = {}


def make_deduper(options: Any) -> Any:
    """The corpus dedup stage for `options.dedup` (near | exact | none), or None."""
    if options.dedup == "none":
        return None
    try:
        from cleaner.dedup import make_stage
    except ImportError:   # TEMPORARY until the dedup package lands: exact only
        return _ExactStage()
    return make_stage(options.dedup, near_threshold=options.near_threshold)


class _ExactResolution:
    def __init__(self, sigs: list[tuple[int, Any]]):
        groups: dict[str, list[tuple[int, Any]]] = {}
        for idx, sig in sigs:
            groups.setdefault(sig[0], []).append((idx, sig))
        self.rep: dict[int, int] = {}
        self.dups: dict[int, list[dict]] = {}
        self.ids = {idx: sig[2] for idx, sig in sigs}
        self.clusters = self.dropped = 0
        for members in groups.values():
            members.sort(key=lambda m: (-m[1][1], m[1][2], m[1][3]))
            keep = members[0][0]
            for idx, sig in members:
                self.rep[idx] = keep
            if len(members) > 1:
                self.clusters += 1
                self.dropped += len(members) - 1
                self.dups[keep] = [{"id": s[2], "source": s[3], "similarity": 1.0} for _, s in members[1:]]

    def keep(self, idx: int) -> bool:
        return self.rep.get(idx, idx) == idx

    def representative(self, idx: int) -> str:
        return self.ids.get(self.rep.get(idx, idx), "")

    def duplicates_of(self, idx: int) -> list[dict]:
        return self.dups.get(idx, [])


class _ExactStage:
    def signature(self, doc: Document, counts: Any) -> Any:
        import hashlib
        import re

        norm = re.sub(r"\W+", " ", doc.text.casefold()).strip()
        return (hashlib.blake2b(norm.encode(), digest_size=16).hexdigest(), len(doc.text), doc.id, doc.source)

    def resolve(self, sigs: list[tuple[int, Any]]) -> Any:
        return _ExactResolution(sigs)


def _init_phase(options: Any, which: str, counts: LineCounts | None, last: bool) -> None:
    from cleaner.pipeline import Pipeline

    pipe = Pipeline(options)
    a, b = pipe.phases()
    steps = a if which == "A" else b
    for step in steps:
        if counts is not None and hasattr(step, "bind"):
            step.bind(counts)
    _PHASE.clear()
    _PHASE.update(steps=steps, dedup=make_deduper(options) if last else None, counts=counts)


def _work(item: Any) -> Any:
    from cleaner.pipeline import Outcome, apply_steps

    if isinstance(item, Failure):
        return Outcome(failure=item)
    out = apply_steps(_PHASE["steps"], item)
    dedup = _PHASE["dedup"]
    if dedup is not None and out.doc is not None and not out.dropped and out.failure is None:
        out.signature = dedup.signature(out.doc, _PHASE["counts"])
    return out


def run_local(pipe: Any, inputs: Iterable[Any], *, on_failure: Callable[[Failure], None],
              on_reject: Callable[[Document], None] | None, progress: Callable[[int], None] | None) -> Iterator[Document]:
    opts = pipe.options
    stats = pipe.stats
    phase_a, phase_b = pipe.phases()
    dedup = make_deduper(opts)
    jobs = max(1, int(opts.jobs))

    def items() -> Iterator[Any]:
        for it in iter_items(inputs, max_bytes=opts.max_bytes):
            if isinstance(it, Document):
                stats.documents_in += 1
            yield it

    def settle(out: Any) -> Document | None:
        """Count a phase outcome; return the document if it goes on."""
        if out.failure is not None:
            stats.failures[out.failure.kind] += 1
            on_failure(out.failure)
            return None
        if out.dropped:
            stats.dropped[out.doc.drop_reason or "dropped"] += 1
            stats.lines_removed.update(r.rule for r in out.doc.removed)
            if on_reject:
                on_reject(out.doc)
            return None
        return out.doc

    with Spool() as spool:
        counts = LineCounts() if phase_b else None
        signatures: list[tuple[int, Any]] = []
        done = 0
        only_phase = not phase_b
        for out in map_ordered(_work, items(), jobs=jobs, init=_init_phase, init_args=(opts, "A", None, only_phase)):
            done += 1
            if progress:
                progress(done)
            doc = settle(out)
            if doc is None:
                continue
            if counts is not None:
                counts.add(document_keys(doc.lines), site_of(doc.url, doc.source))
            if only_phase and out.signature is not None:
                signatures.append((spool.count, out.signature))
            spool.write(doc)

        final = spool
        if phase_b:
            final = Spool()
            for out in map_ordered(_work, iter(spool), jobs=jobs, init=_init_phase, init_args=(opts, "B", counts, True)):
                doc = settle(out)
                if doc is None:
                    continue
                if out.signature is not None:
                    signatures.append((final.count, out.signature))
                final.write(doc)
        try:
            resolution = dedup.resolve(signatures) if dedup is not None else None
            if resolution is not None:
                stats.duplicate_clusters += resolution.clusters
                stats.duplicates_dropped += resolution.dropped
            for idx, doc in enumerate(final):
                stats.lines_removed.update(r.rule for r in doc.removed)
                if resolution is not None:
                    if not resolution.keep(idx):
                        rep = resolution.representative(idx)
                        doc.drop_reason = f"duplicate of {rep}"
                        if on_reject:
                            on_reject(doc)
                        continue
                    doc.duplicates = resolution.duplicates_of(idx)
                stats.documents_out += 1
                stats.languages[doc.lang] += 1
                stats.events.update(doc.events)
                yield doc
        finally:
            if final is not spool:
                final.close()
