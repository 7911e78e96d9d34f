#!/usr/bin/env python3
"""Benchmark of cleaner.dedup on the labelled near-duplicate set: quality, speed, determinism, memory.

Runs dedup on the JSONL `text` fields directly (template lines from a cleaner.linefreq pass over the
same texts), writes one prediction per document (each kept record plus its `duplicates` form one
cluster) and scores it with the project's scorer. Speed is CPU time on one core, reported as a ratio
against the text path measured in the same run (ftfy.fix_text + seeded langdetect on the first 1000
characters).

  python3 bench/dedup.py [PATH] [--sweep] [--baseline-docs N] [--out DIR]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleaner.dedup import DedupConfig, as_template_test, find_clusters, signature, template_keys_from  # noqa: E402
from cleaner.linefreq import LineCounts, document_keys  # noqa: E402

HERE = Path(__file__).resolve()
DEFAULT_PATH = Path("/work/shared/bench/dedup")
GIB = 1024 ** 3


def load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def line_counts(docs: list[dict]) -> LineCounts:
    counts = LineCounts()
    for d in docs:
        counts.add(document_keys(d["text"].split("\n")))
    return counts


def template_test(docs: list[dict], threshold: int):
    return as_template_test(template_keys_from(line_counts(docs), threshold))


def signatures(docs: list[dict], config: DedupConfig, test) -> list[tuple]:
    return [(d["id"], signature(d["text"], template_keys=test, config=config), "docs.jsonl#%d" % i)
            for i, d in enumerate(docs)]


def kept_records(docs: list[dict], result) -> list[dict]:
    """The dedup part of the output records, in input order: kept id and its duplicates."""
    return [{"id": d["id"], "duplicates": result.duplicates_of(d["id"])} for d in docs if result.keep(d["id"])]


def write_pred(records: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps({"id": rec["id"], "cluster": rec["id"]}) + "\n")
            for dup in rec["duplicates"]:
                f.write(json.dumps({"id": dup["id"], "cluster": rec["id"]}) + "\n")


def score(scorer: Path, labels: Path, pred: Path, meta: Path | None = None) -> dict:
    cmd = [sys.executable, str(scorer), "--labels", str(labels), "--pred", str(pred), "--json"]
    if meta is not None and meta.exists():
        cmd += ["--meta", str(meta), "--by", "variant"]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def run(docs, config, test, out: Path, name: str, labels: Path, scorer: Path, meta=None) -> dict:
    c0 = time.process_time()
    items = signatures(docs, config, test)
    c1 = time.process_time()
    result = find_clusters(items, config)
    c2 = time.process_time()
    records = kept_records(docs, result)
    pred = out / f"pred-{name}.jsonl"
    write_pred(records, pred)
    return {"score": score(scorer, labels, pred, meta), "sig_s": c1 - c0, "cluster_s": c2 - c1,
            "result": result, "records": records, "items": items}


def _sig_worker(args):
    text, config, keys = args
    return signature(text, template_keys=keys, config=config)


def reversed_parallel(docs, config, keys) -> list[dict]:
    """Same corpus, input order reversed, signatures computed by 2 worker processes."""
    rev = list(reversed(docs))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        sigs = pool.map(_sig_worker, [(d["text"], config, keys) for d in rev], chunksize=97)
    index = {d["id"]: i for i, d in enumerate(docs)}
    items = [(d["id"], s, "docs.jsonl#%d" % index[d["id"]]) for d, s in zip(rev, sigs)]
    result = find_clusters(items, config)
    return kept_records(docs, result)


def text_path_seconds(texts: list[str]) -> tuple[float, float]:
    import ftfy
    from langdetect import DetectorFactory, detect_langs
    DetectorFactory.seed = 0
    c0 = time.process_time()
    for t in texts:
        ftfy.fix_text(t)
    c1 = time.process_time()
    for t in texts:
        try:
            detect_langs(t[:1000])
        except Exception:
            pass
    return c1 - c0, time.process_time() - c1


def held_bytes(items) -> float:
    """Bytes per document of what the clusterer holds: the items (id, signature, source) and a list slot."""
    total = 0
    for key, sig, source in items:
        total += sys.getsizeof((key, sig, source)) + sys.getsizeof(key) + sys.getsizeof(source) + 8
        total += sys.getsizeof(sig) + sum(sys.getsizeof(x) for x in sig)
    return total / len(items)


def clustering_peak_bytes(items, config) -> float:
    tracemalloc.start()
    find_clusters(items, config)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / len(items)


def fmt_row(name, config, r, docs) -> str:
    s = r["score"]
    n = len(docs)
    return (f"| {name} | {config.bands}x{config.rows} | {config.sketch_size} | {config.near_threshold} | "
            f"{config.containment_threshold} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | "
            f"{s['dedup_stories_lost']} | {r['result'].candidates} | {n / (r['sig_s'] + r['cluster_s']):,.0f} |")


TABLE_HEAD = ("| setting | bands x rows | sketch k | J >= | C >= | P | R | F1 | stories lost | candidates | docs/s (CPU) |\n"
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def sweep(docs, base, test_on, test_off, out, labels, scorer) -> None:
    rep = dataclasses.replace
    settings = [
        ("chosen", base, test_on),
        ("60x2 bands", rep(base, bands=60, rows=2), test_on),
        ("40x3 bands", rep(base, bands=40, rows=3), test_on),
        ("30x4 bands", rep(base, bands=30, rows=4), test_on),
        ("25x5 bands", rep(base, bands=25, rows=5), test_on),
        ("exact sets (no sketch cut)", rep(base, sketch_size=1 << 20), test_on),
        ("sketch k=128", rep(base, sketch_size=128), test_on),
        ("sketch k=64", rep(base, sketch_size=64), test_on),
        ("J>=0.3", rep(base, near_threshold=0.3), test_on),
        ("J>=0.5", rep(base, near_threshold=0.5), test_on),
        ("no containment", rep(base, containment_threshold=1.01), test_on),
        ("C>=0.55", rep(base, containment_threshold=0.55), test_on),
        ("C>=0.5", rep(base, containment_threshold=0.5), test_on),
        ("template lines kept", base, test_off),
        ("2-word shingles", rep(base, shingle_words=2), test_on),
        ("5-word shingles", rep(base, shingle_words=5), test_on),
    ]
    print("\n## Parameter sweep (reuters-syn, 9,275 docs)\n")
    print(TABLE_HEAD)
    for name, config, test in settings:
        r = run(docs, config, test, out, "sweep", labels, scorer)
        print(fmt_row(name, config, r, docs), flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--out", type=Path, default=Path("/tmp/cleaner-bench-dedup"))
    ap.add_argument("--sweep", action="store_true", help="also print the parameter sweep table")
    ap.add_argument("--baseline-docs", type=int, default=2000,
                    help="documents (evenly spaced) for the text-path baseline; 0 = all")
    ap.add_argument("--near-threshold", type=float, default=DedupConfig.near_threshold)
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    scorer = a.path.parent / "tools" / "score_dedup.py"
    config = DedupConfig(near_threshold=a.near_threshold)
    print("command: python3 " + " ".join([str(Path(sys.argv[0]))] + sys.argv[1:]))
    print(f"config: {config}")

    docs = load(a.path / "docs.jsonl")
    c0 = time.process_time()
    test = template_test(docs, config.template_threshold)
    linefreq_s = time.process_time() - c0
    main_run = run(docs, config, test, a.out, "main", a.path / "labels.jsonl", scorer, a.path / "meta.jsonl")
    s = main_run["score"]
    n = len(docs)
    print(f"\n## Quality on {a.path / 'docs.jsonl'} ({n:,} docs)\n")
    print("| set | P | R | F1 | ARI | pred clusters / gold | stories lost | extra copies kept |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| reuters-syn | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | {s['ari']:.4f} | "
          f"{s['n_pred_clusters']} / {s['n_gold_clusters']} | {s['dedup_stories_lost']} | {s['dedup_extra_copies_kept']} |")
    clough = a.path / "clough"
    if clough.exists():
        cdocs = load(clough / "docs.jsonl")
        ctest = template_test(cdocs, config.template_threshold)
        for labels in ("labels.jsonl", "labels_lenient.jsonl"):
            if (clough / labels).exists():
                c = run(cdocs, config, ctest, a.out, "clough", clough / labels, scorer)["score"]
                print(f"| clough ({labels}) | {c['precision']:.4f} | {c['recall']:.4f} | {c['f1']:.4f} | {c['ari']:.4f} | "
                      f"{c['n_pred_clusters']} / {c['n_gold_clusters']} | {c['dedup_stories_lost']} | {c['dedup_extra_copies_kept']} |")
    by = s.get("recall_by_variant", {})
    order = ["singleton", "original", "exact", "normws", "light", "medium", "heavy"]
    kinds = [k for k in order if k in by] + sorted(k for k in by if k not in order)
    print("\nPairwise recall by variant:\n")
    print("| " + " | ".join(kinds) + " |")
    print("|" + "---:|" * len(kinds))
    print("| " + " | ".join(f"{by[k]['recall']:.3f}" for k in kinds) + " |")
    print(f"\ndedup stats: {main_run['result'].stats()}")

    # speed, one core, CPU time, same run
    step = max(1, n // a.baseline_docs) if a.baseline_docs else 1
    sample = [d["text"] for d in docs[::step]]
    ftfy_s, lang_s = text_path_seconds(sample)
    per_doc_dedup = (main_run["sig_s"] + main_run["cluster_s"] + linefreq_s) / n
    per_doc_text = (ftfy_s + lang_s) / len(sample)
    print("\n## Speed (CPU seconds, one process)\n")
    print("| stage | docs | seconds | docs/s | us/doc |")
    print("|---|---:|---:|---:|---:|")
    for name, secs, count in [("line-frequency pass (template keys)", linefreq_s, n),
                              ("dedup signatures", main_run["sig_s"], n),
                              ("dedup clustering (exact+LSH+verify+union-find)", main_run["cluster_s"], n),
                              ("ftfy.fix_text", ftfy_s, len(sample)),
                              ("langdetect (seeded, first 1000 chars)", lang_s, len(sample))]:
        print(f"| {name} | {count:,} | {secs:.2f} | {count / secs:,.0f} | {secs / count * 1e6:,.0f} |")
    print(f"\ndedup total (line pass + signatures + clustering): {per_doc_dedup * 1e6:,.0f} us/doc "
          f"= {1 / per_doc_dedup:,.0f} docs/s; text path (ftfy + langdetect): {per_doc_text * 1e6:,.0f} us/doc")
    print(f"ratio dedup / text path = {per_doc_dedup / per_doc_text:.3f}  (budget 0.15); "
          f"dedup / ftfy alone = {per_doc_dedup / (ftfy_s / len(sample)):.3f}")

    # determinism: reversed input order, signatures from 2 worker processes
    keys = template_keys_from(line_counts(docs), config.template_threshold)
    same = reversed_parallel(docs, config, keys) == main_run["records"]
    print(f"\n## Determinism\n\nreversed input + 2 worker processes: kept records and duplicates identical = {same}")

    # memory
    held = held_bytes(main_run["items"])
    peak = clustering_peak_bytes(main_run["items"], config)
    full_sketch = max(main_run["items"], key=lambda it: len(it[1].sketch))
    long_doc = (sys.getsizeof(full_sketch[1]) + sum(sys.getsizeof(x) for x in full_sketch[1]) + 64 * 3 + 8
                + 4 * (config.sketch_size - len(full_sketch[1].sketch) // 4))
    import pickle
    pickled = sum(len(pickle.dumps(it[1], protocol=5)) for it in main_run["items"]) / n
    print("\n## Memory (clusterer, signatures only)\n")
    print(f"held per document (id + source + signature objects): {held:,.0f} B; pickled signature: {pickled:,.0f} B")
    print(f"peak extra during find_clusters (tracemalloc): {peak:,.0f} B/doc")
    print(f"documents in 24 GiB at this corpus' sizes: 24 GiB / ({held:,.0f} + {peak:,.0f}) B = "
          f"{24 * GIB / (held + peak) / 1e6:,.1f} M")
    print(f"long documents (sketch full, k={config.sketch_size}): ~{long_doc:,.0f} B held -> "
          f"{24 * GIB / (long_doc + peak) / 1e6:,.1f} M documents in 24 GiB")
    if a.sweep:
        sweep(docs, config, test, None, a.out, a.path / "labels.jsonl", scorer)
    ok = s["f1"] >= 0.95 and s["precision"] >= 0.99 and same
    print(f"\nacceptance (F1 >= 0.95, P >= 0.99, order-independent): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
