#!/usr/bin/env python3
"""What one big cluster of near-identical documents costs, against as many distinct ones (issue 21, point 5).

  python3 bench/near_cluster.py [DOCS.jsonl] [--docs 8000] [--per-file 200] [--rounds 1] [--jobs 1] [--code TREE]

Builds two inputs in a temporary folder, JSONL files of `--per-file` documents each:
  near      one text (two paragraphs of three sentences) with a different closing line each, `--docs`
            times: one cluster of `--docs` near-duplicates, which LSH puts in the same bucket of
            nearly every band (the case that cost quadratic time: 86 s for 2,000, 416 s for 4,000)
  distinct  `--docs` documents of the same shape (two paragraphs of three sentences and a closing
            line), the sentences drawn from a pool without a document's sentences repeating
Sentences come from the stories of the labelled dedup set (one document per gold cluster), split at
sentence ends. Then it runs the real CLI, `cleaner clean DIR -o OUT/corpus.jsonl -j JOBS --quiet`
(and `--stats OUT/stats.json`, where the clusters are read),
on each, alternating (distinct, near, distinct, near, ... for `--rounds`), and reports wall time
and the child's CPU time (resource.getrusage of children) per side, the best of the rounds, the
records and clusters each run reported, and the ratio near / distinct. Target: <= 2.0.
Exit status 0 when the CPU ratio meets the target and the near side made one cluster.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / ".." / "shared" / "bench" / "dedup" / "docs.jsonl"
TARGET = 2.0
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentence_pool(path: Path) -> list[str]:
    """Distinct sentences of 8+ words, from one document per gold cluster when meta.jsonl says which."""
    meta_path = path.with_name("meta.jsonl")
    clusters = None
    if meta_path.exists():
        with open(meta_path, encoding="utf-8") as f:
            clusters = [json.loads(line)["cluster"] for line in f if line.strip()]
    seen_cluster: set = set()
    seen: set[str] = set()
    pool = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if not line.strip():
                continue
            if clusters is not None:
                if clusters[n] in seen_cluster:
                    continue
                seen_cluster.add(clusters[n])
            for sentence in _SENTENCE_END.split(json.loads(line)["text"].replace("\n", " ")):
                sentence = sentence.strip()
                if len(sentence.split()) >= 8 and sentence not in seen:
                    seen.add(sentence)
                    pool.append(sentence)
    return pool


def shaped(sentences: list[str]) -> str:
    """Two paragraphs of three sentences (one line each, prose, never template) and a closing line."""
    return "\n".join([" ".join(sentences[0:3]), " ".join(sentences[3:6]), sentences[6]])


def write_set(folder: Path, texts: list[str], prefix: str, per_file: int) -> None:
    folder.mkdir(parents=True)
    for start in range(0, len(texts), per_file):
        with open(folder / f"part-{start // per_file:05d}.jsonl", "w", encoding="utf-8") as f:
            for i, text in enumerate(texts[start:start + per_file], start):
                f.write(json.dumps({"id": f"{prefix}-{i:06d}", "text": text}) + "\n")


def make_inputs(pool: list[str], docs: int, root: Path, per_file: int) -> tuple[Path, Path]:
    rng = random.Random(21)
    stream: list[str] = []

    def draw(k: int) -> list[str]:
        while len(stream) < k:
            batch = pool[:]
            rng.shuffle(batch)
            stream.extend(batch)
        out = stream[:k]
        del stream[:k]
        return out

    base = draw(6)
    near = [shaped(base + draw(1)) for _ in range(docs)]
    distinct = [shaped(draw(7)) for _ in range(docs)]
    write_set(root / "near", near, "near", per_file)
    write_set(root / "distinct", distinct, "distinct", per_file)
    return root / "near", root / "distinct"


def run_cli(inp: Path, out: Path, jobs: int, code: Path = ROOT) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / "corpus.jsonl"
    cmd = [sys.executable, "-m", "cleaner.cli", "clean", str(inp), "-o", str(corpus), "-j", str(jobs), "--quiet",
           "--stats", str(out / "stats.json")]
    env = dict(os.environ, PYTHONPATH=str(code))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"cleaner failed on {inp} (exit {proc.returncode}):\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    with open(corpus, encoding="utf-8") as f:
        records = sum(1 for line in f if line.strip())
    return {"wall": wall, "cpu": cpu, "records": records, "stats": stats}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT, help="JSONL with `text` (the sentence source)")
    ap.add_argument("--docs", type=int, default=8000, help="documents on each side (default 8000)")
    ap.add_argument("--per-file", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=1, help="alternating runs of each side; the best counts")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--code", type=Path, default=ROOT, help="the cleaner tree to run (e.g. a checkout of main)")
    a = ap.parse_args(argv)
    print("command: python3 " + " ".join([str(Path(sys.argv[0]))] + sys.argv[1:]))
    pool = sentence_pool(a.path.resolve())
    print(f"sentence pool: {len(pool):,} distinct sentences from {a.path}")
    with tempfile.TemporaryDirectory(prefix="cleaner-near-cluster-") as tmp:
        root = Path(tmp)
        near_in, distinct_in = make_inputs(pool, a.docs, root, a.per_file)
        runs: dict[str, list[dict]] = {"distinct": [], "near": []}
        for r in range(a.rounds):
            for side, inp in (("distinct", distinct_in), ("near", near_in)):
                res = run_cli(inp, root / f"out-{side}-{r}", a.jobs, a.code.resolve())
                runs[side].append(res)
                print(f"round {r + 1} {side:8s}: wall {res['wall']:7.2f} s  cpu {res['cpu']:7.2f} s  "
                      f"records out {res['records']:,}", flush=True)
    best = {side: min(rs, key=lambda x: x["cpu"]) for side, rs in runs.items()}
    print(f"\n{a.docs:,} documents a side, JSONL files of {a.per_file}, -j {a.jobs}, best of {a.rounds} round(s)\n")
    print("| input | wall s | CPU s | records out | duplicate clusters | duplicates dropped |")
    print("|---|---:|---:|---:|---:|---:|")
    for side in ("distinct", "near"):
        b, s = best[side], best[side]["stats"]
        print(f"| {side} | {b['wall']:.2f} | {b['cpu']:.2f} | {b['records']:,} | {s.get('duplicate_clusters')} | "
              f"{s.get('duplicates_dropped')} |")
    cpu_ratio = best["near"]["cpu"] / best["distinct"]["cpu"]
    wall_ratio = best["near"]["wall"] / best["distinct"]["wall"]
    one_cluster = best["near"]["records"] == 1 and best["near"]["stats"].get("duplicate_clusters") == 1
    print(f"\nnear / distinct: CPU {cpu_ratio:.2f}x, wall {wall_ratio:.2f}x (target <= {TARGET:.1f}x); "
          f"near side is one cluster: {one_cluster}")
    ok = cpu_ratio <= TARGET and one_cluster
    print(f"acceptance: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
