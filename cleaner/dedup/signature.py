"""Per-document dedup data: computed in worker processes, small, picklable, text-free.

A `Signature` holds what the corpus-wide clustering needs and nothing else:
  exact   64-bit hash of the normalised full text (exact duplicates), or None for a text without words
  size    number of distinct story shingles (shingles of the non-template lines)
  length  number of normalised words of the whole text (the representative rule's tie-breaker)
  bands   LSH band keys, `bands` x uint64 (the shuffle key when clustering is distributed)
  sketch  bottom-k of the 32-bit shingle hashes, sorted uint32: the exact shingle set when
          size <= k, else a uniform sample that estimates Jaccard and containment (verification)
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterable, NamedTuple

import numpy as np
from rensa import RMinHash

from cleaner.dedup.config import DedupConfig
from cleaner.dedup.normalise import as_template_test, exact_key, shingles, story_words, words

DEFAULT_CONFIG = DedupConfig()
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


class Signature(NamedTuple):
    exact: int | None
    size: int
    length: int
    bands: bytes
    sketch: bytes

    def band_keys(self) -> np.ndarray:
        return np.frombuffer(self.bands, dtype=np.uint64)

    def sketch_hashes(self) -> np.ndarray:
        return np.frombuffer(self.sketch, dtype=np.uint32)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads band contents over all 64 bits (wrapping uint64 arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * _M2
    x = (x ^ (x >> np.uint64(27))) * _M3
    return x ^ (x >> np.uint64(31))


@lru_cache(maxsize=8)
def _band_salt(bands: int) -> np.ndarray:
    return _mix(np.arange(1, bands + 1, dtype=np.uint64) * _M1)


def band_keys(digest: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per band of a MinHash digest; the band number is part of the key.

    Rows are packed two 32-bit values to a word before mixing, so 2-row bands cost one mix."""
    table = digest[: bands * rows].astype(np.uint64).reshape(bands, rows)
    if rows % 2:
        table = np.concatenate([table, np.zeros((bands, 1), dtype=np.uint64)], axis=1)
    packed = (table[:, 0::2] << np.uint64(32)) | table[:, 1::2]
    key = _band_salt(bands)
    for column in range(packed.shape[1]):
        key = _mix(key ^ packed[:, column])
    return key


def signature(
    text: str,
    *,
    template_keys: "Iterable[int] | Callable[[str], bool] | None" = None,
    config: DedupConfig = DEFAULT_CONFIG,
) -> Signature:
    """The dedup signature of one clean text.

    `template_keys`: line keys (cleaner.linefreq.line_key) of lines recurring across the corpus, or a
    predicate line -> bool; those lines are left out of the shingles (template is not story). For
    many calls, pass the same frozenset (or a predicate built once with `as_template_test`).
    """
    all_words = words(text)
    exact = exact_key(all_words)
    if config.mode != "near" or exact is None:
        return Signature(exact, 0, len(all_words), b"", b"")
    is_template = as_template_test(template_keys)
    story = story_words(text, is_template, all_words)
    grams = shingles(story, config.shingle_words)
    if not grams:
        return Signature(exact, 0, len(all_words), b"", b"")
    hashes = np.fromiter(RMinHash.hash_token_sets([grams])[0], dtype=np.uint64, count=len(grams))
    minhash = RMinHash(config.num_perm, config.seed)   # per-document update: the batch/matrix calls
    minhash.update(grams)                              # cost ~10x more per call at this size
    digest = minhash.digest()
    keys = band_keys(np.asarray(digest, dtype=np.uint32), config.bands, config.rows)
    distinct = np.unique((hashes >> np.uint64(32)).astype(np.uint32))
    return Signature(exact, int(distinct.size), len(all_words), keys.tobytes(), distinct[: config.sketch_size].tobytes())
