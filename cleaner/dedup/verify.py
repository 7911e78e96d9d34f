"""Candidate verification: Jaccard and containment of two shingle sets, from their bottom-k sketches.

Below the smaller of the two sketches' cut-offs both sketches hold every shingle of their document,
so the shingles below that cut-off are a uniform sample of both sets (exact when neither sketch was
cut). Jaccard and containment are measured on that sample.
"""
from __future__ import annotations

import numpy as np

from cleaner.dedup.signature import Signature

_NO_CUT = np.iinfo(np.uint32).max


def overlap(a: Signature, b: Signature) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of the two documents' story shingles."""
    sa, sb = a.sketch_hashes(), b.sketch_hashes()
    if sa.size == 0 or sb.size == 0:
        return 0.0, 0.0
    cut = min(sa[-1] if sa.size < a.size else _NO_CUT, sb[-1] if sb.size < b.size else _NO_CUT)
    if cut != _NO_CUT:
        sa, sb = sa[: np.searchsorted(sa, cut, "right")], sb[: np.searchsorted(sb, cut, "right")]
    common = np.intersect1d(sa, sb, assume_unique=True).size
    union = sa.size + sb.size - common
    smaller = sa.size if a.size <= b.size else sb.size
    return common / union, (common / smaller if smaller else 0.0)


def jaccard(a: Signature, b: Signature) -> float:
    return overlap(a, b)[0]
