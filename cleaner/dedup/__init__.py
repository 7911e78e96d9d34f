"""Exact and near-duplicate removal, deterministic and explainable, in four stages any engine runs.

  signature  per document, in workers: `signature(text, template_keys=...)`, small, picklable,
             text-free (exact hash, story size and length, LSH band keys, bottom-k sketch)
  bucket     per band: documents sharing a band key form a bucket; `band_edges` links each member to
             the bucket's first and the few before it, a bounded number of candidate edges a document
  cluster    exact copies linked (`exact_links`), candidate edges verified (`link_verified`: Jaccard
             or containment, an edge whose ends are already joined is skipped), union-find
  decide     `settle`: one representative per connected component by a rule that ignores input order
             and worker count; `Decisions`: what to keep and, for each kept document, what it replaced

`find_clusters([(key, signature, source), ...])` runs the last three in one process; the local engine
goes through `DedupStage` (`make_stage`), the Ray engine runs the same functions on its workers.
"""
from cleaner.dedup.bucket import as_codes, band_edges, candidate_edges, from_codes
from cleaner.dedup.cluster import UnionFind, cluster_table, exact_links, find_clusters, is_near, link_verified
from cleaner.dedup.config import MODES, DedupConfig
from cleaner.dedup.decide import Decisions, settle
from cleaner.dedup.normalise import as_template_test, template_keys_from, words
from cleaner.dedup.signature import DEFAULT_CONFIG, Signature, signature
from cleaner.dedup.stage import DedupStage, make_stage
from cleaner.dedup.table import SignatureList, SignatureTable, key_order
from cleaner.dedup.verify import jaccard, overlap

__all__ = [
    "DEFAULT_CONFIG", "MODES", "DedupConfig", "DedupStage", "Decisions", "Signature", "SignatureList",
    "SignatureTable", "UnionFind", "as_codes", "as_template_test", "band_edges", "candidate_edges",
    "cluster_table", "exact_links", "find_clusters", "from_codes", "is_near", "jaccard", "key_order",
    "link_verified", "make_stage", "overlap", "settle", "signature", "template_keys_from", "words",
]
