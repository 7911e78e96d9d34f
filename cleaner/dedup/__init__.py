"""Exact and near-duplicate removal, deterministic and explainable.

Two parts, so that an engine can distribute them:
  `signature(text, template_keys=...)`  per document, in workers: small, picklable, text-free;
  `find_clusters([(id, signature, source), ...])`  corpus-wide, in one process: exact groups,
      MinHash-LSH candidates (rensa), every candidate verified (Jaccard or containment), union-find,
      one representative per cluster by a rule that ignores input order and worker count.
The result says which documents to keep and, for each kept one, which copies it replaced.
"""
from cleaner.dedup.cluster import DedupResult, find_clusters
from cleaner.dedup.config import MODES, DedupConfig
from cleaner.dedup.normalise import as_template_test, template_keys_from, words
from cleaner.dedup.signature import DEFAULT_CONFIG, Signature, signature
from cleaner.dedup.verify import jaccard, overlap
from cleaner.dedup.stage import DedupStage, make_stage

__all__ = [
    "DEFAULT_CONFIG", "MODES", "DedupStage", "make_stage", "DedupConfig", "DedupResult", "Signature", "as_template_test",
    "find_clusters", "jaccard", "overlap", "signature", "template_keys_from", "words",
]
