#!/usr/bin/env python3
"""Dedup through the whole pipeline: `cleaner clean DOCS.jsonl`, then score its clusters.

Each kept record plus its `duplicates` is one predicted cluster (ids are the JSONL `id`s, kept by the
reader); documents dropped for other reasons count as singletons. Prints the scorer's output for
docs.jsonl (with recall by variant) and for the small real clough/ set when present.

usage: python3 bench/dedup_pipeline.py [BENCH_DEDUP_DIR] [-j N] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent / "shared" / "bench" / "dedup"


def predict(docs: Path, work: Path, jobs: int, extra: list[str]) -> tuple[Path, float]:
    out = work / "corpus.jsonl"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cleaner", "clean", str(docs), "-o", str(out), "-j", str(jobs), "--quiet", *extra], check=True)
    elapsed = time.perf_counter() - t
    pred = work / "pred.jsonl"
    with pred.open("w") as f:
        for line in out.open():
            r = json.loads(line)
            f.write(json.dumps({"id": r["id"], "cluster": r["id"]}) + "\n")
            for d in r["duplicates"]:
                f.write(json.dumps({"id": d["id"], "cluster": r["id"]}) + "\n")
    return pred, elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=str(DEFAULT))
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--keep", default=None)
    args = ap.parse_args()
    bench = Path(args.bench)
    scorer = bench.parent / "tools" / "score_dedup.py"
    work = Path(args.keep or tempfile.mkdtemp(prefix="dedup-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"$ python3 bench/dedup_pipeline.py {bench} -j {args.j}\n")
    pred, secs = predict(bench / "docs.jsonl", work, args.j, [])
    print(f"## docs.jsonl through `cleaner clean` ({secs:.1f} s, -j {args.j})")
    subprocess.run([sys.executable, str(scorer), "--labels", str(bench / "labels.jsonl"), "--pred", str(pred),
                    "--meta", str(bench / "meta.jsonl"), "--by", "variant"], check=True)
    clough = bench / "clough"
    if clough.is_dir():
        docs = next((p for p in sorted(clough.glob("*.jsonl")) if "label" not in p.name and "meta" not in p.name), None)
        labels = sorted(clough.glob("labels*.jsonl"))
        if docs is not None and labels:
            cw = work / "clough"
            cw.mkdir(exist_ok=True)
            pred, secs = predict(docs, cw, args.j, [])
            for lab in labels:
                print(f"\n## clough/{docs.name} scored with {lab.name}")
                subprocess.run([sys.executable, str(scorer), "--labels", str(lab), "--pred", str(pred)], check=True)


if __name__ == "__main__":
    main()
