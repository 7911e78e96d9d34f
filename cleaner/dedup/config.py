"""Dedup parameters, in one frozen (picklable, hashable) object shared by workers and the clusterer."""
from __future__ import annotations

from dataclasses import dataclass

MODES = ("near", "exact", "none")


@dataclass(frozen=True)
class DedupConfig:
    """What `signature` computes and how `find_clusters` decides.

    Chosen by measurement on a labelled news near-duplicate set (see bench/dedup.py):
    word 3-gram shingles, 50 bands x 2 rows (S-curve midpoint ~0.14: candidates are plentiful, and
    every candidate is verified, so precision comes from verification, not from the banding; 40x3
    loses 3 points of recall on heavily edited copies, 30x4 nine),
    each bucket member linked to the bucket's first member and the 2 before it, not to every member
    (linear work in the bucket's size; on the labelled sets the first and the one before already
    give the clusters of all pairs, the second is a margin for buckets shared by chance),
    a bottom-k sketch of 256 shingle hashes per document for verification (exact for documents up
    to 256 distinct shingles, a tight estimate beyond), Jaccard >= 0.4 or containment >= 0.6.
    """

    mode: str = "near"
    shingle_words: int = 3
    bands: int = 50
    rows: int = 2
    seed: int = 1
    sketch_size: int = 256
    near_threshold: float = 0.4          # verified Jaccard of shingle sets
    containment_threshold: float = 0.6   # |A & B| / min(|A|, |B|): a truncated copy of a longer text
    min_containment_shingles: int = 15   # below this the smaller text is too short to be "contained"
    template_threshold: int = 10         # a line held by more documents than this is template
    bucket_neighbours: int = 2           # edges of a bucket member: its bucket's first + this many before it

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"dedup mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not 0.0 < self.near_threshold <= 1.0:
            raise ValueError(f"near threshold must be in (0, 1], not {self.near_threshold}")
        if self.bands < 1 or self.rows < 1 or self.sketch_size < 1 or self.shingle_words < 1:
            raise ValueError("bands, rows, sketch_size and shingle_words must be positive")
        if self.bucket_neighbours < 0:
            raise ValueError("bucket_neighbours must be 0 or more")

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows
